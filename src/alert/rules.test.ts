// Rule evaluation: each rule kind, `for`, hysteresis, fingerprints, resolved emitted once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertingSchema } from '../config/alerting.ts';
import { fingerprint } from './fingerprint.ts';
import { evaluateRules, type RuleEvalState } from './rules.ts';
import type { RuleInputs } from './signals.ts';

const M = 60_000;
const rules = (list: unknown[]) =>
  alertingSchema.parse({ rules: list, receivers: [{ name: 'r' }], route: { receiver: 'r' } }).rules;
const openai = { provider: 'openai', model: 'gpt-4o' };

/** Runs a sequence of (now, inputs) evaluations and returns the states and alerts per step. */
function run(ruleList: unknown[], steps: [number, RuleInputs][]) {
  const rs = rules(ruleList);
  let state: RuleEvalState = { instances: {} };
  return steps.map(([now, inputs]) => {
    const r = evaluateRules(rs, inputs, now, state);
    state = r.state;
    return r.alerts;
  });
}

test('rules: target_state goes pending, fires after `for`, resolves once with endsAt, then disappears', () => {
  const down = { targets: [{ target: 'chat-a', state: 'down' as const, labels: openai }] };
  const up = { targets: [{ target: 'chat-a', state: 'up' as const, labels: openai }] };
  const steps = run(
    [
      {
        name: 'TargetDown',
        kind: 'target_state',
        state: 'down',
        for: '2m',
        severity: 'page',
        annotations: { summary: '{{ $labels.target }} is down' },
      },
    ],
    [
      [0, down],
      [M, down],
      [2 * M, down],
      [3 * M, up],
      [4 * M, up],
    ],
  );
  assert.deepEqual(
    steps.map((s) => s.map((a) => a.state)),
    [['pending'], ['pending'], ['firing'], ['resolved'], []],
  );
  const firing = steps[2]![0]!;
  assert.deepEqual(firing.labels, {
    provider: 'openai',
    model: 'gpt-4o',
    target: 'chat-a',
    alertname: 'TargetDown',
    severity: 'page',
  });
  assert.equal(firing.annotations.summary, 'chat-a is down');
  assert.equal(firing.startsAt, 0);
  assert.equal(firing.fingerprint, fingerprint({ ...firing.labels }));
  assert.equal(steps[3]![0]!.endsAt, 3 * M);
});

test('rules: target selector by names and labels; degraded rule may cover down too', () => {
  const inputs: RuleInputs = {
    targets: [
      { target: 'a', state: 'down', labels: { provider: 'openai' } },
      { target: 'b', state: 'degraded', labels: { provider: 'anthropic' } },
      { target: 'c', state: 'degraded', labels: { provider: 'openai' } },
    ],
  };
  const [alerts] = run(
    [
      {
        name: 'Unhealthy',
        kind: 'target_state',
        state: ['degraded', 'down'],
        targets: { labels: { provider: 'openai' } },
      },
    ],
    [[0, inputs]],
  );
  assert.deepEqual(alerts!.map((a) => a.labels.target).sort(), ['a', 'c']);
});

test('rules: threshold hysteresis — trigger at > 2000, stay active until <= 1500', () => {
  const at = (v: number): RuleInputs => ({
    metrics: [{ target: 'chat-a', metric: 'p95_latency_ms', value: v }],
  });
  const steps = run(
    [
      {
        name: 'SlowChat',
        kind: 'threshold',
        metric: 'p95_latency_ms',
        op: '>',
        trigger: 2000,
        resolve: 1500,
        annotations: { v: '{{ $value }}' },
      },
    ],
    [
      [0, at(1800)],
      [M, at(2100)],
      [2 * M, at(1700)],
      [3 * M, at(1500)],
      [4 * M, at(1900)],
    ],
  );
  assert.deepEqual(
    steps.map((s) => s.map((a) => a.state)),
    [[], ['firing'], ['firing'], ['resolved'], []],
  );
  assert.equal(steps[2]![0]!.value, 1700);
  assert.equal(steps[2]![0]!.annotations.v, '1700');
});

test('rules: slo_burn fires per tier with the tier severity', () => {
  const steps = run(
    [{ name: 'SloBurn', kind: 'slo_burn', slo: 'chat-availability', severity: 'ticket' }],
    [
      [
        0,
        {
          slos: [
            {
              slo: 'chat-availability',
              target: 'chat-a',
              tiers: [
                { name: 'fast', firing: true, burnRate: 15.2, severity: 'page' },
                { name: 'slow', firing: false, burnRate: 2 },
              ],
            },
            { slo: 'other', tiers: [{ name: 'fast', firing: true, burnRate: 20 }] },
          ],
        },
      ],
    ],
  );
  assert.equal(steps[0]!.length, 1);
  assert.deepEqual(steps[0]![0]!.labels, {
    target: 'chat-a',
    slo: 'chat-availability',
    tier: 'fast',
    alertname: 'SloBurn',
    severity: 'page',
  });
  assert.equal(steps[0]![0]!.value, 15.2);
});

test('rules: anomaly needs score >= x for d; forecast fires when time to threshold is within', () => {
  const anomaly = (score: number): RuleInputs => ({
    anomalies: [{ target: 'chat-a', metric: 'ttft_p95_ms', score }],
  });
  const steps = run(
    [{ name: 'Anomalous', kind: 'anomaly', metric: 'ttft_p95_ms', score: 0.9, for: '2m' }],
    [
      [0, anomaly(0.95)],
      [M, anomaly(0.5)],
      [2 * M, anomaly(0.92)],
      [4 * M, anomaly(0.99)],
    ],
  );
  assert.deepEqual(
    steps.map((s) => s.map((a) => a.state)),
    [['pending'], [], ['pending'], ['firing']],
  );
  const fc = (t: number | null): RuleInputs => ({
    forecasts: [{ target: 'q', metric: 'queue_depth', threshold: 100, timeToThresholdMs: t }],
  });
  const f = run(
    [{ name: 'QueueFull', kind: 'forecast', metric: 'queue_depth', within: '1h' }],
    [
      [0, fc(2 * 3_600_000)],
      [M, fc(30 * M)],
      [2 * M, fc(null)],
    ],
  );
  assert.deepEqual(
    f.map((s) => s.map((a) => a.state)),
    [[], ['firing'], ['resolved']],
  );
});

test('rules: a firing instance of a removed rule resolves; fingerprints ignore label order', () => {
  const rs = rules([{ name: 'TargetDown', kind: 'target_state', state: 'down' }]);
  const first = evaluateRules(rs, { targets: [{ target: 'a', state: 'down' }] }, 0, { instances: {} });
  assert.equal(first.alerts[0]!.state, 'firing');
  const next = evaluateRules([], {}, M, first.state);
  assert.equal(next.alerts[0]!.state, 'resolved');
  assert.equal(fingerprint({ a: '1', b: '2' }), fingerprint({ b: '2', a: '1' }));
  assert.notEqual(fingerprint({ a: '1' }), fingerprint({ a: '2' }));
  assert.deepEqual(JSON.parse(JSON.stringify(first.state)), first.state);
});
