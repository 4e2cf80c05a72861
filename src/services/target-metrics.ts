/**
 * Current metric values per target over a trailing window (default 5 minutes), computed from the
 * minute rollups: the `metric` signals threshold alert rules read and the dashboard shows.
 * Metrics: p50_latency_ms, p95_latency_ms, p99_latency_ms, ttft_p95_ms, error_rate, checks.
 */
import { QuantileSketch } from '../core/sketch.ts';
import type { MetricSignal } from '../alert/signals.ts';
import type { Store } from '../store/types.ts';

/** The metric names computed, for docs and validation. */
export const TARGET_METRICS = [
  'p50_latency_ms',
  'p95_latency_ms',
  'p99_latency_ms',
  'ttft_p95_ms',
  'error_rate',
  'checks',
] as const;

/** Computes the metric signals of the given targets over [now - windowMs, now). */
export async function targetMetricSignals(
  store: Store,
  targets: readonly { name: string; labels: Record<string, string> }[],
  now: number,
  windowMs = 5 * 60_000,
): Promise<MetricSignal[]> {
  if (targets.length === 0) return [];
  const rollups = await store.queryRollups({
    tier: 'minute',
    from: now - windowMs,
    to: now + 1,
    targets: targets.map((t) => t.name),
  });
  const agg = new Map<string, { total: number; failed: number; lat: QuantileSketch; ttft: QuantileSketch }>();
  for (const r of rollups) {
    let a = agg.get(r.target);
    if (!a)
      agg.set(r.target, (a = { total: 0, failed: 0, lat: new QuantileSketch(), ttft: new QuantileSketch() }));
    a.total += r.total;
    a.failed += r.failed;
    a.lat.mergeSerialized(r.latencySketch);
    if (r.ttftCount > 0) a.ttft.mergeSerialized(r.ttftSketch);
  }
  const out: MetricSignal[] = [];
  for (const t of targets) {
    const a = agg.get(t.name);
    if (!a || a.total === 0) continue;
    const push = (metric: string, value: number) => {
      if (Number.isFinite(value)) out.push({ target: t.name, metric, value, labels: t.labels });
    };
    push('checks', a.total);
    push('error_rate', a.failed / a.total);
    push('p50_latency_ms', a.lat.quantile(0.5));
    push('p95_latency_ms', a.lat.quantile(0.95));
    push('p99_latency_ms', a.lat.quantile(0.99));
    if (a.ttft.count > 0) push('ttft_p95_ms', a.ttft.quantile(0.95));
  }
  return out;
}
