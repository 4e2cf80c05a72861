import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankProbableCauses } from './causes.ts';

const MIN = 60_000;
const start = Date.UTC(2024, 0, 1, 12);

test('ranks a deploy just before the incident and an early latency change above noise', () => {
  const causes = rankProbableCauses({
    incidentStartMs: start,
    affected: [
      { id: 't1', labels: { provider: 'openai', region: 'eu' } },
      { id: 't2', labels: { provider: 'openai', region: 'us' } },
    ],
    allTargets: [
      { id: 't1', labels: { provider: 'openai', region: 'eu' } },
      { id: 't2', labels: { provider: 'openai', region: 'us' } },
      { id: 't3', labels: { provider: 'anthropic', region: 'eu' } },
    ],
    changePoints: [
      { signal: 'ttft_p95', timestampMs: start - 4 * MIN, magnitude: 0.95 },
      { signal: 'cpu', timestampMs: start - 25 * MIN, magnitude: 0.3 },
      { signal: 'old', timestampMs: start - 3 * 3_600_000, magnitude: 1 },
    ],
    correlations: [{ signal: 'queue_depth', correlation: 0.9 }],
    events: [
      { kind: 'deploy', timestampMs: start - 6 * MIN, description: 'gateway v1.4.2', targets: ['t1', 't2'] },
      { kind: 'gateway_failover', timestampMs: start + MIN, description: 'openai → azure' },
    ],
  });
  const names = causes.map((c) => c.cause);
  assert.ok(!names.includes('old'), 'changes outside the look-back are ignored');
  assert.deepEqual(new Set(names.slice(0, 2)), new Set(['deploy: gateway v1.4.2', 'ttft_p95']));
  assert.ok(names.indexOf('ttft_p95') < names.indexOf('cpu'));
  const label = causes.find((c) => c.cause === 'provider=openai');
  assert.ok(label);
  assert.deepEqual(label.evidence, [
    '2 of 2 affected targets have provider=openai',
    '2 of 2 targets with provider=openai are affected',
  ]);
  const eu = causes.find((c) => c.cause === 'region=eu');
  assert.ok(!eu || eu.score < label.score / 2, 'a label half the affected share, and others have, is weak');
  for (const c of causes) assert.ok(c.score >= 0 && c.score <= 1 && c.evidence.length > 0);
  for (let i = 1; i < causes.length; i++) assert.ok(causes[i - 1]!.score >= causes[i]!.score);
});

test('empty input gives an empty list', () => {
  assert.deepEqual(rankProbableCauses({ incidentStartMs: start, affected: [] }), []);
});
