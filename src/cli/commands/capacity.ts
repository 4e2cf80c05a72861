/**
 * `nines capacity -c nines.yaml [--horizon 24h] [--history 7d] [--replica-concurrency 8]
 * [--target-utilization 0.7] [--route a,b] [--json]`: forecasts each gateway route's traffic from
 * its recorded request rollups and sizes replicas with Little's law (concurrency = requests per
 * second × mean latency) at the forecast peak's upper edge. Reads the configured store directly.
 */
import { parseArgs } from 'node:util';
import { loadConfigFile, formatProblem } from '../../config/load.ts';
import { parseDuration } from '../../core/duration.ts';
import { NinesError } from '../../core/errors.ts';
import { capacityPlan, type CapacityPlan, type RouteDemand } from '../../detect/capacity.ts';
import { createForecaster } from '../../detect/forecast.ts';
import { openStore } from '../../store/open.ts';
import type { RequestRollup } from '../../store/types.ts';
import { println, type CliIo } from '../io.ts';

/** Forecast step: five minutes, the daily profile's bucket. */
const STEP = 5 * 60_000;

function duration(flag: string, value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new NinesError('VALIDATION', `--${flag} "${value}" is not a duration like 1h, 24h or 7d`);
}

function positive(flag: string, value: string, max = Number.POSITIVE_INFINITY): number {
  const n = Number(value);
  if (!(n > 0 && n <= max))
    throw new NinesError(
      'VALIDATION',
      `--${flag} "${value}" must be a number above 0${max < Infinity ? ` and at most ${max}` : ''}`,
    );
  return n;
}

/** Per route: requests per second in five-minute steps, and the mean latency in seconds. */
export function routeDemands(rollups: readonly RequestRollup[], horizonMs: number): RouteDemand[] {
  const byRoute = new Map<string, { steps: Map<number, number>; total: number; latencySumMs: number }>();
  for (const r of rollups) {
    let d = byRoute.get(r.route);
    if (!d) byRoute.set(r.route, (d = { steps: new Map(), total: 0, latencySumMs: 0 }));
    const step = Math.floor(r.bucket / STEP) * STEP;
    d.steps.set(step, (d.steps.get(step) ?? 0) + r.total);
    d.total += r.total;
    d.latencySumMs += r.latencySumMs;
  }
  const steps = Math.max(1, Math.ceil(horizonMs / STEP));
  return [...byRoute.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, d]) => {
      const f = createForecaster();
      const times = [...d.steps.keys()].sort((a, b) => a - b);
      // Steps without requests inside the history are zero traffic, not gaps.
      for (let t = times[0]!; t <= times[times.length - 1]!; t += STEP)
        f.update(t, (d.steps.get(t) ?? 0) / (STEP / 1000));
      const forecast = f.forecast(steps, { stepMs: STEP, coverage: 0.8 });
      // Too little history to forecast (one step): plan for the rate seen.
      const seen = d.total / (STEP / 1000);
      const rpsForecast = forecast.length
        ? forecast
        : [{ timestampMs: times[0]! + STEP, mean: seen, lower: seen, upper: seen }];
      return { route, rpsForecast, latencySeconds: d.total > 0 ? d.latencySumMs / d.total / 1000 : 0 };
    });
}

/** Renders a plan as an aligned text table with a total line. */
export function renderCapacityTable(plan: CapacityPlan, demands: readonly RouteDemand[]): string {
  const latency = new Map(demands.map((d) => [d.route, d.latencySeconds]));
  const header = [
    'route',
    'peak rps',
    'peak rps (80% hi)',
    'latency',
    'concurrency',
    'concurrency (hi)',
    'replicas',
  ];
  const rows = plan.routes.map((r) => [
    r.route,
    r.peakRps.toFixed(2),
    r.peakRpsUpper.toFixed(2),
    `${(latency.get(r.route) ?? 0).toFixed(2)}s`,
    r.concurrency.toFixed(1),
    r.concurrencyUpper.toFixed(1),
    String(r.replicas),
  ]);
  rows.push([
    'total (shared pool)',
    '',
    '',
    '',
    '',
    plan.totalConcurrencyUpper.toFixed(1),
    String(plan.totalReplicas),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Runs `nines capacity`; `deps.now` fixes the time (tests). */
export async function runCapacityCommand(
  argv: string[],
  io: CliIo,
  deps: { now?: () => number } = {},
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c', default: 'nines.yaml' },
      horizon: { type: 'string', default: '24h' },
      history: { type: 'string', default: '7d' },
      'replica-concurrency': { type: 'string', default: '8' },
      'target-utilization': { type: 'string', default: '0.7' },
      route: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const horizonMs = duration('horizon', values.horizon!);
  const historyMs = duration('history', values.history!);
  const replicaConcurrency = positive('replica-concurrency', values['replica-concurrency']!);
  const targetUtilization = positive('target-utilization', values['target-utilization']!, 1);
  const loaded = loadConfigFile(values.config!, { requireEnv: false });
  if (!loaded.ok) {
    for (const p of loaded.problems) println(io.stderr, formatProblem(p));
    return 1;
  }
  const wanted = values.route?.split(',').filter(Boolean);
  const now = (deps.now ?? Date.now)();
  const store = await openStore(loaded.config.storage);
  let rollups: RequestRollup[];
  try {
    // Whole five-minute steps only: a partial last step would read as a traffic drop.
    const to = Math.floor(now / STEP) * STEP;
    rollups = await store.queryRequestRollups({ tier: 'minute', from: to - historyMs, to });
  } finally {
    await store.close();
  }
  if (wanted) rollups = rollups.filter((r) => wanted.includes(r.route));
  const demands = routeDemands(rollups, horizonMs);
  if (demands.length === 0) {
    println(
      io.stderr,
      `nines capacity: no gateway requests recorded in the last ${values.history}; nothing to plan`,
    );
    return 0;
  }
  const plan = capacityPlan(demands, { replicaConcurrency, targetUtilization });
  if (values.json) {
    println(
      io.stdout,
      JSON.stringify(
        { horizon: values.horizon, history: values.history, replicaConcurrency, targetUtilization, ...plan },
        null,
        2,
      ),
    );
    return 0;
  }
  println(
    io.stdout,
    `capacity for the next ${values.horizon} (from ${values.history} of traffic; ${replicaConcurrency} concurrent requests per replica at ${Math.round(targetUtilization * 100)}% utilisation)`,
  );
  println(io.stdout, renderCapacityTable(plan, demands));
  return 0;
}
