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

test('sqlite rollups: a failed batch leaves no trace in the cached buckets', async () => {
  await withFile(async (path) => {
    const store = await open(path);
    await store.insertResults([result('a', T0, 10)]);
    store.db.exec(
      `CREATE TRIGGER boom BEFORE INSERT ON rollups WHEN NEW.target = 'boom'
       BEGIN SELECT RAISE(ABORT, 'boom'); END`,
    );
    await assert.rejects(store.insertResults([result('a', T0 + 1, 10), result('boom', T0, 1)]), /boom/);
    await store.insertResults([result('a', T0 + 2, 10)]);
    assert.deepEqual(await totals(store, 'minute'), [[T0, 2, 2]]);
    assert.deepEqual(await totals(store, 'day'), [[Date.UTC(2026, 0, 1), 2, 2]]);
    await store.close();
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
