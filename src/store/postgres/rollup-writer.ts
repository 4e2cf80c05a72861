/**
 * Merges a batch into its PostgreSQL rollup rows inside the caller's transaction. Safe with
 * several writers: missing rows are created empty first (ON CONFLICT DO NOTHING), then every row
 * of the batch is locked in key order (SELECT … FOR UPDATE), merged in the app, and written back.
 */
import type pg from 'pg';
import { QuantileSketch } from '../../core/sketch.ts';
import type { ProbeResult, RequestRecord } from '../types.ts';
import {
  aggregateRequests,
  aggregateResults,
  mergeRequestRow,
  mergeResultAcc,
  resultAccFromRow,
  type RequestAcc,
  type RequestRollupRow,
  type ResultAcc,
  type RollupRow,
} from '../rollup-agg.ts';

const EMPTY_SKETCH = Buffer.from(new QuantileSketch().serialize());

function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function byKey<T extends { tier: string; bucket: number }>(key: (a: T) => string): (a: T, b: T) => number {
  return (a, b) =>
    key(a) < key(b)
      ? -1
      : key(a) > key(b)
        ? 1
        : a.tier < b.tier
          ? -1
          : a.tier > b.tier
            ? 1
            : a.bucket - b.bucket;
}

/** Merges a batch of results into its minute and hour rollups (call inside a transaction). */
export async function writeResultRollups(
  client: pg.PoolClient,
  results: readonly ProbeResult[],
): Promise<void> {
  const accs = aggregateResults(results).sort(byKey((a: ResultAcc) => a.target));
  const keys = [accs.map((a) => a.target), accs.map((a) => a.tier), accs.map((a) => a.bucket)];
  await client.query(
    `INSERT INTO rollups (target, tier, bucket, total, ok, degraded, failed, latency_sum_ms, latency_sketch,
       ttft_count, ttft_sketch, errors)
     SELECT k.t, k.tr, k.b, 0, 0, 0, 0, 0, $4, 0, $4, '{}' FROM unnest($1::text[], $2::text[], $3::bigint[]) AS k(t, tr, b)
     ON CONFLICT DO NOTHING`,
    [...keys, EMPTY_SKETCH],
  );
  const stored = await client.query<RollupRow>(
    `SELECT r.* FROM rollups r JOIN unnest($1::text[], $2::text[], $3::bigint[]) AS k(t, tr, b)
       ON r.target = k.t AND r.tier = k.tr AND r.bucket = k.b
     ORDER BY r.target, r.tier, r.bucket FOR UPDATE OF r`,
    keys,
  );
  const index = new Map(accs.map((a) => [`${a.target}\u0000${a.tier}\u0000${a.bucket}`, a]));
  for (const row of stored.rows) {
    const acc = index.get(`${row.target}\u0000${row.tier}\u0000${Number(row.bucket)}`);
    if (acc) mergeResultAcc(acc, resultAccFromRow(row));
  }
  await client.query(
    `UPDATE rollups AS r SET total = v.total, ok = v.ok, degraded = v.degraded, failed = v.failed,
       latency_sum_ms = v.lsum, latency_sketch = v.lsk, ttft_count = v.tc, ttft_sketch = v.tsk, errors = v.errors
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::int[], $8::float8[],
       $9::bytea[], $10::int[], $11::bytea[], $12::text[])
       AS v(target, tier, bucket, total, ok, degraded, failed, lsum, lsk, tc, tsk, errors)
     WHERE r.target = v.target AND r.tier = v.tier AND r.bucket = v.bucket`,
    [
      ...keys,
      accs.map((a) => a.total),
      accs.map((a) => a.ok),
      accs.map((a) => a.degraded),
      accs.map((a) => a.failed),
      accs.map((a) => a.latencySumMs),
      accs.map((a) => blob(a.latency.serialize())),
      accs.map((a) => a.ttftCount),
      accs.map((a) => blob(a.ttft.serialize())),
      accs.map((a) => JSON.stringify(a.errors)),
    ],
  );
}

/** Merges a batch of request records into their rollups (call inside a transaction). */
export async function writeRequestRollups(
  client: pg.PoolClient,
  records: readonly RequestRecord[],
): Promise<void> {
  const accs = [...aggregateRequests(records).values()].sort(
    byKey((a: RequestAcc) => `${a.route}\u0000${a.deployment}`),
  );
  const keys = [
    accs.map((a) => a.route),
    accs.map((a) => a.deployment),
    accs.map((a) => a.tier),
    accs.map((a) => a.bucket),
  ];
  await client.query(
    `INSERT INTO request_rollups (route, deployment, tier, bucket, total, errors, latency_sum_ms, latency_sketch,
       ttft_count, ttft_sketch, input_tokens, output_tokens, failovers, cached)
     SELECT k.r, k.d, k.tr, k.b, 0, 0, 0, $5, 0, $5, 0, 0, 0, 0
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(r, d, tr, b)
     ON CONFLICT DO NOTHING`,
    [...keys, EMPTY_SKETCH],
  );
  const stored = await client.query<RequestRollupRow>(
    `SELECT q.* FROM request_rollups q JOIN unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(r, d, tr, b)
       ON q.route = k.r AND q.deployment = k.d AND q.tier = k.tr AND q.bucket = k.b
     ORDER BY q.route, q.deployment, q.tier, q.bucket FOR UPDATE OF q`,
    keys,
  );
  const index = new Map(
    accs.map((a) => [`${a.route}\u0000${a.deployment}\u0000${a.tier}\u0000${a.bucket}`, a]),
  );
  for (const row of stored.rows) {
    const acc = index.get(`${row.route}\u0000${row.deployment}\u0000${row.tier}\u0000${Number(row.bucket)}`);
    if (acc) mergeRequestRow(acc, row);
  }
  await client.query(
    `UPDATE request_rollups AS q SET total = v.total, errors = v.errors, latency_sum_ms = v.lsum,
       latency_sketch = v.lsk, ttft_count = v.tc, ttft_sketch = v.tsk, input_tokens = v.inp,
       output_tokens = v.outp, failovers = v.fo, cached = v.cached
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[], $7::float8[], $8::bytea[],
       $9::int[], $10::bytea[], $11::bigint[], $12::bigint[], $13::int[], $14::int[])
       AS v(route, deployment, tier, bucket, total, errors, lsum, lsk, tc, tsk, inp, outp, fo, cached)
     WHERE q.route = v.route AND q.deployment = v.deployment AND q.tier = v.tier AND q.bucket = v.bucket`,
    [
      ...keys,
      accs.map((a) => a.total),
      accs.map((a) => a.errors),
      accs.map((a) => a.latencySumMs),
      accs.map((a) => blob(a.latency.serialize())),
      accs.map((a) => a.ttftCount),
      accs.map((a) => blob(a.ttft.serialize())),
      accs.map((a) => a.inputTokens),
      accs.map((a) => a.outputTokens),
      accs.map((a) => a.failovers),
      accs.map((a) => a.cached),
    ],
  );
}
