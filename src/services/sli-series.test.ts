import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../store/sqlite/store.ts';
import type { ProbeResult } from '../store/types.ts';
import type { SliSelector } from '../slo/types.ts';
import { SliSeriesCache } from './sli-series.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1);

function result(target: string, at: number, outcome: ProbeResult['outcome'], latencyMs: number): ProbeResult {
  return { target, at, outcome, latencyMs, timings: { totalMs: latencyMs, ttftMs: latencyMs / 2 } };
}

test('SLI series: counts good/total per minute from rollups, incrementally, per SLI kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-sli-'));
  const store = openSqliteStore({ path: join(dir, 's.db') });
  await store.migrate();
  try {
    // minute 0: 3 ok fast, 1 failed; minute 1: 2 ok slow (3 s); other target ignored
    await store.insertResults([
      result('a', T0 + 1000, 'ok', 100),
      result('a', T0 + 2000, 'ok', 200),
      result('a', T0 + 3000, 'ok', 300),
      result('a', T0 + 4000, 'failed', 5000),
      result('a', T0 + MIN + 1000, 'ok', 3000),
      result('a', T0 + MIN + 2000, 'degraded', 3000),
      result('b', T0 + 1000, 'failed', 10),
    ]);
    const availability: SliSelector = {
      source: 'probe',
      targets: ['a'],
      kind: 'availability',
      excludeMaintenance: false,
    };
    const latency: SliSelector = {
      source: 'probe',
      targets: ['a'],
      kind: 'latency',
      thresholdMs: 1000,
      excludeMaintenance: false,
    };
    const maintained: SliSelector = { ...availability, excludeMaintenance: true };
    const cache = new SliSeriesCache({
      store,
      targetsOf: (sel) => (sel.source === 'probe' ? [...(sel.targets ?? [])] : []),
      spanMs: 3 * 86_400_000,
      maintenance: () => [[T0 + MIN, T0 + 2 * MIN]],
    });
    await cache.refresh([availability, latency, maintained], T0 + 2 * MIN);
    assert.deepEqual(cache.query(availability, T0, T0 + 2 * MIN), { good: 5, total: 6 });
    assert.deepEqual(cache.query(availability, T0 + MIN, T0 + 2 * MIN), { good: 2, total: 2 });
    assert.deepEqual(cache.query(latency, T0, T0 + 2 * MIN), { good: 3, total: 6 });
    assert.deepEqual(
      cache.query(maintained, T0, T0 + 2 * MIN),
      { good: 3, total: 4 },
      'maintenance minute left out',
    );

    // a later refresh picks up new results, including ones in the last (partial) minute
    await store.insertResults([
      result('a', T0 + MIN + 30_000, 'failed', 100),
      result('a', T0 + 2 * MIN + 5000, 'ok', 50),
    ]);
    await cache.refresh([availability, latency], T0 + 3 * MIN);
    assert.deepEqual(cache.query(availability, T0, T0 + 3 * MIN), { good: 6, total: 8 });
    assert.deepEqual(cache.query({ ...availability, targets: ['zzz'] }, T0, T0 + 3 * MIN), {
      good: 0,
      total: 0,
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
