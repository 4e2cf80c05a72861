/**
 * An in-memory series of good/total counts in fixed buckets, with prefix sums so any range is
 * two lookups. Used to evaluate many SLOs per cycle from pre-fetched rollups without a query
 * per range, and by tests and the benchmark as a stand-in for the store.
 */
import type { GoodTotal } from './types.ts';

/** Good/total counts per bucket from `startMs`, each `bucketMs` long. */
export class BucketedCounts {
  readonly startMs: number;
  readonly bucketMs: number;
  private readonly goodPrefix: Float64Array;
  private readonly totalPrefix: Float64Array;

  /** `good[i]` and `total[i]` count the events in [start + i·bucket, start + (i+1)·bucket). */
  constructor(startMs: number, bucketMs: number, good: ArrayLike<number>, total: ArrayLike<number>) {
    if (good.length !== total.length) throw new RangeError('good and total must have the same length');
    this.startMs = startMs;
    this.bucketMs = bucketMs;
    this.goodPrefix = new Float64Array(good.length + 1);
    this.totalPrefix = new Float64Array(total.length + 1);
    for (let i = 0; i < good.length; i++) {
      this.goodPrefix[i + 1] = this.goodPrefix[i]! + good[i]!;
      this.totalPrefix[i + 1] = this.totalPrefix[i]! + total[i]!;
    }
  }

  /** Number of buckets. */
  get length(): number {
    return this.goodPrefix.length - 1;
  }

  private index(t: number): number {
    const i = Math.ceil((t - this.startMs) / this.bucketMs);
    return Math.min(this.length, Math.max(0, i));
  }

  /** Counts of the buckets that start in [from, to) (ranges are rounded to bucket starts). */
  query(from: number, to: number): GoodTotal {
    const a = this.index(from);
    const b = this.index(to);
    if (b <= a) return { good: 0, total: 0 };
    return {
      good: this.goodPrefix[b]! - this.goodPrefix[a]!,
      total: this.totalPrefix[b]! - this.totalPrefix[a]!,
    };
  }
}
