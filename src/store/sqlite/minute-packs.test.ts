/** The minute-pack codec, the open pack's append/take-out paths, and migration 5 from minute rows. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { QuantileSketch } from '../../core/sketch.ts';
import { HOUR, MIN, T0, result } from '../conformance-fixtures.ts';
import { MIGRATIONS } from '../migrations.ts';
import { addResultTo, emptyResultAcc, type ResultAcc } from '../rollup-agg.ts';
import { migrateSqlite } from './migrate.ts';
import { accFromEntry, decodePack, encodeMinuteEntry, joinPack, splitPack } from './minute-packs.ts';
import { OpenMinutePack } from './open-minute-pack.ts';
import { registerRollupFunctions } from './rollup-writer.ts';
import { openSqliteStore } from './store.ts';

function acc(
  bucket: number,
  latencies: number[],
  extra: { failed?: boolean; ttft?: boolean } = {},
): ResultAcc {
  const a = emptyResultAcc('t', 'minute', bucket);
  for (const l of latencies) {
    addResultTo(
      a,
      result('t', bucket, l, {
        ...(extra.failed ? { outcome: 'failed' as const, errorClass: 'timeout' as const } : {}),
        timings: extra.ttft ? { totalMs: l, ttftMs: l / 2 } : { totalMs: l },
      }),
    );
  }
  return a;
}

test('minute packs: entries round trip, filtered by range, in minute order', () => {
  const a = acc(T0, [10, 20, 30], { ttft: true });
  const b = acc(T0 + 5 * MIN, [1000], { failed: true });
  const pack = joinPack([encodeMinuteEntry(a), encodeMinuteEntry(b)]);
  const all = decodePack('t', T0, pack, 0, Infinity);
  assert.deepEqual(
    all.map((r) => [r.bucket, r.total, r.ok, r.failed, r.ttftCount, r.latencySumMs, r.errors]),
    [
      [T0, 3, 3, 0, 3, 60, {}],
      [T0 + 5 * MIN, 1, 0, 1, 0, 1000, { timeout: 1 }],
    ],
  );
  assert.equal(QuantileSketch.deserialize(all[0]!.latencySketch).count, 3);
  assert.equal(QuantileSketch.deserialize(all[0]!.ttftSketch).quantile(1), 15);
  assert.deepEqual(
    decodePack('t', T0, pack, T0 + MIN, T0 + HOUR).map((r) => r.bucket),
    [T0 + 5 * MIN],
  );
  const back = accFromEntry('t', T0 + 5 * MIN, splitPack(T0, pack).get(T0 + 5 * MIN)!);
  assert.equal(back.failed, 1);
  assert.equal(back.latency.quantile(0.5), 1000);
});

test('minute packs: a corrupt or unknown pack is an error, not garbage', () => {
  const pack = joinPack([encodeMinuteEntry(acc(T0, [10]))]);
  assert.throws(() => decodePack('t', T0, pack.subarray(0, pack.length - 3), 0, Infinity), /corrupt/);
  assert.throws(() => decodePack('t', T0, Uint8Array.of(9, 0), 0, Infinity), /unknown minute pack format 9/);
});

test('open minute pack: appends new minutes and takes an encoded minute out to extend it', () => {
  const pack = OpenMinutePack.empty('t', T0);
  addResultTo(pack.acc(T0 + MIN).acc, result('t', T0 + MIN, 10));
  let bytes = pack.encode();
  assert.equal(pack.dirty, false);
  addResultTo(pack.acc(T0 + 3 * MIN).acc, result('t', T0 + 3 * MIN, 30)); // appended
  bytes = pack.encode();
  const extended = pack.acc(T0 + MIN); // the first minute again: taken out of the bytes
  assert.equal(extended.created, true);
  assert.equal(extended.acc.total, 1);
  addResultTo(extended.acc, result('t', T0 + MIN, 11));
  addResultTo(pack.acc(T0).acc, result('t', T0, 5)); // late, before everything
  bytes = pack.encode();
  assert.equal(pack.minutes, 3);
  assert.deepEqual(
    decodePack('t', T0, bytes, 0, Infinity).map((r) => [r.bucket, r.total]),
    [
      [T0, 1],
      [T0 + MIN, 2],
      [T0 + 3 * MIN, 1],
    ],
  );
  const reopened = OpenMinutePack.fromStored('t', T0, bytes);
  assert.equal(reopened.acc(T0 + 3 * MIN).acc.total, 1);
});

test('migration minute_packs moves row-per-minute rollups into packs, and the watermark to the newest result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-packs-'));
  try {
    const path = join(dir, 'nines.db');
    const db = new Database(path);
    registerRollupFunctions(db);
    migrateSqlite(db, T0, MIGRATIONS.slice(0, 4));
    const insert = db.prepare(
      `INSERT INTO rollups (target, tier, bucket, total, ok, degraded, failed, latency_sum_ms, latency_sketch,
         ttft_count, ttft_sketch, errors) VALUES (?, 'minute', ?, ?, ?, 0, ?, ?, ?, 0, ?, ?)`,
    );
    const sketch = (values: number[]) => {
      const s = new QuantileSketch();
      for (const v of values) s.add(v);
      return Buffer.from(s.serialize());
    };
    const empty = sketch([]);
    insert.run('a', T0, 2, 2, 0, 30, sketch([10, 20]), empty, '{}');
    insert.run('a', T0 + 59 * MIN, 1, 0, 1, 5, sketch([5]), empty, '{"timeout":1}');
    insert.run('a', T0 + HOUR, 1, 1, 0, 7, sketch([7]), empty, '{}');
    insert.run('b', T0 + 3 * MIN, 1, 1, 0, 9, sketch([9]), empty, '{}');
    db.prepare(
      "INSERT INTO probe_results (target, at, outcome, latency_ms, details) VALUES ('a', ?, 'ok', 1, '{}')",
    ).run(T0);
    db.close();

    const store = openSqliteStore({ path });
    await store.migrate();
    const minutes = await store.queryRollups({ from: 0, to: T0 + 2 * HOUR, tier: 'minute' });
    assert.deepEqual(
      minutes.map((r) => [r.target, r.bucket, r.total, r.failed, r.errors]),
      [
        ['a', T0, 2, 0, {}],
        ['a', T0 + 59 * MIN, 1, 1, { timeout: 1 }],
        ['a', T0 + HOUR, 1, 0, {}],
        ['b', T0 + 3 * MIN, 1, 0, {}],
      ],
    );
    assert.equal(QuantileSketch.deserialize(minutes[0]!.latencySketch).quantile(1), 20);
    const leftover = store.db.prepare("SELECT count(*) AS n FROM rollups WHERE tier = 'minute'").get();
    assert.deepEqual(leftover, { n: 0 });
    const watermark = store.db.prepare('SELECT raw_id FROM result_rollup_watermark').get();
    assert.deepEqual(watermark, { raw_id: 1 }, 'the raw row written before was already rolled up');
    await store.insertResults([result('a', T0 + 2 * MIN, 4)]);
    const after = await store.queryRollups({ from: T0, to: T0 + 3 * MIN, tier: 'minute', targets: ['a'] });
    assert.deepEqual(
      after.map((r) => [r.bucket, r.total]),
      [
        [T0, 2],
        [T0 + 2 * MIN, 1],
      ],
    );
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
