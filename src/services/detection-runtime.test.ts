import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.ts';
import { sqlAnomalyScores } from '../store/records/anomalies.ts';
import { DetectionRuntime } from './detection-runtime.ts';
import { limitsFromSlos } from './detection-limits.ts';
import { minuteResults, openDetectionTestStore } from './detection-fixtures.ts';
import type { CauseTarget } from './detection-causes.ts';

const T0 = Date.UTC(2026, 10, 20, 0, 0);
const MIN = 60_000;
const noise = (i: number) => 100 + 8 * Math.sin(i * 1.7) + 4 * Math.cos(i * 0.3);

test('a level shift scores high at the shift, is stored, signalled and named as a probable cause', async () => {
  const db = await openDetectionTestStore();
  try {
    const shift = 240;
    await db.store.insertResults([
      ...minuteResults('a', T0, shift + 10, (i) => (i < shift ? noise(i) : 400 + noise(i) / 10)),
      ...minuteResults('b', T0, shift + 10, noise),
      ...minuteResults('c', T0, shift + 10, noise),
    ]);
    const targets: CauseTarget[] = [
      { name: 'a', labels: { provider: 'openai' } },
      { name: 'b', labels: { provider: 'openai' } },
      { name: 'c', labels: { provider: 'anthropic' } },
    ];
    const clock = new ManualClock(T0 + shift * MIN + 10_000);
    const logs: string[] = [];
    const rt = new DetectionRuntime({
      store: db.store,
      clock,
      sql: db.sql,
      targets: () => targets,
      log: (l) => logs.push(l),
      recentEvents: (from, to) =>
        [
          { kind: 'config_reload', timestampMs: T0 + (shift - 2) * MIN, description: 'config reloaded' },
        ].filter((e) => e.timestampMs >= from && e.timestampMs < to),
    });
    await rt.cycle(clock.now()); // warm-up: minutes [0, shift)
    assert.equal(rt.seriesCount(), 9); // 3 targets × latency, error rate, checks (no TTFT)
    const before = rt
      .signals(clock.now())
      .anomalies.find((s) => s.target === 'a' && s.metric === 'p95_latency_ms');
    assert.ok(before && before.score < 0.3, `quiet before the shift: ${before?.score}`);

    clock.advance(MIN);
    await rt.cycle(clock.now()); // the shift minute
    const sig = rt
      .signals(clock.now())
      .anomalies.find((s) => s.target === 'a' && s.metric === 'p95_latency_ms');
    assert.ok(sig && sig.score > 0.5, `high at the shift: ${sig?.score}`);
    assert.deepEqual(sig.labels, { provider: 'openai' });

    const stored = await rt.anomalies('a', T0 + shift * MIN, T0 + (shift + 1) * MIN, 'p95_latency_ms');
    assert.equal(stored.length, 1);
    assert.ok(stored[0]!.score > 0.5 && stored[0]!.value > 350);
    // Warm-up scores were stored too (within the last day), once.
    assert.equal((await rt.anomalies('a', T0, T0 + shift * MIN, 'p95_latency_ms')).length, shift);

    await db.store.insertEvents([
      { target: 'c', at: T0 + (shift - 5) * MIN, from: 'up', to: 'degraded', reason: 'slow' },
    ]);
    targets[0]!.state = 'down';
    targets[1]!.state = 'degraded';
    const causes = await rt.findCauses({
      labels: { target: 'a', alertname: 'latency' },
      openedAt: T0 + (shift + 3) * MIN,
    });
    const names = causes.map((c) => c.cause);
    assert.ok(names.includes('provider=openai'), names.join(', '));
    assert.ok(names.includes('a p95_latency_ms'), names.join(', '));
    assert.ok(!names.includes('provider=anthropic'));
    assert.ok(names.includes('config_reload: config reloaded'), names.join(', '));
    assert.ok(names.includes('state_degraded: c up → degraded (slow)'), names.join(', '));
    assert.deepEqual(logs, []);
  } finally {
    await db.close();
  }
});

test('a rising p95 yields a forecast crossing of the latency SLO; retention deletes old scores', async () => {
  const db = await openDetectionTestStore();
  try {
    await db.store.insertResults(minuteResults('a', T0, 300, (i) => 100 + 2 * i + (i % 3)));
    const targets = [{ name: 'a', labels: { provider: 'openai' } }];
    const slos = [
      {
        name: 'lat',
        selector: {
          source: 'probe' as const,
          targets: ['a'],
          kind: 'latency' as const,
          thresholdMs: 715,
          excludeMaintenance: false,
        },
        objective: 99,
        window: { type: 'rolling' as const, durationMs: 86_400_000 },
        budgeting: { method: 'occurrences' as const },
        minEvents: 1,
        alerts: [],
      },
    ];
    const clock = new ManualClock(T0 + 300 * MIN + 10_000);
    const rt = new DetectionRuntime({
      store: db.store,
      clock,
      sql: db.sql,
      targets: () => targets,
      limits: () => limitsFromSlos(slos, targets),
      log: (l) => assert.fail(l),
    });
    await rt.cycle(clock.now());
    const f = rt.signals(clock.now()).forecasts;
    assert.equal(f.length, 1);
    assert.equal(f[0]!.metric, 'p95_latency_ms');
    assert.equal(f[0]!.threshold, 715);
    assert.ok(
      f[0]!.timeToThresholdMs !== null && f[0]!.timeToThresholdMs < 60 * MIN,
      `crossing: ${f[0]!.timeToThresholdMs}`,
    );
    const api = rt.forecast('a', 'p95_latency_ms', 60);
    assert.equal(api.points.length, 60);
    assert.ok(api.crossing && /p95_latency_ms will cross 715/.test(api.crossing.text));

    await rt.applyRetention(T0 + 7 * 86_400_000 + 200 * MIN);
    const left = await sqlAnomalyScores(db.sql).query({
      from: 0,
      to: Number.MAX_SAFE_INTEGER,
      target: 'a',
      metric: 'p95_latency_ms',
    });
    assert.equal(left.length, 100);
  } finally {
    await db.close();
  }
});
