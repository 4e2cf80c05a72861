/**
 * Test helper for migration `day_rollups` on either backend: writes results, forgets the day rows
 * and the migration, migrates again, and checks the backfilled rows equal the ones written live.
 */
import assert from 'node:assert/strict';
import { QuantileSketch } from '../core/sketch.ts';
import { HOUR, MIN, T0, result } from './conformance-fixtures.ts';
import type { ProbeResult, Rollup, Store } from './types.ts';

/** `exec` runs one SQL statement (no parameters) on the store's database. */
export async function checkDayRollupsBackfill(
  store: Store,
  exec: (sql: string) => Promise<unknown>,
): Promise<void> {
  const batch: ProbeResult[] = [];
  for (let m = -20 * 60; m < 50 * 60; m += 10) {
    for (const target of ['a', 'b']) {
      const failed = m % 130 === 0;
      batch.push(
        result(target, T0 + m * MIN, 40 + ((m + 1200) % 333), {
          outcome: failed ? 'failed' : 'ok',
          ...(failed ? { errorClass: 'timeout' as const } : {}),
          timings: { totalMs: 40, ...(target === 'a' ? { ttftMs: 7 + (m % 20) } : {}) },
        }),
      );
    }
  }
  await store.insertResults(batch);
  const range = { from: 0, to: T0 + 100 * HOUR, tier: 'day' as const };
  const live = await store.queryRollups(range);
  assert.equal(live.length, 8); // 2025-12-31 … 2026-01-03, two targets
  await exec("DELETE FROM rollups WHERE tier = 'day'");
  await exec('DELETE FROM schema_migrations WHERE id = 4');
  await store.migrate();
  const backfilled = await store.queryRollups(range);
  const view = (r: Rollup) => {
    const lat = QuantileSketch.deserialize(r.latencySketch);
    const ttft = QuantileSketch.deserialize(r.ttftSketch);
    return [
      r.target,
      r.bucket,
      r.total,
      r.ok,
      r.failed,
      r.ttftCount,
      r.errors,
      Math.round(r.latencySumMs * 1e6),
      [...lat.serialize()],
      [...ttft.serialize()],
    ];
  };
  assert.deepEqual(backfilled.map(view), live.map(view));
}
