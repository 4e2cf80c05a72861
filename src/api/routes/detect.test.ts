import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { ManualClock } from '../../core/clock.ts';
import { DetectionRuntime } from '../../services/detection-runtime.ts';
import { minuteResults, openDetectionTestStore } from '../../services/detection-fixtures.ts';
import { handleApiError } from '../errors.ts';
import { detectRoutes } from './detect.ts';

const T0 = Date.UTC(2026, 10, 20);

test('anomaly and forecast routes return JSON; unknown targets are 404, bad metrics 400', async () => {
  const db = await openDetectionTestStore();
  try {
    await db.store.insertResults(minuteResults('a', T0, 30, (i) => 100 + i));
    const clock = new ManualClock(T0 + 30 * 60_000 + 10_000);
    const rt = new DetectionRuntime({
      store: db.store,
      clock,
      sql: db.sql,
      targets: () => [{ name: 'a', labels: {} }],
      log: (l) => assert.fail(l),
    });
    await rt.cycle(clock.now());
    const app = new Hono();
    app.onError(handleApiError);
    app.route('/', detectRoutes(rt));

    const a = await app.request('/targets/a/anomalies?from=-1h&metric=p95_latency_ms');
    assert.equal(a.status, 200);
    const body = (await a.json()) as { points: { at: number; value: number; score: number }[] };
    assert.equal(body.points.length, 30);
    assert.deepEqual(Object.keys(body.points[0]!), ['at', 'value', 'score']);

    const f = await app.request('/targets/a/forecast?metric=p95_latency_ms&steps=10');
    assert.equal(f.status, 200);
    const fb = (await f.json()) as { metric: string; points: { at: number; lo: number; hi: number }[] };
    assert.equal(fb.metric, 'p95_latency_ms');
    assert.equal(fb.points.length, 10);
    assert.ok(fb.points[0]!.lo <= fb.points[0]!.hi);

    assert.equal((await app.request('/targets/nope/anomalies')).status, 404);
    assert.equal((await app.request('/targets/nope/forecast')).status, 404);
    const bad = await app.request('/targets/a/forecast?metric=cpu');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /metric/);
    assert.equal((await app.request('/targets/a/forecast?steps=0')).status, 400);
  } finally {
    await db.close();
  }
});
