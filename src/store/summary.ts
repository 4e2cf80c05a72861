/**
 * Folding rollups into per-target summaries in the application: the PostgreSQL path, and the
 * reference the conformance suite checks both backends against.
 */
import { QuantileSketch } from '../core/sketch.ts';
import type { Rollup, RollupSummary } from './types.ts';

/** A summary of nothing for `target`: zero counts, empty sketches. */
export function emptySummary(target: string): RollupSummary {
  return {
    target,
    buckets: 0,
    total: 0,
    ok: 0,
    degraded: 0,
    failed: 0,
    latencySumMs: 0,
    latencySketch: new Uint8Array(0),
    ttftCount: 0,
    ttftSketch: new Uint8Array(0),
    errors: {},
  };
}

/** Folds rollups (any order) into one summary per target, sorted by target. */
export function foldRollups(rollups: readonly Rollup[]): RollupSummary[] {
  const acc = new Map<string, { s: RollupSummary; lat: QuantileSketch; ttft: QuantileSketch }>();
  for (const r of rollups) {
    let a = acc.get(r.target);
    if (!a) {
      a = {
        s: emptySummary(r.target),
        lat: new QuantileSketch(),
        ttft: new QuantileSketch(),
      };
      acc.set(r.target, a);
    }
    const s = a.s;
    s.buckets++;
    s.total += r.total;
    s.ok += r.ok;
    s.degraded += r.degraded;
    s.failed += r.failed;
    s.latencySumMs += r.latencySumMs;
    a.lat.mergeSerialized(r.latencySketch);
    s.ttftCount += r.ttftCount;
    if (r.ttftCount > 0) a.ttft.mergeSerialized(r.ttftSketch);
    for (const [k, n] of Object.entries(r.errors)) {
      const cls = k as keyof RollupSummary['errors'];
      s.errors[cls] = (s.errors[cls] ?? 0) + (n ?? 0);
    }
  }
  return [...acc.values()]
    .map(({ s, lat, ttft }) => ({ ...s, latencySketch: lat.serialize(), ttftSketch: ttft.serialize() }))
    .sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}
