/**
 * Writes request rollups to SQLite inside the caller's transaction (result rollups: see
 * `result-rollups.ts`): the batch is
 * aggregated in memory (one row per key, tier and bucket), then written with multi-row upserts.
 * On conflict with a stored row, SQLite adds the counters itself and calls the `nines_sketch_merge`
 * / `nines_counts_merge` functions registered here to merge the sketches and error counts, so no
 * row is read back into JavaScript.
 */
import type Database from 'better-sqlite3';
import { QuantileSketch } from '../../core/sketch.ts';
import { aggregateRequests } from '../rollup-agg.ts';
import type { RequestRecord } from '../types.ts';
import { MultiRowInsert } from './multi-insert.ts';

const EMPTY_SKETCH = Buffer.from(new QuantileSketch().serialize());

function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Merges two serialised sketches (the SQL function `nines_sketch_merge`). */
function mergeSketchBlobs(stored: Uint8Array, added: Uint8Array): Uint8Array {
  if (added.length <= EMPTY_SKETCH.length && Buffer.compare(added, EMPTY_SKETCH) === 0) return stored;
  if (stored.length <= EMPTY_SKETCH.length && Buffer.compare(stored, EMPTY_SKETCH) === 0) return added;
  return blob(QuantileSketch.deserialize(stored).mergeSerialized(added).serialize());
}

/** Adds two JSON objects of counts (the SQL function `nines_counts_merge`). */
function mergeCounts(stored: string, added: string): string {
  if (added === '{}') return stored;
  if (stored === '{}') return added;
  const out = JSON.parse(stored) as Record<string, number>;
  for (const [k, n] of Object.entries(JSON.parse(added) as Record<string, number>))
    out[k] = (out[k] ?? 0) + n;
  return JSON.stringify(out);
}

/**
 * Registers the SQL functions rollups use (once per connection): `nines_sketch_merge(a, b)` and
 * `nines_counts_merge(a, b)` for upserts, and the aggregates `nines_sketch_agg(sketch)` and
 * `nines_counts_agg(json)` (NULLs skipped) for `summarizeRollups`.
 */
export function registerRollupFunctions(db: Database.Database): void {
  db.aggregate('nines_sketch_agg', {
    start: () => new QuantileSketch(),
    step: (acc: QuantileSketch, bytes: unknown) => {
      if (bytes instanceof Uint8Array) acc.mergeSerialized(bytes);
    },
    result: (acc: QuantileSketch) => blob(acc.serialize()),
  });
  db.aggregate('nines_counts_agg', {
    start: () => ({}) as Record<string, number>,
    step: (acc: Record<string, number>, json: unknown) => {
      if (typeof json !== 'string' || json === '{}') return;
      for (const [k, n] of Object.entries(JSON.parse(json) as Record<string, number>))
        acc[k] = (acc[k] ?? 0) + n;
    },
    result: (acc: Record<string, number>) => JSON.stringify(acc),
  });
  db.function('nines_sketch_merge', { deterministic: true }, (a, b) =>
    mergeSketchBlobs(a as Uint8Array, b as Uint8Array),
  );
  db.function('nines_counts_merge', { deterministic: true }, (a, b) => mergeCounts(String(a), String(b)));
}

/** Request rollup upserts for one SQLite database (its functions must be registered first). */
export class SqliteRollupWriter {
  private readonly upsertRequestRollups: MultiRowInsert;

  constructor(db: Database.Database) {
    this.upsertRequestRollups = new MultiRowInsert(
      db,
      `INSERT INTO request_rollups (route, deployment, tier, bucket, total, errors, latency_sum_ms, latency_sketch,
         ttft_count, ttft_sketch, input_tokens, output_tokens, failovers, cached) VALUES`,
      14,
      `ON CONFLICT (route, deployment, tier, bucket) DO UPDATE SET total = total + excluded.total,
         errors = errors + excluded.errors, latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,
         latency_sketch = nines_sketch_merge(latency_sketch, excluded.latency_sketch),
         ttft_count = ttft_count + excluded.ttft_count,
         ttft_sketch = nines_sketch_merge(ttft_sketch, excluded.ttft_sketch),
         input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
         failovers = failovers + excluded.failovers, cached = cached + excluded.cached`,
    );
  }

  /** Merges a batch of request records into their rollups (call inside a transaction). */
  writeRequests(records: readonly RequestRecord[]): void {
    const rows: unknown[][] = [];
    for (const acc of aggregateRequests(records).values()) {
      rows.push([
        acc.route,
        acc.deployment,
        acc.tier,
        acc.bucket,
        acc.total,
        acc.errors,
        acc.latencySumMs,
        blob(acc.latency.serialize()),
        acc.ttftCount,
        acc.ttftCount > 0 ? blob(acc.ttft.serialize()) : EMPTY_SKETCH,
        acc.inputTokens,
        acc.outputTokens,
        acc.failovers,
        acc.cached,
      ]);
    }
    this.upsertRequestRollups.run(rows);
  }
}
