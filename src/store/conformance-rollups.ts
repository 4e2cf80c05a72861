/** Store conformance cases for rollups: counts, sketches, buckets, batches, summaries. */
import assert from 'node:assert/strict';
import { QuantileSketch } from '../core/sketch.ts';
import {
  DAY,
  HOUR,
  MIN,
  T0,
  assertWithinAccuracy,
  exactQuantile,
  result,
  type WithStore,
} from './conformance-fixtures.ts';
import { summarizeWindow, windowParts } from './summarize-window.ts';
import type { ProbeResult, RollupSummary } from './types.ts';

/** Registers the rollup cases through `withStore`. */
export function rollupCases(withStore: WithStore): void {
  withStore('rollups count, sum and sketch across minute/hour buckets and batches', async (store) => {
    const latencies: number[] = [];
    const batch1: ProbeResult[] = [];
    const batch2: ProbeResult[] = [];
    // 90 minutes, 4 results a minute; each minute is split across the two batches.
    for (let m = 0; m < 90; m++) {
      for (let k = 0; k < 4; k++) {
        const latency = 50 + ((m * 7 + k * 13) % 400);
        latencies.push(latency);
        const failed = k === 3 && m % 10 === 0;
        const r = result('t1', T0 + m * MIN + k * 1000, latency, {
          outcome: failed ? 'failed' : k === 2 && m % 15 === 0 ? 'degraded' : 'ok',
          ...(failed ? { errorClass: m % 20 === 0 ? 'timeout' : 'http_5xx' } : {}),
          timings: { totalMs: latency, ...(k === 0 ? { ttftMs: latency / 2 } : {}) },
        });
        (k < 2 ? batch1 : batch2).push(r);
      }
    }
    await store.insertResults(batch1);
    await store.insertResults(batch2);
    await store.insertResults([result('t2', T0, 5)]);

    const minutes = await store.queryRollups({
      from: T0,
      to: T0 + 90 * MIN,
      tier: 'minute',
      targets: ['t1'],
    });
    assert.equal(minutes.length, 90);
    assert.deepEqual(
      minutes.map((r) => r.bucket),
      Array.from({ length: 90 }, (_, m) => T0 + m * MIN),
    );
    const first = minutes[0]!;
    assert.deepEqual(
      {
        total: first.total,
        ok: first.ok,
        degraded: first.degraded,
        failed: first.failed,
        ttft: first.ttftCount,
      },
      { total: 4, ok: 2, degraded: 1, failed: 1, ttft: 1 },
    );
    assert.deepEqual(first.errors, { timeout: 1 });
    assert.equal(QuantileSketch.deserialize(first.latencySketch).count, 4);

    const hours = await store.queryRollups({ from: T0, to: T0 + 2 * HOUR, tier: 'hour', targets: ['t1'] });
    assert.deepEqual(
      hours.map((h) => [h.bucket, h.total]),
      [
        [T0, 240],
        [T0 + HOUR, 120],
      ],
    );
    const sketch = new QuantileSketch();
    let total = 0;
    let failed = 0;
    let sum = 0;
    const errors: Record<string, number> = {};
    for (const h of hours) {
      sketch.mergeSerialized(h.latencySketch);
      total += h.total;
      failed += h.failed;
      sum += h.latencySumMs;
      for (const [k, v] of Object.entries(h.errors)) errors[k] = (errors[k] ?? 0) + v;
    }
    assert.equal(total, 360);
    assert.equal(failed, 9);
    assert.deepEqual(errors, { timeout: 5, http_5xx: 4 });
    assert.ok(Math.abs(sum - latencies.reduce((a, b) => a + b, 0)) < 1e-6);
    for (const q of [0.5, 0.95, 0.99])
      assertWithinAccuracy(sketch.quantile(q), exactQuantile(latencies, q), `p${q}`);

    const all = await store.queryRollups({ from: T0, to: T0 + HOUR, tier: 'hour' });
    assert.deepEqual(all.map((r) => r.target).sort(), ['t1', 't2']);
    assert.deepEqual(await store.queryRollups({ from: T0, to: T0 + HOUR, tier: 'hour', targets: [] }), []);
  });

  withStore('summarizeRollups folds each target like the rollups it covers', async (store) => {
    const batch: ProbeResult[] = [];
    for (let m = 0; m < 150; m++) {
      for (const target of ['b', 'a', 'c']) {
        const failed = m % 7 === 0;
        batch.push(
          result(target, T0 + m * MIN, 20 + ((m * 13) % 300), {
            outcome: failed ? 'failed' : 'ok',
            ...(failed ? { errorClass: m % 2 ? 'timeout' : 'http_5xx' } : {}),
            timings: { totalMs: 20, ...(target === 'a' ? { ttftMs: 5 + m } : {}) },
          }),
        );
      }
    }
    await store.insertResults(batch.slice(0, 200));
    await store.insertResults(batch.slice(200));
    const range = { from: T0 + HOUR, to: T0 + 3 * HOUR, tier: 'hour' as const };
    const summaries = await store.summarizeRollups({ ...range, targets: ['a', 'b', 'zz'] });
    assert.deepEqual(
      summaries.map((s) => [s.target, s.buckets, s.total]),
      [
        ['a', 2, 90],
        ['b', 2, 90],
      ],
    );
    const rollups = await store.queryRollups({ ...range, targets: ['a'] });
    const a = summaries[0]!;
    assert.equal(a.failed, rollups[0]!.failed + rollups[1]!.failed);
    assert.equal(a.ok, rollups[0]!.ok + rollups[1]!.ok);
    assert.equal(a.latencySumMs, rollups[0]!.latencySumMs + rollups[1]!.latencySumMs);
    assert.equal(a.ttftCount, 90);
    const errors = { timeout: 0, http_5xx: 0 };
    for (const r of rollups) for (const k of ['timeout', 'http_5xx'] as const) errors[k] += r.errors[k] ?? 0;
    assert.deepEqual(a.errors, Object.fromEntries(Object.entries(errors).filter(([, n]) => n > 0)));
    const whole = new QuantileSketch()
      .mergeSerialized(rollups[0]!.latencySketch)
      .mergeSerialized(rollups[1]!.latencySketch);
    const folded = QuantileSketch.deserialize(a.latencySketch);
    assert.equal(folded.count, 90);
    for (const q of [0.5, 0.95]) assert.equal(folded.quantile(q), whole.quantile(q));
    assert.equal(QuantileSketch.deserialize(a.ttftSketch).count, 90);
    assert.equal(QuantileSketch.deserialize(summaries[1]!.ttftSketch).count, 0);
    assert.deepEqual(
      (await store.summarizeRollups(range)).map((s) => s.target),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(await store.summarizeRollups({ ...range, from: T0 + 5 * HOUR, to: T0 + 6 * HOUR }), []);
    assert.deepEqual(await store.summarizeRollups({ ...range, targets: [] }), []);
  });

  withStore('a large batch is written whole', async (store) => {
    const batch: ProbeResult[] = [];
    for (let i = 0; i < 20_000; i++)
      batch.push(result(`t${i % 200}`, T0 + Math.floor(i / 200) * 1000, 10 + (i % 90)));
    await store.insertResults(batch);
    assert.equal((await store.queryResults({ from: T0, to: T0 + HOUR })).length, 20_000);
    const hours = await store.queryRollups({ from: T0, to: T0 + HOUR, tier: 'hour' });
    assert.equal(hours.length, 200);
    assert.equal(
      hours.reduce((n, h) => n + h.total, 0),
      20_000,
    );
    const minutes = await store.queryRollups({
      from: T0,
      to: T0 + HOUR,
      tier: 'minute',
      targets: ['t0', 't1'],
    });
    assert.deepEqual(
      minutes.map((m) => [m.target, m.total]),
      [
        ['t0', 60],
        ['t0', 40],
        ['t1', 60],
        ['t1', 40],
      ],
    );
  });

  withStore('day rollups fold the hours of each UTC day, late results included', async (store) => {
    const batches: ProbeResult[][] = [[], [], []];
    // Every 20 minutes from 12 h before T0 to 60 h after, two targets; a third of the results
    // arrive late, after newer buckets were written.
    for (let m = -12 * 60; m < 60 * 60; m += 20) {
      for (const target of ['a', 'b']) {
        const failed = m % 140 === 0;
        const r = result(target, T0 + m * MIN, 30 + (((m + 720) * 7) % 500), {
          outcome: failed ? 'failed' : 'ok',
          ...(failed ? { errorClass: 'timeout' as const } : {}),
          timings: { totalMs: 30, ...(target === 'a' ? { ttftMs: 10 + (m % 50) } : {}) },
        });
        batches[(m / 20) % 3 === 0 ? 2 : m < 24 * 60 ? 0 : 1]!.push(r);
      }
    }
    for (const b of batches) await store.insertResults(b);
    const all = { from: T0 - 2 * DAY, to: T0 + 4 * DAY };
    const days = await store.queryRollups({ ...all, tier: 'day', targets: ['a'] });
    const hours = await store.queryRollups({ ...all, tier: 'hour', targets: ['a'] });
    assert.deepEqual(
      days.map((d) => d.bucket),
      [0, 1, 2, 3].map((k) => Date.UTC(2026, 0, k)), // 2025-12-31 … 2026-01-03
    );
    for (const d of days) {
      const inDay = hours.filter((h) => h.bucket >= d.bucket && h.bucket < d.bucket + DAY);
      const sum = (f: (h: (typeof hours)[number]) => number) => inDay.reduce((n, h) => n + f(h), 0);
      assert.deepEqual(
        [d.total, d.ok, d.failed, d.ttftCount, d.errors.timeout ?? 0],
        [
          sum((h) => h.total),
          sum((h) => h.ok),
          sum((h) => h.failed),
          sum((h) => h.ttftCount),
          sum((h) => h.errors.timeout ?? 0),
        ],
      );
      const merged = new QuantileSketch();
      for (const h of inDay) merged.mergeSerialized(h.latencySketch);
      assert.deepEqual([...QuantileSketch.deserialize(d.latencySketch).serialize()], [...merged.serialize()]);
    }
    assert.equal(
      days.reduce((n, d) => n + d.total, 0),
      batches.reduce((n, b) => n + b.length, 0) / 2,
    );
  });

  withStore('summarizeWindow reads day rollups and equals the hour fold', async (store) => {
    const batch: ProbeResult[] = [];
    for (let m = -30 * 60; m < 80 * 60; m += 15) {
      for (const target of ['b', 'a', 'c']) {
        const failed = (m / 15) % 11 === 0;
        batch.push(
          result(target, T0 + m * MIN, 20 + ((m * 13 + 9000) % 900), {
            outcome: failed ? 'failed' : m % 45 === 0 ? 'degraded' : 'ok',
            ...(failed ? { errorClass: m % 2 ? 'timeout' : 'http_5xx' } : {}),
            timings: { totalMs: 20, ...(target !== 'b' ? { ttftMs: 5 + (m % 40) } : {}) },
          }),
        );
      }
    }
    for (let i = 0; i < batch.length; i += 500) await store.insertResults(batch.slice(i, i + 500));
    const windows = [
      { from: T0 - 25 * HOUR - 30 * MIN, to: T0 + 61 * HOUR + 7 * MIN }, // partial days at both ends
      { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 3) }, // whole days only
      { from: T0 + HOUR, to: T0 + 5 * HOUR }, // within one day
    ];
    for (const w of windows) {
      const expected = await store.summarizeRollups({ ...w, tier: 'hour', targets: ['a', 'b', 'zz'] });
      const actual = await summarizeWindow(store, { ...w, targets: ['a', 'b', 'zz'] });
      assert.deepEqual(
        actual.map((s) => s.target),
        ['a', 'b'],
      );
      actual.forEach((s, i) => assertSameSummary(s, expected[i]!));
    }
    assert.deepEqual(
      (await summarizeWindow(store, windows[0]!)).map((s) => s.target),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(await summarizeWindow(store, { from: T0 + 9 * DAY, to: T0 + 40 * DAY }), []);
    assert.deepEqual(windowParts(T0, T0), []);
  });
}

function assertSameSummary(actual: RollupSummary, expected: RollupSummary): void {
  const counts = (s: RollupSummary) => [s.target, s.total, s.ok, s.degraded, s.failed, s.ttftCount, s.errors];
  assert.deepEqual(counts(actual), counts(expected));
  assert.ok(Math.abs(actual.latencySumMs - expected.latencySumMs) < 1e-6);
  for (const [a, e] of [
    [actual.latencySketch, expected.latencySketch],
    [actual.ttftSketch, expected.ttftSketch],
  ] as const) {
    const sa = QuantileSketch.deserialize(a);
    const se = QuantileSketch.deserialize(e);
    assert.equal(sa.count, se.count);
    for (const q of [0, 0.5, 0.95, 0.99, 1]) assert.equal(sa.quantile(q), se.quantile(q));
  }
}
