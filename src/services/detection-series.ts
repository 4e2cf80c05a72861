/**
 * The series the live detectors follow, and how one minute of rollups becomes one point per
 * series: per probed target p95 latency, error rate, TTFT p95 and checks per minute; per gateway
 * route requests per minute, error rate and p95 latency. Also the per-series state (one detector
 * and one forecaster, a fixed-size object whatever the series length). Pure.
 */
import { QuantileSketch } from '../core/sketch.ts';
import { createDetector, type Detector } from '../detect/detector.ts';
import { createForecaster, type Forecaster } from '../detect/forecast.ts';
import type { RequestRollup, Rollup } from '../store/types.ts';

/** Metrics followed per probed target. */
export const TARGET_SERIES_METRICS = [
  'p95_latency_ms',
  'error_rate',
  'ttft_p95_ms',
  'checks_per_min',
] as const;
/** Metrics followed per gateway route. */
export const ROUTE_SERIES_METRICS = ['requests_per_min', 'error_rate', 'p95_latency_ms'] as const;

/** What a series measures: a probed target or a gateway route. */
export type SeriesSubject = { kind: 'target'; name: string } | { kind: 'route'; name: string };

/** One value of one series at one minute bucket. */
export interface SeriesPoint {
  key: string;
  subject: SeriesSubject;
  metric: string;
  at: number;
  value: number;
}

/** The key that names a series in memory and in the `anomaly_scores` table. */
export function seriesKey(subject: SeriesSubject, metric: string): string {
  return `${subject.kind}:${subject.name}:${metric}`;
}

/** A readable name of a series for evidence and causes, e.g. "gpt-east p95_latency_ms". */
export function seriesLabel(subject: SeriesSubject, metric: string): string {
  return `${subject.kind === 'route' ? 'route ' : ''}${subject.name} ${metric}`;
}

function point(subject: SeriesSubject, metric: string, at: number, value: number): SeriesPoint | undefined {
  return Number.isFinite(value) ? { key: seriesKey(subject, metric), subject, metric, at, value } : undefined;
}

/** The points of probe minute rollups (one rollup per target and minute), in bucket order. */
export function targetPoints(rollups: readonly Rollup[]): SeriesPoint[] {
  const out: (SeriesPoint | undefined)[] = [];
  const sorted = [...rollups].sort((a, b) => a.bucket - b.bucket || a.target.localeCompare(b.target));
  for (const r of sorted) {
    if (r.total <= 0) continue;
    const subject: SeriesSubject = { kind: 'target', name: r.target };
    out.push(
      point(
        subject,
        'p95_latency_ms',
        r.bucket,
        new QuantileSketch().mergeSerialized(r.latencySketch).quantile(0.95),
      ),
    );
    out.push(point(subject, 'error_rate', r.bucket, r.failed / r.total));
    if (r.ttftCount > 0) {
      out.push(
        point(
          subject,
          'ttft_p95_ms',
          r.bucket,
          new QuantileSketch().mergeSerialized(r.ttftSketch).quantile(0.95),
        ),
      );
    }
    out.push(point(subject, 'checks_per_min', r.bucket, r.total));
  }
  return out.filter((p): p is SeriesPoint => p !== undefined);
}

/** The points of gateway request minute rollups, deployments of a route folded together. */
export function routePoints(rollups: readonly RequestRollup[], routes?: ReadonlySet<string>): SeriesPoint[] {
  const groups = new Map<
    string,
    { route: string; bucket: number; total: number; errors: number; lat: QuantileSketch }
  >();
  for (const r of rollups) {
    if (routes && !routes.has(r.route)) continue;
    const id = `${r.bucket}\u0000${r.route}`;
    let g = groups.get(id);
    if (!g)
      groups.set(
        id,
        (g = { route: r.route, bucket: r.bucket, total: 0, errors: 0, lat: new QuantileSketch() }),
      );
    g.total += r.total;
    g.errors += r.errors;
    g.lat.mergeSerialized(r.latencySketch);
  }
  const out: (SeriesPoint | undefined)[] = [];
  const sorted = [...groups.values()].sort((a, b) => a.bucket - b.bucket || a.route.localeCompare(b.route));
  for (const g of sorted) {
    if (g.total <= 0) continue;
    const subject: SeriesSubject = { kind: 'route', name: g.route };
    out.push(point(subject, 'requests_per_min', g.bucket, g.total));
    out.push(point(subject, 'error_rate', g.bucket, g.errors / g.total));
    out.push(point(subject, 'p95_latency_ms', g.bucket, g.lat.quantile(0.95)));
  }
  return out.filter((p): p is SeriesPoint => p !== undefined);
}

/** The live state of one series: its detector, forecaster and latest point. */
export interface SeriesState {
  key: string;
  subject: SeriesSubject;
  metric: string;
  detector: Detector;
  forecaster: Forecaster;
  lastAt: number;
  lastValue: number;
  lastScore: number;
}

/** A fresh series state. */
export function newSeriesState(p: Pick<SeriesPoint, 'key' | 'subject' | 'metric'>): SeriesState {
  return {
    key: p.key,
    subject: p.subject,
    metric: p.metric,
    detector: createDetector(),
    forecaster: createForecaster(),
    lastAt: Number.NEGATIVE_INFINITY,
    lastValue: Number.NaN,
    lastScore: 0,
  };
}

/** Feeds one point to its series (points not after the last one are ignored); returns the score. */
export function feedSeries(s: SeriesState, p: SeriesPoint): number | undefined {
  if (!(p.at > s.lastAt)) return undefined;
  const score = s.detector.update(p.at, p.value);
  s.forecaster.update(p.at, p.value);
  s.lastAt = p.at;
  s.lastValue = p.value;
  s.lastScore = score;
  return score;
}

/** Pearson correlation of two series aligned on their timestamps; undefined with < 5 shared points. */
export function alignedCorrelation(
  a: readonly { at: number; value: number }[],
  b: readonly { at: number; value: number }[],
): number | undefined {
  const bAt = new Map(b.map((p) => [p.at, p.value]));
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of a) {
    const y = bAt.get(p.at);
    if (y !== undefined) {
      xs.push(p.value);
      ys.push(y);
    }
  }
  const n = xs.length;
  if (n < 5) return undefined;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : undefined;
}
