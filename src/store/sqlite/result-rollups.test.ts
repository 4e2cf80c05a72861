/** The SQLite result-rollup write-back cache: reopening, late results, failed transactions. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { QuantileSketch } from '../../core/sketch.ts';
import { HOUR, MIN, T0, result } from '../conformance-fixtures.ts';
import { checkDayRollupsBackfill } from '../day-rollups-check.ts';
import type { RollupTier } from '../types.ts';
import { openSqliteStore, type SqliteStore } from './store.ts';

async function withFile(body: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-rollups-'));
  try {
    await body(join(dir, 'nines.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function open(path: string): Promise<SqliteStore> {
  const store = openSqliteStore({ path });
  await store.migrate();
  return store;
}

async function totals(store: SqliteStore, tier: RollupTier): Promise<[number, number, number][]> {
  const rows = await store.queryRollups({ from: 0, to: T0 + 10 * HOUR, tier });
  return rows.map((r) => [r.bucket, r.total, QuantileSketch.deserialize(r.latencySketch).count]);
}

test('sqlite rollups: a reopened store continues the open buckets it finds on disk', async () => {
  await withFile(async (path) => {
    const first = await open(path);
    await first.insertResults([result('a', T0, 10), result('a', T0 + 1000, 20)]);
    await first.close();
    const second = await open(path);
    await second.insertResults([result('a', T0 + 2000, 30)]);
    await second.insertResults([result('a', T0 + MIN, 40)]);
    assert.deepEqual(await totals(second, 'minute'), [
      [T0, 3, 3],
      [T0 + MIN, 1, 1],
    ]);
    assert.deepEqual(await totals(second, 'hour'), [[T0, 4, 4]]);
    await second.close();
  });
});

test('sqlite rollups: late results merge into their stored bucket', async () => {
  await withFile(async (path) => {
    const store = await open(path);
    await store.insertResults([result('a', T0, 10)]);
    await store.insertResults([result('a', T0 + 2 * HOUR, 10)]);
    await store.insertResults([result('a', T0 + 5, 10), result('a', T0 + HOUR, 10)]);
    await store.insertResults([result('a', T0 + 2 * HOUR + 5, 10)]);
    assert.deepEqual(await totals(store, 'hour'), [
      [T0, 2, 2],
      [T0 + HOUR, 1, 1],
      [T0 + 2 * HOUR, 2, 2],
    ]);
    await store.close();
  });
});

test('sqlite rollups: a failed batch leaves no trace in memory or on disk', async () => {
  await withFile(async (path) => {
    const store = await open(path);
    await store.insertResults([result('a', T0, 10)]);
    store.db.exec(
      `CREATE TRIGGER boom BEFORE INSERT ON probe_results WHEN NEW.target = 'boom'
       BEGIN SELECT RAISE(ABORT, 'boom'); END`,
    );
    await assert.rejects(store.insertResults([result('a', T0 + 1, 10), result('boom', T0, 1)]), /boom/);
    await store.insertResults([result('a', T0 + 2, 10)]);
    assert.deepEqual(await totals(store, 'minute'), [[T0, 2, 2]]);
    assert.deepEqual(await totals(store, 'day'), [[Date.UTC(2026, 0, 1), 2, 2]]);
    await store.close();
  });
});

test('sqlite rollups: a failed checkpoint loses nothing: the raw rows refill memory', async () => {
  await withFile(async (path) => {
    const store = await open(path);
    await store.insertResults([result('a', T0, 10), result('b', T0, 20)]);
    store.db.exec(
      `CREATE TRIGGER boom BEFORE INSERT ON minute_packs WHEN NEW.target = 'b'
       BEGIN SELECT RAISE(ABORT, 'boom'); END`,
    );
    await assert.rejects(totals(store, 'minute'), /boom/);
    store.db.exec('DROP TRIGGER boom');
    await store.insertResults([result('a', T0 + 1, 10)]);
    const rows = await store.queryRollups({ from: 0, to: T0 + HOUR, tier: 'minute' });
    assert.deepEqual(
      rows.map((r) => [r.target, r.total]),
      [
        ['a', 2],
        ['b', 1],
      ],
    );
    await store.close();
  });
});

test('sqlite rollups: after a crash, results not yet checkpointed are rolled up from the raw rows', async () => {
  await withFile(async (path) => {
    const first = await open(path);
    await first.insertResults([result('a', T0, 10), result('a', T0 + MIN, 20)]);
    assert.equal((await totals(first, 'minute')).length, 2); // a checkpoint
    await first.insertResults([result('a', T0 + 2 * MIN, 30), result('a', T0 + HOUR, 40)]);
    first.db.close(); // no checkpoint: the process died
    const second = await open(path);
    assert.deepEqual(await totals(second, 'hour'), [[T0, 2, 2]], 'a reader does not write');
    await second.insertResults([result('a', T0 + HOUR + 1, 50)]);
    assert.deepEqual(await totals(second, 'minute'), [
      [T0, 1, 1],
      [T0 + MIN, 1, 1],
      [T0 + 2 * MIN, 1, 1],
      [T0 + HOUR, 2, 2],
    ]);
    assert.deepEqual(await totals(second, 'hour'), [
      [T0, 3, 3],
      [T0 + HOUR, 2, 2],
    ]);
    await second.close();
  });
});

test('sqlite rollups: another connection sees every result once the writer checkpoints', async () => {
  await withFile(async (path) => {
    const writer = await open(path);
    const reader = await open(path);
    await writer.insertResults([result('a', T0, 10)]);
    assert.deepEqual(await totals(reader, 'minute'), [], 'held in the writer until a checkpoint');
    await writer.close();
    assert.deepEqual(await totals(reader, 'minute'), [[T0, 1, 1]]);
    await reader.close();
  });
});

test('sqlite rollups: retention empties the cache, so deleted buckets start afresh', async () => {
  await withFile(async (path) => {
    const store = await open(path);
    await store.insertResults([result('a', T0, 10)]);
    const policy = { rawMs: 0, minuteMs: 0, hourMs: 0, requestsMs: 0 };
    const deleted = await store.applyRetention(T0 + 10 * HOUR, policy);
    assert.equal(deleted.dayRollups, 1);
    await store.insertResults([result('a', T0 + 1, 10)]);
    assert.deepEqual(await totals(store, 'hour'), [[T0, 1, 1]]);
    await store.close();
  });
});

test('sqlite rollups: migration day_rollups folds stored hours into days', async () => {
  await withFile(async (path) => {
    const store = await open(path);
    await checkDayRollupsBackfill(store, async (sql) => store.db.exec(sql));
    await store.close();
  });
});

test('sqlite rollups: minute retention is exact inside an hour pack', async () => {
  await withFile(async (path) => {
    const store = await open(path);
    await store.insertResults([
      result('a', T0, 1),
      result('a', T0 + 10 * MIN, 2),
      result('a', T0 + 40 * MIN, 3),
    ]);
    await store.insertResults([result('b', T0 - HOUR, 1)]);
    const keep = 400 * 24 * HOUR;
    const policy = { rawMs: keep, minuteMs: 5 * MIN, hourMs: keep, requestsMs: keep };
    const deleted = await store.applyRetention(T0 + 25 * MIN, policy);
    assert.equal(deleted.minuteRollups, 3);
    const rows = await store.queryRollups({ from: 0, to: T0 + HOUR, tier: 'minute' });
    assert.deepEqual(
      rows.map((r) => [r.target, r.bucket]),
      [['a', T0 + 40 * MIN]],
    );
    await store.close();
  });
});
