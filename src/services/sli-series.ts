/**
 * Per-minute good/total counts of each SLI, kept in memory and refreshed incrementally from the
 * store's minute rollups, so evaluating many SLOs every cycle costs array sums, not queries.
 * Latency and TTFT SLIs count "good" from the rollups' sketches (values at or below the threshold,
 * within the sketch's 1% accuracy).
 */
import { QuantileSketch } from '../core/sketch.ts';
import type { GoodTotal, SliSelector } from '../slo/types.ts';
import type { RequestRollup, Rollup, Store } from '../store/types.ts';

const MINUTE = 60_000;

/** The counts an SLI reads from one rollup, whether of probe results or of gateway requests. */
interface RollupCounts {
  total: number;
  /** Events that were available (ok or degraded results; requests without an error). */
  available: number;
  /** Events that passed every assertion (correctness); requests count as available. */
  correct: number;
  failed: number;
  latencySketch: Uint8Array;
  ttftCount: number;
  ttftSketch: Uint8Array;
}

function below(sketch: Uint8Array, thresholdMs: number | undefined): number {
  return QuantileSketch.deserialize(sketch).countAtOrBelow(thresholdMs ?? Infinity);
}

/** Good/total of an SLI from one rollup's counts and sketches. */
function goodTotal(sel: SliSelector, c: RollupCounts): GoodTotal {
  switch (sel.kind) {
    case 'availability':
      return { good: c.available, total: c.total };
    case 'correctness':
      return { good: c.correct, total: c.total };
    case 'latency':
      return { good: Math.min(c.available, below(c.latencySketch, sel.thresholdMs)), total: c.total };
    case 'ttft':
      return {
        good: c.ttftCount > 0 ? below(c.ttftSketch, sel.thresholdMs) : 0,
        total: c.ttftCount + c.failed,
      };
  }
}

/** The good/total of one probe rollup for an SLI. */
export function probeGoodTotal(sel: SliSelector, r: Rollup): GoodTotal {
  return goodTotal(sel, { ...r, available: r.ok + r.degraded, correct: r.ok });
}

/** The good/total of one gateway request rollup for an SLI. */
export function requestGoodTotal(sel: SliSelector, r: RequestRollup): GoodTotal {
  const available = r.total - r.errors;
  return goodTotal(sel, { ...r, available, correct: available, failed: r.errors });
}

interface Series {
  selector: SliSelector;
  /** Minute index (ms / 60 000) of slot 0. */
  startMinute: number;
  good: Float64Array;
  total: Float64Array;
  /** Ms up to which rollups were loaded (the last minute is re-read, it may have been partial). */
  loadedTo: number;
}

/** Options of the cache. */
export interface SliSeriesOptions {
  store: Store;
  /** The target names a probe selector covers (by names and/or labels). */
  targetsOf: (selector: SliSelector) => string[];
  /** How far back each series reaches (the longest SLO period plus slack). */
  spanMs: number;
  /** Spans to leave out of selectors with excludeMaintenance (planned maintenance). */
  maintenance?: (from: number, to: number) => [number, number][];
}

/** Selector → stable key. */
function keyOf(sel: SliSelector): string {
  return JSON.stringify(sel);
}

/** The in-memory SLI series; `refresh` before evaluating, then `query` synchronously. */
export class SliSeriesCache {
  private readonly series = new Map<string, Series>();

  constructor(private readonly options: SliSeriesOptions) {}

  /** Loads what is new since the last refresh for each selector (all of the span the first time). */
  async refresh(selectors: readonly SliSelector[], now: number): Promise<void> {
    const span = Math.ceil(this.options.spanMs / MINUTE);
    const nowMinute = Math.floor(now / MINUTE);
    const wanted = new Set<string>();
    for (const sel of selectors) {
      const key = keyOf(sel);
      wanted.add(key);
      let s = this.series.get(key);
      if (!s || nowMinute - s.startMinute >= s.good.length) {
        s = {
          selector: sel,
          startMinute: nowMinute - span + 1,
          good: new Float64Array(span + 1440),
          total: new Float64Array(span + 1440),
          loadedTo: (nowMinute - span + 1) * MINUTE,
        };
        this.series.set(key, s);
      }
      const from = Math.max(s.startMinute * MINUTE, s.loadedTo - MINUTE);
      await this.load(s, Math.floor(from / MINUTE) * MINUTE, now + 1);
      s.loadedTo = now;
    }
    for (const key of [...this.series.keys()]) if (!wanted.has(key)) this.series.delete(key);
  }

  private async load(s: Series, from: number, to: number): Promise<void> {
    const sel = s.selector;
    const a = Math.floor(from / MINUTE) - s.startMinute;
    const b = Math.min(s.good.length, Math.ceil(to / MINUTE) - s.startMinute);
    s.good.fill(0, Math.max(0, a), Math.max(0, b));
    s.total.fill(0, Math.max(0, a), Math.max(0, b));
    const add = (bucket: number, gt: GoodTotal) => {
      const i = Math.floor(bucket / MINUTE) - s.startMinute;
      if (i < 0 || i >= s.good.length) return;
      s.good[i]! += gt.good;
      s.total[i]! += gt.total;
    };
    if (sel.source === 'probe') {
      const targets = this.options.targetsOf(sel);
      if (targets.length === 0) return;
      for (const r of await this.options.store.queryRollups({ tier: 'minute', from, to, targets }))
        add(r.bucket, probeGoodTotal(sel, r));
    } else {
      for (const r of await this.options.store.queryRequestRollups({
        tier: 'minute',
        from,
        to,
        route: sel.route,
      }))
        add(r.bucket, requestGoodTotal(sel, r));
    }
    if (sel.excludeMaintenance && this.options.maintenance) {
      for (const [ms, me] of this.options.maintenance(from, to)) {
        const i0 = Math.max(0, Math.floor(ms / MINUTE) - s.startMinute);
        const i1 = Math.min(s.good.length, Math.ceil(me / MINUTE) - s.startMinute);
        s.good.fill(0, i0, Math.max(i0, i1));
        s.total.fill(0, i0, Math.max(i0, i1));
      }
    }
  }

  /** Good/total of the minutes that start in [from, to); zero for unknown selectors. */
  query(sel: SliSelector, from: number, to: number): GoodTotal {
    const s = this.series.get(keyOf(sel));
    if (!s) return { good: 0, total: 0 };
    const a = Math.max(0, Math.ceil(from / MINUTE) - s.startMinute);
    const b = Math.min(s.good.length, Math.ceil(to / MINUTE) - s.startMinute);
    let good = 0;
    let total = 0;
    for (let i = a; i < b; i++) {
      good += s.good[i]!;
      total += s.total[i]!;
    }
    return { good, total };
  }
}
