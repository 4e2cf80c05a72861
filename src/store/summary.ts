/**
 * Folding rollups into per-target summaries in the application: the PostgreSQL path, and the
 * reference the conformance suite checks both backends against.
 */
import { QuantileSketch } from '../core/sketch.ts';
import type { Rollup, RollupSummary } from './types.ts';

/** A summary of nothing for `target`: zero counts, empty sketches. */
function emptySummary(target: string): RollupSummary {
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

/** A summary being folded: counts in `s`, sketches live until `finishFold`. */
export interface SummaryFold {
  s: RollupSummary;
  latency: QuantileSketch;
  ttft: QuantileSketch;
}

/** An empty fold for `target`. */
export function newFold(target: string): SummaryFold {
  return { s: emptySummary(target), latency: new QuantileSketch(), ttft: new QuantileSketch() };
}

/** What a rollup and a summary have in common: counts, serialised sketches, error counts. */
type Counts = Pick<
  Rollup,
  | 'total'
  | 'ok'
  | 'degraded'
  | 'failed'
  | 'latencySumMs'
  | 'latencySketch'
  | 'ttftCount'
  | 'ttftSketch'
  | 'errors'
>;

/** The plain counts every result rollup, summary and accumulator has (sketches aside). */
export type ResultCounts = Pick<
  Rollup,
  'total' | 'ok' | 'degraded' | 'failed' | 'latencySumMs' | 'ttftCount'
> & {
  errors: Partial<Record<string, number>>;
};

/** Adds the plain counts of `from` into `into`; the caller merges the sketches. */
export function addResultCounts(into: ResultCounts, from: ResultCounts): void {
  into.total += from.total;
  into.ok += from.ok;
  into.degraded += from.degraded;
  into.failed += from.failed;
  into.latencySumMs += from.latencySumMs;
  into.ttftCount += from.ttftCount;
  for (const [cls, n] of Object.entries(from.errors)) into.errors[cls] = (into.errors[cls] ?? 0) + (n ?? 0);
}

/** Adds a rollup or a summary (standing for `buckets` rollup rows) into a fold. */
export function addToFold(f: SummaryFold, r: Counts, buckets: number): void {
  f.s.buckets += buckets;
  addResultCounts(f.s, r);
  f.latency.mergeSerialized(r.latencySketch);
  if (r.ttftCount > 0) f.ttft.mergeSerialized(r.ttftSketch);
}

/** The folded summary, its sketches serialised. */
export function finishFold(f: SummaryFold): RollupSummary {
  f.s.latencySketch = f.latency.serialize();
  f.s.ttftSketch = f.ttft.serialize();
  return f.s;
}

/** Sorts summaries by target name (`<` order, the same on both backends). */
export function byTarget(a: RollupSummary, b: RollupSummary): number {
  return a.target < b.target ? -1 : a.target > b.target ? 1 : 0;
}

/** Folds rollups (any order) into one summary per target, sorted by target. */
export function foldRollups(rollups: readonly Rollup[]): RollupSummary[] {
  const folds = new Map<string, SummaryFold>();
  for (const r of rollups) {
    let f = folds.get(r.target);
    if (!f) folds.set(r.target, (f = newFold(r.target)));
    addToFold(f, r, 1);
  }
  return [...folds.values()].map(finishFold).sort(byTarget);
}
