/**
 * In-memory aggregation of a batch into minute and hour rollups, shared by both backends: a batch
 * is folded into one accumulator per (key, tier, bucket) first, then each accumulator is merged
 * with the stored row (if any) and written back with a single upsert.
 */
import { QuantileSketch } from '../core/sketch.ts';
import { addResultCounts } from './summary.ts';
import type { ProbeResult, RequestRecord, RequestRollup, Rollup, RollupTier } from './types.ts';

/** Bucket width of each rollup tier, in ms. */
export const TIER_MS: Record<RollupTier, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Every tier a probe result write updates (`day` serves long-window reports cheaply). */
export const RESULT_TIERS: readonly RollupTier[] = ['minute', 'hour', 'day'];

/** Every tier a request record write updates (request rollups have no `day` tier). */
export const TIERS: readonly RollupTier[] = ['minute', 'hour'];

/** Start of the bucket of `tier` that contains `at`. */
export function bucketOf(at: number, tier: RollupTier): number {
  const w = TIER_MS[tier];
  return Math.floor(at / w) * w;
}

/** A result rollup being built: like `Rollup`, with live sketches. */
export interface ResultAcc extends Omit<Rollup, 'latencySketch' | 'ttftSketch' | 'errors'> {
  latency: QuantileSketch;
  ttft: QuantileSketch;
  errors: Record<string, number>;
}

/** A request rollup being built: like `RequestRollup`, with live sketches. */
export interface RequestAcc extends Omit<RequestRollup, 'latencySketch' | 'ttftSketch'> {
  latency: QuantileSketch;
  ttft: QuantileSketch;
}

/**
 * Folds a batch of results into one accumulator per (target, tier, bucket): results into minute
 * buckets first, then minute buckets into hour buckets, and hours into days (so each latency is
 * bucketed once). Output order: minutes, then each target's hours and days.
 */
export function aggregateResults(results: readonly ProbeResult[]): ResultAcc[] {
  const minutes = new Map<string, Map<number, ResultAcc>>();
  const out: ResultAcc[] = [];
  for (const r of results) {
    let byBucket = minutes.get(r.target);
    if (!byBucket) minutes.set(r.target, (byBucket = new Map()));
    const bucket = bucketOf(r.at, 'minute');
    let acc = byBucket.get(bucket);
    if (!acc) {
      acc = emptyResultAcc(r.target, 'minute', bucket);
      byBucket.set(bucket, acc);
      out.push(acc);
    }
    addResultTo(acc, r);
  }
  for (const byBucket of minutes.values()) {
    const hours = foldInto(byBucket.values(), 'hour', out);
    foldInto(hours.values(), 'day', out);
  }
  return out;
}

/** Counts one result into an accumulator (of any tier). */
export function addResultTo(acc: ResultAcc, r: ProbeResult): void {
  const ttft = r.timings.ttftMs;
  addResultBinned(
    acc,
    r,
    QuantileSketch.binOf(r.latencyMs),
    ttft === undefined ? 0 : QuantileSketch.binOf(ttft),
  );
}

/**
 * `addResultTo` with the sketch bins of the result's latency and TTFT already computed
 * (`QuantileSketch.binOf`), for adding one result to several tiers.
 */
export function addResultBinned(acc: ResultAcc, r: ProbeResult, latencyBin: number, ttftBin: number): void {
  acc.total++;
  if (r.outcome === 'ok') acc.ok++;
  else if (r.outcome === 'degraded') acc.degraded++;
  else {
    acc.failed++;
    const cls = r.errorClass ?? 'internal';
    acc.errors[cls] = (acc.errors[cls] ?? 0) + 1;
  }
  acc.latencySumMs += r.latencyMs;
  acc.latency.addIndexed(r.latencyMs, latencyBin);
  const ttft = r.timings.ttftMs;
  if (ttft !== undefined) {
    acc.ttftCount++;
    acc.ttft.addIndexed(ttft, ttftBin);
  }
}

/** Folds finer accumulators (one target's) into buckets of `tier`, appending new ones to `out`. */
function foldInto(finer: Iterable<ResultAcc>, tier: RollupTier, out: ResultAcc[]): Map<number, ResultAcc> {
  const coarser = new Map<number, ResultAcc>();
  for (const f of finer) {
    const bucket = bucketOf(f.bucket, tier);
    let acc = coarser.get(bucket);
    if (!acc) {
      acc = emptyResultAcc(f.target, tier, bucket);
      coarser.set(bucket, acc);
      out.push(acc);
    }
    mergeResultAcc(acc, f);
  }
  return coarser;
}

/** An empty accumulator for one result rollup bucket. */
export function emptyResultAcc(target: string, tier: RollupTier, bucket: number): ResultAcc {
  return {
    target,
    tier,
    bucket,
    total: 0,
    ok: 0,
    degraded: 0,
    failed: 0,
    latencySumMs: 0,
    latency: new QuantileSketch(),
    ttftCount: 0,
    ttft: new QuantileSketch(),
    errors: {},
  };
}

/** Adds `from` (a batch accumulator, or a stored row read back) into `into`. */
export function mergeResultAcc(into: ResultAcc, from: ResultAcc): void {
  addResultCounts(into, from);
  into.latency.merge(from.latency);
  into.ttft.merge(from.ttft);
}

/** Columns of a stored result rollup row, as either driver returns them. */
export interface RollupRow {
  target: string;
  tier: string;
  bucket: number | string;
  total: number;
  ok: number;
  degraded: number;
  failed: number;
  latency_sum_ms: number;
  latency_sketch: Uint8Array;
  ttft_count: number;
  ttft_sketch: Uint8Array;
  errors: string;
}

/** Reads a stored row as an accumulator (decoding its sketches). */
export function resultAccFromRow(row: RollupRow): ResultAcc {
  return resultAccFromRollup(rollupFromRow(row));
}

/** A public `Rollup` as an accumulator (decoding its sketches). */
export function resultAccFromRollup(r: Rollup): ResultAcc {
  const acc = emptyResultAcc(r.target, r.tier, r.bucket);
  acc.total = r.total;
  acc.ok = r.ok;
  acc.degraded = r.degraded;
  acc.failed = r.failed;
  acc.latencySumMs = r.latencySumMs;
  acc.latency.mergeSerialized(r.latencySketch);
  acc.ttftCount = r.ttftCount;
  acc.ttft.mergeSerialized(r.ttftSketch);
  acc.errors = { ...r.errors } as Record<string, number>;
  return acc;
}

/** A stored row as the public `Rollup` (sketches stay serialised; the driver's Buffers are used as they are). */
export function rollupFromRow(row: RollupRow): Rollup {
  return {
    target: row.target,
    tier: row.tier as RollupTier,
    bucket: Number(row.bucket),
    total: row.total,
    ok: row.ok,
    degraded: row.degraded,
    failed: row.failed,
    latencySumMs: row.latency_sum_ms,
    latencySketch: row.latency_sketch,
    ttftCount: row.ttft_count,
    ttftSketch: row.ttft_sketch,
    errors: JSON.parse(row.errors) as Rollup['errors'],
  };
}

function requestKey(route: string, deployment: string, tier: RollupTier, bucket: number): string {
  return `${route}\u0000${deployment}\u0000${tier}\u0000${bucket}`;
}

/** Folds a batch of request records into one accumulator per (route, deployment, tier, bucket). */
export function aggregateRequests(records: readonly RequestRecord[]): Map<string, RequestAcc> {
  const out = new Map<string, RequestAcc>();
  for (const r of records) {
    const deployment = r.deployment ?? '';
    for (const tier of TIERS) {
      const bucket = bucketOf(r.at, tier);
      const key = requestKey(r.route, deployment, tier, bucket);
      let acc = out.get(key);
      if (!acc) {
        acc = emptyRequestAcc(r.route, deployment, tier, bucket);
        out.set(key, acc);
      }
      acc.total++;
      if (r.outcome === 'error') acc.errors++;
      acc.latencySumMs += r.latencyMs;
      acc.latency.add(r.latencyMs);
      if (r.ttftMs !== undefined) {
        acc.ttftCount++;
        acc.ttft.add(r.ttftMs);
      }
      acc.inputTokens += r.inputTokens ?? 0;
      acc.outputTokens += r.outputTokens ?? 0;
      acc.failovers += r.failovers;
      if (r.cached) acc.cached++;
    }
  }
  return out;
}

/** An empty accumulator for one request rollup bucket. */
export function emptyRequestAcc(
  route: string,
  deployment: string,
  tier: RollupTier,
  bucket: number,
): RequestAcc {
  return {
    route,
    deployment,
    tier,
    bucket,
    total: 0,
    errors: 0,
    latencySumMs: 0,
    latency: new QuantileSketch(),
    ttftCount: 0,
    ttft: new QuantileSketch(),
    inputTokens: 0,
    outputTokens: 0,
    failovers: 0,
    cached: 0,
  };
}

/** Columns of a stored request rollup row. */
export interface RequestRollupRow {
  route: string;
  deployment: string;
  tier: string;
  bucket: number | string;
  total: number;
  errors: number;
  latency_sum_ms: number;
  latency_sketch: Uint8Array;
  ttft_count: number;
  ttft_sketch: Uint8Array;
  input_tokens: number | string;
  output_tokens: number | string;
  failovers: number;
  cached: number;
}

/** Adds a stored request rollup row into a batch accumulator. */
export function mergeRequestRow(into: RequestAcc, row: RequestRollupRow): void {
  into.total += row.total;
  into.errors += row.errors;
  into.latencySumMs += row.latency_sum_ms;
  into.latency.mergeSerialized(row.latency_sketch);
  into.ttftCount += row.ttft_count;
  into.ttft.mergeSerialized(row.ttft_sketch);
  into.inputTokens += Number(row.input_tokens);
  into.outputTokens += Number(row.output_tokens);
  into.failovers += row.failovers;
  into.cached += row.cached;
}

/** A stored request rollup row as the public `RequestRollup`. */
export function requestRollupFromRow(row: RequestRollupRow): RequestRollup {
  return {
    route: row.route,
    deployment: row.deployment,
    tier: row.tier as RollupTier,
    bucket: Number(row.bucket),
    total: row.total,
    errors: row.errors,
    latencySumMs: row.latency_sum_ms,
    latencySketch: row.latency_sketch,
    ttftCount: row.ttft_count,
    ttftSketch: row.ttft_sketch,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    failovers: row.failovers,
    cached: row.cached,
  };
}
