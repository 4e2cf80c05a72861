/** The report service on a real SQLite file: counts, percentiles and availability per window. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SKETCH_ALPHA } from '../core/sketch.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/store.ts';
import type { ProbeResult } from '../store/types.ts';
import { createReportService } from './reports.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** 2026-03-05T13:00Z: windows end on an hour, but not on a day. */
const NOW = Date.UTC(2026, 2, 5, 13);

/** Results every 5 minutes for 4 days before NOW; 'b' fails 1 in 10 and is slower. */
function results(): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (let at = NOW - 4 * DAY; at < NOW; at += 5 * MIN) {
    const k = (at - (NOW - 4 * DAY)) / (5 * MIN);
    for (const target of ['a', 'b']) {
      const latency = target === 'a' ? 100 + (k % 100) : 300 + ((k * 7) % 400);
      const failed = target === 'b' && k % 10 === 0;
      out.push({
        target,
        at,
        outcome: failed ? 'failed' : 'ok',
        latencyMs: latency,
        timings: { totalMs: latency, ttftMs: latency / 2 },
        ...(failed ? { errorClass: 'timeout' as const } : {}),
      });
    }
  }
  return out;
}

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

async function withStore(body: (store: SqliteStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-reports-'));
  const store = openSqliteStore({ path: join(dir, 'nines.db') });
  try {
    await store.migrate();
    await body(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('reports: 3-day and 1-hour windows count results and percentiles of their range', async () => {
  await withStore(async (store) => {
    const all = results();
    for (let i = 0; i < all.length; i += 1000) await store.insertResults(all.slice(i, i + 1000));
    await store.insertEvents([
      { target: 'b', at: NOW - 4 * DAY, from: 'unknown', to: 'up', reason: 'first result' },
      { target: 'b', at: NOW - 30 * HOUR, from: 'up', to: 'down', reason: 'timeouts' },
      { target: 'b', at: NOW - 27 * HOUR, from: 'down', to: 'up', reason: 'recovered' },
    ]);
    const service = createReportService({ store, targetNames: () => ['a', 'b', 'never'] });
    for (const windowMs of [3 * DAY, HOUR]) {
      const reports = await service.targetReports(windowMs, NOW);
      assert.deepEqual(
        reports.map((r) => r.target),
        ['a', 'b', 'never'],
      );
      for (const r of reports.slice(0, 2)) {
        const inWindow = all.filter((x) => x.target === r.target && x.at >= NOW - windowMs && x.at < NOW);
        assert.equal(r.checks, inWindow.length, `${r.target} ${windowMs}`);
        assert.equal(r.failures, inWindow.filter((x) => x.outcome === 'failed').length);
        assert.equal(
          r.resultAvailability,
          inWindow.filter((x) => x.outcome === 'ok').length / inWindow.length,
        );
        const lat = inWindow.map((x) => x.latencyMs);
        for (const [got, q] of [
          [r.latencyP50Ms, 0.5],
          [r.latencyP95Ms, 0.95],
          [r.latencyP99Ms, 0.99],
        ] as const) {
          const want = exactQuantile(lat, q);
          assert.ok(
            Math.abs(got! - want) <= want * SKETCH_ALPHA + 0.05,
            `${r.target} p${q}: ${got} vs ${want}`,
          );
        }
        const ttft = exactQuantile(
          inWindow.map((x) => x.timings.ttftMs!),
          0.95,
        );
        assert.ok(Math.abs(r.ttftP95Ms! - ttft) <= ttft * SKETCH_ALPHA + 0.05);
      }
      const never = reports[2]!;
      assert.deepEqual([never.checks, never.latencyP95Ms, never.resultAvailability], [0, null, null]);
    }
    const [, b] = await service.targetReports(3 * DAY, NOW, ['a', 'b']);
    assert.equal(b!.downtimeMs, 3 * HOUR);
    assert.ok(Math.abs(b!.availability! - (1 - 3 / 72)) < 1e-9);
  });
});
