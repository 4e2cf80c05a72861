/**
 * Result rollups for the SQLite store, written back from memory: the open (latest) minute, hour
 * and day accumulator of every target stays in memory, so a batch merges into it and writes each
 * touched row once, without reading or decoding the stored sketch. Valid because the store is the
 * only writer of its file. Accumulators are loaded lazily (the latest stored row per target and
 * tier, on first touch); late results (an older bucket than the open one) read their row back.
 * A failed transaction or a retention run clears the cache, so it never holds uncommitted or
 * deleted data.
 */
import type Database from 'better-sqlite3';
import { QuantileSketch } from '../../core/sketch.ts';
import { aggregateResults, mergeResultAcc, resultAccFromRow } from '../rollup-agg.ts';
import type { ResultAcc, RollupRow } from '../rollup-agg.ts';
import type { ProbeResult } from '../types.ts';
import { MultiRowInsert } from './multi-insert.ts';

const EMPTY_SKETCH = Buffer.from(new QuantileSketch().serialize());

function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** What is known of one (target, tier): its latest stored bucket, if any. */
interface OpenBucket {
  acc: ResultAcc | undefined;
}

/** Writes result rollups with an in-memory write-back cache of open buckets. */
export class SqliteResultRollups {
  private readonly open = new Map<string, OpenBucket>();
  private readonly write: MultiRowInsert;
  private readonly latest: Database.Statement;
  private readonly one: Database.Statement;

  constructor(db: Database.Database) {
    this.write = new MultiRowInsert(
      db,
      `INSERT INTO rollups (target, tier, bucket, total, ok, degraded, failed, latency_sum_ms,
         latency_sketch, ttft_count, ttft_sketch, errors) VALUES`,
      12,
      // An update in place (not REPLACE's delete + insert) leaves the (tier, bucket) index alone.
      `ON CONFLICT (target, tier, bucket) DO UPDATE SET total = excluded.total, ok = excluded.ok,
         degraded = excluded.degraded, failed = excluded.failed, latency_sum_ms = excluded.latency_sum_ms,
         latency_sketch = excluded.latency_sketch, ttft_count = excluded.ttft_count,
         ttft_sketch = excluded.ttft_sketch, errors = excluded.errors`,
    );
    this.latest = db.prepare(
      'SELECT * FROM rollups WHERE target = ? AND tier = ? ORDER BY bucket DESC LIMIT 1',
    );
    this.one = db.prepare('SELECT * FROM rollups WHERE target = ? AND tier = ? AND bucket = ?');
  }

  /**
   * Merges a batch into its minute, hour and day rollups (call inside the batch's transaction;
   * call `invalidate()` if that transaction fails).
   */
  writeResults(results: readonly ProbeResult[]): void {
    // Oldest bucket first, so each (target, tier) sees its buckets in order within the batch.
    const accs = aggregateResults(results).sort((a, b) => a.bucket - b.bucket);
    const rows: unknown[][] = [];
    for (const acc of accs) rows.push(toRow(this.merge(acc)));
    this.write.run(rows);
  }

  /** Forgets every cached bucket (after a failed transaction or deletions). */
  invalidate(): void {
    this.open.clear();
  }

  /** The stored state of `acc`'s row with `acc` added (updating the cache). */
  private merge(acc: ResultAcc): ResultAcc {
    const key = `${acc.tier}\u0000${acc.target}`;
    let open = this.open.get(key);
    if (!open) {
      const row = this.latest.get(acc.target, acc.tier) as RollupRow | undefined;
      open = { acc: row ? resultAccFromRow(row) : undefined };
      this.open.set(key, open);
    }
    const cur = open.acc;
    if (cur && cur.bucket === acc.bucket) {
      mergeResultAcc(cur, acc);
      return cur;
    }
    if (!cur || acc.bucket > cur.bucket) {
      // Newer than anything stored for this target and tier: the row does not exist yet.
      open.acc = acc;
      return acc;
    }
    // A late result for an older bucket: read it back (not cached).
    const row = this.one.get(acc.target, acc.tier, acc.bucket) as RollupRow | undefined;
    if (row) {
      const stored = resultAccFromRow(row);
      mergeResultAcc(stored, acc);
      return stored;
    }
    return acc;
  }
}

function toRow(acc: ResultAcc): unknown[] {
  return [
    acc.target,
    acc.tier,
    acc.bucket,
    acc.total,
    acc.ok,
    acc.degraded,
    acc.failed,
    acc.latencySumMs,
    blob(acc.latency.serialize()),
    acc.ttftCount,
    acc.ttftCount > 0 ? blob(acc.ttft.serialize()) : EMPTY_SKETCH,
    JSON.stringify(acc.errors),
  ];
}
