/**
 * Result rollups for the SQLite store, kept in memory and written at checkpoints (the "head
 * block" of a time-series database). Each batch of results is folded into in-memory minute,
 * hour and day accumulators right after its raw rows commit; `checkpoint()` writes every changed
 * one (the minute tier as one pack per target and hour, `minute-packs.ts`; hour and day as rows
 * of `rollups`) and records the id of the last raw result they include (the watermark).
 *
 * - **Readers see everything:** the store checkpoints before every rollup read, and on its own
 *   every `CHECKPOINT_EVERY_MS` or `MAX_DIRTY` changed buckets, and on close. Another process
 *   reading the same file sees rollups at most one checkpoint behind the raw rows.
 * - **Nothing is lost on a crash:** the raw rows are the log. Results with an id above the
 *   watermark are folded in again by `recover()` (run before the first write, and after a failed
 *   transaction).
 * - **Single writer:** the cache assumes this store is the only writer of its file.
 * - Stored state is read only for a bucket older than the newest one known on disk (late
 *   results, a restart mid-hour); newer buckets start empty without a read.
 */
import type Database from 'better-sqlite3';
import { QuantileSketch } from '../../core/sketch.ts';
import { addResultBinned, bucketOf, emptyResultAcc, resultAccFromRow } from '../rollup-agg.ts';
import type { ResultAcc, RollupRow } from '../rollup-agg.ts';
import { resultFromRow, type ResultRow } from '../rows.ts';
import type { ProbeResult, RollupTier } from '../types.ts';
import { packHour } from './minute-packs.ts';
import { MultiRowInsert } from './multi-insert.ts';
import { OpenMinutePack } from './open-minute-pack.ts';

/** Checkpoint at least this often while results arrive (bounds what other readers miss). */
export const CHECKPOINT_EVERY_MS = 10_000;
/** Checkpoint when this many packs and rows have changed (bounds memory). */
export const MAX_DIRTY = 200_000;
/** Checkpoint when this many minute accumulators are held unencoded (bounds memory). */
export const MAX_LIVE_MINUTES = 50_000;

const EMPTY_SKETCH = Buffer.from(new QuantileSketch().serialize());
const RECOVER_CHUNK = 20_000;

function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An hour or day bucket in memory. */
interface CachedRow {
  acc: ResultAcc;
  dirty: boolean;
}

/** What is cached of one tier of one target. */
interface Slot<T> {
  /** Newest bucket (pack hour for minutes) stored on disk; -Infinity when none. */
  latestStored: number;
  open: Map<number, T>;
  /** The bucket the last result went to (valid while `gen` is the cache's generation). */
  curBucket: number;
  curAcc: ResultAcc | undefined;
  gen: number;
}

/** Everything cached of one target. */
interface Head {
  minute: Slot<OpenMinutePack>;
  hour: Slot<CachedRow>;
  day: Slot<CachedRow>;
}

function slot<T>(latest: number | null): Slot<T> {
  return { latestStored: latest ?? -Infinity, open: new Map(), curBucket: NaN, curAcc: undefined, gen: -1 };
}

/** The in-memory head of the result rollups, and its checkpoints. */
export class SqliteResultRollups {
  private readonly heads = new Map<string, Head>();
  /** Bumped by every checkpoint and invalidation: `Slot.cur*` of older generations are stale. */
  private gen = 0;
  private dirty = 0;
  private liveMinutes = 0;
  /** Id of the last raw result folded into memory. */
  private mergedThrough = 0;
  private recovered = false;
  /** Set by the first write: only a writer rolls up raw rows it finds after the watermark. */
  private writer = false;
  private lastCheckpoint: number;
  private readonly writePacks: MultiRowInsert;
  private readonly writeRows: MultiRowInsert;
  private readonly stmts: Record<
    'latestRow' | 'oneRow' | 'latestPack' | 'onePack' | 'watermark' | 'setWatermark' | 'rawAfter',
    Database.Statement
  >;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    this.lastCheckpoint = now();
    this.writePacks = new MultiRowInsert(
      db,
      'INSERT INTO minute_packs (target, hour, minutes, data) VALUES',
      4,
      'ON CONFLICT (target, hour) DO UPDATE SET minutes = excluded.minutes, data = excluded.data',
    );
    this.writeRows = new MultiRowInsert(
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
    this.stmts = {
      latestRow: db.prepare('SELECT max(bucket) AS b FROM rollups WHERE target = ? AND tier = ?'),
      oneRow: db.prepare('SELECT * FROM rollups WHERE target = ? AND tier = ? AND bucket = ?'),
      latestPack: db.prepare('SELECT max(hour) AS b FROM minute_packs WHERE target = ?'),
      onePack: db.prepare('SELECT data FROM minute_packs WHERE target = ? AND hour = ?'),
      watermark: db.prepare('SELECT raw_id FROM result_rollup_watermark WHERE id = 1'),
      setWatermark: db.prepare('UPDATE result_rollup_watermark SET raw_id = ? WHERE id = 1'),
      rawAfter: db.prepare('SELECT * FROM probe_results WHERE id > ? ORDER BY id LIMIT ?'),
    };
  }

  /** True when changes wait in memory (or, for a writer, in raw rows not yet folded in). */
  get pending(): boolean {
    return this.dirty > 0 || (this.writer && !this.recovered);
  }

  /** True when a checkpoint is due (enough changes, or long enough since the last one). */
  get due(): boolean {
    return (
      this.dirty >= MAX_DIRTY ||
      this.liveMinutes >= MAX_LIVE_MINUTES ||
      (this.dirty > 0 && this.now() - this.lastCheckpoint >= CHECKPOINT_EVERY_MS)
    );
  }

  /**
   * Folds raw results committed after the last checkpoint back into memory (after a restart or a
   * failed transaction); call inside a transaction, then checkpoint. No-op once done.
   */
  recover(): void {
    if (this.recovered) return;
    const row = this.stmts.watermark.get() as { raw_id: number } | undefined;
    let after = row?.raw_id ?? 0;
    this.mergedThrough = after;
    for (;;) {
      const raw = this.stmts.rawAfter.all(after, RECOVER_CHUNK) as (ResultRow & { id: number })[];
      if (raw.length === 0) break;
      after = raw[raw.length - 1]!.id;
      this.add(raw.map(resultFromRow), after);
    }
    this.recovered = true;
  }

  /** Folds a committed batch into memory; `lastRawId` is the id of its last raw row. */
  add(results: readonly ProbeResult[], lastRawId: number): void {
    this.writer = true;
    for (const r of results) {
      const head = this.head(r.target);
      const lat = QuantileSketch.binOf(r.latencyMs);
      const ttft = r.timings.ttftMs === undefined ? 0 : QuantileSketch.binOf(r.timings.ttftMs);
      addResultBinned(this.minuteAcc(r.target, head.minute, bucketOf(r.at, 'minute')), r, lat, ttft);
      addResultBinned(this.rowAcc(r.target, 'hour', head.hour, bucketOf(r.at, 'hour')), r, lat, ttft);
      addResultBinned(this.rowAcc(r.target, 'day', head.day, bucketOf(r.at, 'day')), r, lat, ttft);
    }
    this.mergedThrough = lastRawId;
  }

  /** Writes every changed pack and row and the watermark (call inside a transaction). */
  checkpoint(): void {
    if (this.dirty > 0) {
      const packs: unknown[][] = [];
      const rows: unknown[][] = [];
      for (const [target, head] of this.heads) {
        for (const [hour, pack] of head.minute.open) {
          if (pack.dirty) packs.push([target, hour, pack.minutes, blob(pack.encode())]);
        }
        for (const row of head.hour.open.values()) if (row.dirty) rows.push(toRow(row.acc));
        for (const row of head.day.open.values()) if (row.dirty) rows.push(toRow(row.acc));
      }
      this.writePacks.run(packs);
      this.writeRows.run(rows);
    }
    this.stmts.setWatermark.run(this.mergedThrough);
    // Only now is it stored: mark clean, and keep just each slot's newest bucket.
    for (const head of this.heads.values()) {
      settle(head.minute, () => undefined); // encode() left each written pack clean
      settle(head.hour, (r) => (r.dirty = false));
      settle(head.day, (r) => (r.dirty = false));
    }
    this.gen++;
    this.dirty = 0;
    this.liveMinutes = 0;
    this.lastCheckpoint = this.now();
  }

  /** Forgets everything in memory (after a failed transaction or deletions); `recover()` refills it. */
  invalidate(): void {
    this.heads.clear();
    this.gen++;
    this.dirty = 0;
    this.liveMinutes = 0;
    this.recovered = false;
  }

  private head(target: string): Head {
    let head = this.heads.get(target);
    if (!head) {
      const latest = (stmt: Database.Statement, ...args: unknown[]) =>
        (stmt.get(...args) as { b: number | null }).b;
      head = {
        minute: slot(latest(this.stmts.latestPack, target)),
        hour: slot(latest(this.stmts.latestRow, target, 'hour')),
        day: slot(latest(this.stmts.latestRow, target, 'day')),
      };
      this.heads.set(target, head);
    }
    return head;
  }

  /** The live accumulator of a minute bucket (loading or creating its pack). */
  private minuteAcc(target: string, s: Slot<OpenMinutePack>, bucket: number): ResultAcc {
    if (s.gen === this.gen && s.curBucket === bucket) return s.curAcc!;
    const hour = packHour(bucket);
    let pack = s.open.get(hour);
    if (!pack) {
      const stored =
        hour <= s.latestStored
          ? (this.stmts.onePack.get(target, hour) as { data: Uint8Array } | undefined)
          : undefined;
      pack = stored
        ? OpenMinutePack.fromStored(target, hour, stored.data)
        : OpenMinutePack.empty(target, hour);
      s.open.set(hour, pack);
    }
    const wasDirty = pack.dirty;
    const { acc, created } = pack.acc(bucket);
    if (!wasDirty && pack.dirty) this.dirty++;
    if (created) this.liveMinutes++;
    s.gen = this.gen;
    s.curBucket = bucket;
    s.curAcc = acc;
    return acc;
  }

  /** The live accumulator of an hour or day bucket (reading its stored row only for old buckets). */
  private rowAcc(target: string, tier: RollupTier, s: Slot<CachedRow>, bucket: number): ResultAcc {
    if (s.gen === this.gen && s.curBucket === bucket) return s.curAcc!;
    let row = s.open.get(bucket);
    if (!row) {
      const stored =
        bucket <= s.latestStored
          ? (this.stmts.oneRow.get(target, tier, bucket) as RollupRow | undefined)
          : undefined;
      row = { acc: stored ? resultAccFromRow(stored) : emptyResultAcc(target, tier, bucket), dirty: false };
      s.open.set(bucket, row);
    }
    if (!row.dirty) {
      row.dirty = true;
      this.dirty++;
    }
    s.gen = this.gen;
    s.curBucket = bucket;
    s.curAcc = row.acc;
    return row.acc;
  }
}

/** Marks a slot's buckets stored and drops all but the newest (which later results extend). */
function settle<T>(slot: Slot<T>, clean: (t: T) => void): void {
  let newest = -Infinity;
  for (const b of slot.open.keys()) if (b > newest) newest = b;
  for (const [b, t] of slot.open) {
    if (b === newest) clean(t);
    else slot.open.delete(b);
  }
  if (newest > slot.latestStored) slot.latestStored = newest;
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
