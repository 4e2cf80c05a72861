// The alerting section: a complete valid example, defaults, matcher syntax, and the rejected fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertingSchema, parseMatcher } from './alerting.ts';
import { formatProblem, loadConfigText } from './load.ts';

const GOOD = `
alerting:
  rules:
    - name: TargetDown
      kind: target_state
      targets: { labels: { provider: openai } }
      state: down
      for: 1m
      severity: page
      annotations: { summary: '{{ $labels.target }} is down' }
    - name: SlowChat
      kind: threshold
      metric: p95_latency_ms
      trigger: 2000
      resolve: 1500
      for: 5m
    - { name: ChatBudget, kind: slo_burn, slo: chat-availability }
    - { name: TtftAnomaly, kind: anomaly, metric: ttft_p95_ms, score: 0.9, for: 10m }
    - { name: DiskFull, kind: forecast, metric: disk_used_ratio, within: 4h }
  receivers:
    - name: team-slack
      slack_configs: [{ channel: '#ai-ops', api_url: '\${SLACK_URL}' }]
    - name: oncall-pager
      pagerduty_configs: [{ routing_key: '\${PD_KEY}' }]
      rate_limit: { max: 10, per: 1h }
    - name: manager
      email_configs: [{ to: boss@example.com }]
  time_intervals:
    - name: business-hours
      time_intervals:
        - { weekdays: ['monday:friday'], times: [{ start_time: '09:00', end_time: '17:00' }], location: Europe/Berlin }
  route:
    receiver: team-slack
    group_by: [alertname, provider]
    routes:
      - matchers: ['severity="page"']
        receiver: oncall-pager
        mute_time_intervals: [business-hours]
        continue: true
      - matchers: ['severity=~"page|ticket"']
        receiver: team-slack
        group_by: ['...']
  inhibit_rules:
    - { source_matchers: ['alertname="ProviderDown"'], target_matchers: ['alertname!="ProviderDown"'], equal: [provider] }
  maintenance:
    - name: weekly-db
      matchers: ['provider="openai"']
      schedule: { weekdays: [sat], start: '02:00', duration: 2h, time_zone: Europe/Berlin }
      exclude_from_slo: true
    - { name: upgrade, start: '2026-03-10T10:00:00Z', end: '2026-03-10T11:00:00Z' }
  escalation:
    policies:
      - { receiver: oncall-pager, after: 15m, escalate_to: manager }
`;

test('alerting config: a complete example loads, with durations in ms and matchers parsed', () => {
  const r = loadConfigText(GOOD, 'nines.yaml', { env: {}, requireEnv: false });
  assert.ok(r.ok, r.ok ? '' : r.problems.map(formatProblem).join('\n'));
  const a = r.config.alerting;
  assert.equal(a.rules.length, 5);
  assert.equal(a.rules[0]!.for, 60_000);
  assert.deepEqual(a.route!.routes[0]!.matchers, [{ name: 'severity', op: '=', value: 'page' }]);
  assert.deepEqual(a.time_intervals[0]!.time_intervals[0]!.weekdays, [1, 2, 3, 4, 5]);
  assert.deepEqual(a.time_intervals[0]!.time_intervals[0]!.times, [{ start_time: 540, end_time: 1020 }]);
  assert.equal(a.maintenance[0]!.schedule!.duration, 7_200_000);
  assert.equal(a.escalation.policies[0]!.after, 900_000);
  assert.deepEqual(a.receivers[0]!.slack_configs, [{ channel: '#ai-ops', api_url: '${SLACK_URL}' }]);
});

test('alerting config: the section is optional and defaults to nothing', () => {
  const r = loadConfigText('targets: []\n', 'nines.yaml', { env: {} });
  assert.ok(r.ok);
  assert.deepEqual(r.config.alerting.rules, []);
  assert.equal(r.config.alerting.route, undefined);
});

test('alerting config: matcher syntax, quoted and unquoted, all four operators', () => {
  assert.deepEqual(parseMatcher('severity="page"'), { name: 'severity', op: '=', value: 'page' });
  assert.deepEqual(parseMatcher('model =~ gpt-.*'), { name: 'model', op: '=~', value: 'gpt-.*' });
  assert.deepEqual(parseMatcher('env!="a\\"b"'), { name: 'env', op: '!=', value: 'a"b' });
  assert.deepEqual(parseMatcher('team!~"ml|infra"'), { name: 'team', op: '!~', value: 'ml|infra' });
  assert.throws(() => parseMatcher('no operator'), /invalid matcher/);
});

test('alerting config: weekday ranges wrap around the week', () => {
  const a = alertingSchema.parse({
    time_intervals: [{ name: 'weekend', time_intervals: [{ weekdays: ['friday:monday'] }] }],
  });
  assert.deepEqual(a.time_intervals[0]!.time_intervals[0]!.weekdays, [0, 1, 5, 6]);
});

const fixtures = new URL('./fixtures/alerting/', import.meta.url).pathname;
for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.bad.yaml'))) {
  test(`alerting fixture ${file} is rejected with its expected message`, () => {
    const result = loadConfigText(readFileSync(join(fixtures, file), 'utf8'), file, {
      env: {},
      requireEnv: false,
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    const expected = readFileSync(join(fixtures, file.replace('.bad.yaml', '.expected')), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    assert.deepEqual(result.problems.map(formatProblem), expected);
  });
}
