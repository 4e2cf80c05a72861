/**
 * Read-only routes of the live detectors: a target's stored anomaly scores and a forecast of one
 * of its metrics with an 80% interval (and when it crosses its SLO limit, if one applies).
 */
import { Hono } from 'hono';
import { NinesError } from '../../core/errors.ts';
import type { AuthVariables } from '../auth.ts';
import { parseRange } from '../params.ts';

const HOUR = 3_600_000;

/** Metrics the detectors follow per target (the service's `TARGET_SERIES_METRICS`). */
const METRICS = ['p95_latency_ms', 'error_rate', 'ttft_p95_ms', 'checks_per_min'];

/** What the routes need from the detection runtime (src/services/detection-runtime.ts). */
export interface DetectionApi {
  hasTarget(name: string): boolean;
  now(): number;
  anomalies(
    target: string,
    from: number,
    to: number,
    metric?: string,
  ): Promise<{ at: number; value: number; score: number }[]>;
  forecast(
    target: string,
    metric: string,
    steps: number,
  ): { metric: string; points: { at: number; value: number; lo: number; hi: number }[]; crossing?: unknown };
}

function parseMetric(value: string | undefined): string {
  const metric = value ?? 'p95_latency_ms';
  if (!METRICS.includes(metric))
    throw new NinesError(
      'VALIDATION',
      `query parameter metric: "${metric}" must be one of ${METRICS.join(', ')}`,
    );
  return metric;
}

function parseSteps(value: string | undefined): number {
  if (value === undefined) return 60;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1440)
    throw new NinesError(
      'VALIDATION',
      `query parameter steps: "${value}" must be an integer from 1 to 1440 (minutes)`,
    );
  return n;
}

/** Routes under /api/v1/targets/:name/{anomalies,forecast}. */
export function detectRoutes(runtime: DetectionApi): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  const mustExist = (name: string): string => {
    if (!runtime.hasTarget(name)) throw new NinesError('NOT_FOUND', `no target named "${name}"`);
    return name;
  };

  app.get('/targets/:name/anomalies', async (c) => {
    const target = mustExist(c.req.param('name'));
    const metric = parseMetric(c.req.query('metric'));
    const { from, to } = parseRange(c.req.query(), runtime.now(), 24 * HOUR);
    const rows = await runtime.anomalies(target, from, to, metric);
    return c.json({
      target,
      metric,
      from,
      to,
      points: rows.map((r) => ({ at: r.at, value: r.value, score: r.score })),
    });
  });

  app.get('/targets/:name/forecast', (c) => {
    const target = mustExist(c.req.param('name'));
    const metric = parseMetric(c.req.query('metric'));
    const steps = parseSteps(c.req.query('steps'));
    return c.json({ target, ...runtime.forecast(target, metric, steps) });
  });

  return app;
}
