import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDetectionTestStore } from '../../services/detection-fixtures.ts';
import { sqlAnomalyScores, type AnomalyScoreRow } from './anomalies.ts';

test('anomaly scores: chunked inserts, filtered reads, latest time and retention', async () => {
  const db = await openDetectionTestStore();
  try {
    const scores = sqlAnomalyScores(db.sql);
    assert.equal(await scores.latestAt(), undefined);
    const rows: AnomalyScoreRow[] = Array.from({ length: 450 }, (_, i) => ({
      series: i % 2 ? 'target:a:error_rate' : 'route:chat:p95_latency_ms',
      ...(i % 2 ? { target: 'a' } : { route: 'chat' }),
      metric: i % 2 ? 'error_rate' : 'p95_latency_ms',
      at: i * 60_000,
      value: i / 10,
      score: i === 301 ? 0.9 : 0.1,
    }));
    await scores.insert(rows);
    assert.equal(await scores.latestAt(), 449 * 60_000);
    const a = await scores.query({ from: 0, to: 1e12, target: 'a' });
    assert.equal(a.length, 225);
    assert.deepEqual(a[0], {
      series: 'target:a:error_rate',
      target: 'a',
      metric: 'error_rate',
      at: 60_000,
      value: 0.1,
      score: 0.1,
    });
    assert.deepEqual(
      (await scores.query({ from: 0, to: 1e12, minScore: 0.5 })).map((r) => r.at),
      [301 * 60_000],
    );
    assert.equal((await scores.query({ from: 0, to: 1e12, metric: 'p95_latency_ms', limit: 5 })).length, 5);
    await scores.deleteBefore(400 * 60_000);
    assert.equal((await scores.query({ from: 0, to: 1e12 })).length, 50);
  } finally {
    await db.close();
  }
});
