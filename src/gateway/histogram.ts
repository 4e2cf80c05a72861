/**
 * A Prometheus histogram for the gateway's hot path. prom-client's `Histogram.observe` builds a
 * closure, validates the labels, hashes them into a string and counts into an object keyed by
 * bucket bounds turned into strings, on every request; here an observation is one Map lookup
 * under a key the caller already has, a short scan of the bounds and three additions. It is
 * registered on a prom-client `Registry` as a custom metric and exposed exactly as prom-client
 * exposes its own histograms (`_bucket` with `le` first, `_sum`, `_count`).
 */
import type { Registry } from 'prom-client';

interface Series<L extends string> {
  labels: Record<L, string>;
  /** Observations per bucket (not cumulative); the last slot is above every bound (+Inf). */
  counts: number[];
  sum: number;
  count: number;
}

/** One exposed sample, in the shape prom-client's registry formats. */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}

/** A histogram metric with labels `L` whose series are found by a caller-made key. */
export class FastHistogram<L extends string> {
  /** Read by prom-client's registry. */
  readonly type = 'histogram';
  /** Read by prom-client's cluster aggregation. */
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series<L>>();

  /**
   * `bounds` are the buckets' upper bounds, ascending; the histogram registers itself on each
   * of `registers`.
   */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registers: Registry[],
  ) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`${name}: bucket bounds must ascend`);
    }
    // Registry.registerMetric only stores the object and later calls get() and reset().
    for (const r of registers) r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /**
   * Counts `value` in the series `labels`; `key` must identify `labels` (they are taken on the
   * first use of a key). Values that are not finite numbers are ignored.
   */
  observe(key: string, labels: () => Record<L, string>, value: number): void {
    if (!Number.isFinite(value)) return;
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: labels(), counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  /** The metric as prom-client's registry reads it (cumulative buckets, then sum and count). */
  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.counts[i]!;
        values.push({
          labels: { le: this.bounds[i]! },
          sharedLabels: s.labels,
          value: acc,
          metricName: bucket,
        });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Forgets every series (prom-client's `registry.resetMetrics()` calls it). */
  reset(): void {
    this.series.clear();
  }
}
