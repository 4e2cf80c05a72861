// Rules and pipeline together: probe states evaluated every 30 s become one page and one resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertingSchema } from '../config/alerting.ts';
import { ManualClock } from '../core/clock.ts';
import { AlertPipeline } from './pipeline.ts';
import { evaluateRules, type RuleEvalState } from './rules.ts';
import type { Notification } from './types.ts';

test('integration: a target down for 2m pages once, with its provider/model labels, then resolves', () => {
  const config = alertingSchema.parse({
    rules: [{ name: 'TargetDown', kind: 'target_state', state: 'down', for: '1m', severity: 'page' }],
    receivers: [{ name: 'pager' }],
    route: { receiver: 'pager', group_by: ['provider'], group_wait: '30s', group_interval: '1m' },
  });
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
  const sent: Notification[] = [];
  const pipeline = new AlertPipeline({ config, clock, send: (n) => sent.push(n) });
  let state: RuleEvalState = { instances: {} };
  const labels = { provider: 'openai', model: 'gpt-4o' };
  for (let step = 0; step < 20; step++) {
    const down = step >= 2 && step < 10; // down from +1m to +5m
    const r = evaluateRules(
      config.rules,
      { targets: [{ target: 'chat-a', state: down ? 'down' : 'up', labels }] },
      clock.now(),
      state,
    );
    state = r.state;
    pipeline.ingest(r.alerts);
    pipeline.tick();
    clock.advance(30_000);
  }
  assert.deepEqual(
    sent.map((n) => `${n.status}:${n.alerts.map((a) => a.state).join(',')}`),
    ['firing:firing', 'resolved:resolved'],
  );
  assert.deepEqual(sent[0]!.commonLabels, {
    ...labels,
    target: 'chat-a',
    alertname: 'TargetDown',
    severity: 'page',
  });
  assert.equal(sent[1]!.alerts[0]!.endsAt! - sent[1]!.alerts[0]!.startsAt, 4 * 60_000);
});
