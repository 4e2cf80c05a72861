// Pipeline stages end to end on a ManualClock: inhibition, silences, throttle, escalation,
// business hours vs on-call, and state export/import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMatcher } from './matchers.ts';
import { AlertPipeline } from './pipeline.ts';
import { alertingSchema } from '../config/alerting.ts';
import { harness, M, mkAlert, names, T0 } from './test-helpers.ts';

const base = { resolve_timeout: '1d', receivers: [{ name: 'team' }] };
const route = {
  receiver: 'team',
  group_by: ['alertname', 'provider'],
  group_wait: '0s',
  group_interval: '1m',
  repeat_interval: '1h',
};

test('inhibit: a provider outage inhibits the alerts of every model behind it (equal: [provider])', () => {
  const h = harness({
    ...base,
    route,
    inhibit_rules: [
      {
        source_matchers: ['alertname="ProviderDown"'],
        target_matchers: ['alertname!="ProviderDown"'],
        equal: ['provider'],
      },
    ],
  });
  h.ingest(
    mkAlert({ alertname: 'ProviderDown', provider: 'openai' }),
    mkAlert({ alertname: 'ModelDown', provider: 'openai', model: 'gpt-4o' }),
    mkAlert({ alertname: 'ModelDown', provider: 'anthropic', model: 'claude' }),
  );
  const sent = h.at(0);
  assert.deepEqual(sent.map((n) => n.groupKey).sort(), [
    '{}:{alertname="ModelDown", provider="anthropic"}',
    '{}:{alertname="ProviderDown", provider="openai"}',
  ]);
  assert.deepEqual(h.pipeline.mutedBy({ alertname: 'ModelDown', provider: 'openai' })?.by, 'inhibition');

  h.clock.set(T0 + 2 * M);
  h.ingest(mkAlert({ alertname: 'ProviderDown', provider: 'openai' }, 'resolved', T0, T0 + 2 * M));
  const after = h.at(2 * M);
  assert.deepEqual(
    after.map((n) => `${n.groupLabels.alertname}/${n.groupLabels.provider}:${n.status}`).sort(),
    ['ModelDown/openai:firing', 'ProviderDown/openai:resolved'],
  );
});

test('silence: mutes matching alerts until it expires, then the next flush sends', () => {
  const h = harness({ ...base, route });
  h.pipeline.addSilence({
    matchers: [parseMatcher('model=~"gpt-.*"')],
    endsAt: T0 + 10 * M,
    createdBy: 'ops',
    comment: 'deploy',
  });
  h.ingest(mkAlert({ alertname: 'ModelDown', provider: 'openai', model: 'gpt-4o' }));
  for (let t = 0; t < 10 * M; t += M) assert.equal(h.at(t).length, 0, `silenced at +${t / M}m`);
  const sent = h.at(10 * M);
  assert.equal(sent.length, 1);
  assert.equal(h.pipeline.silences()[0]!.createdBy, 'ops');
  assert.throws(
    () => h.pipeline.addSilence({ matchers: [], endsAt: T0 + M, createdBy: 'x', comment: '' }),
    /at least one matcher/,
  );
});

test('silence: expireSilence ends it early', () => {
  const h = harness({ ...base, route });
  const s = h.pipeline.addSilence({
    matchers: [parseMatcher('alertname="A"')],
    endsAt: T0 + 60 * M,
    createdBy: 'ops',
    comment: '',
  });
  h.ingest(mkAlert({ alertname: 'A' }));
  assert.equal(h.at(0).length, 0);
  h.clock.set(T0 + 3 * M + 1);
  h.pipeline.expireSilence(s.id);
  assert.equal(h.at(4 * M).length, 1);
});

const throttled = {
  ...base,
  receivers: [{ name: 'team', rate_limit: { max: 2, per: '10m' } }],
  route: { ...route, group_by: ['target'] },
};

test('throttle: excess notifications are held and released when the window has room', () => {
  const h = harness(throttled);
  h.ingest(...['a', 'b', 'c', 'd'].map((t) => mkAlert({ alertname: 'Down', target: t })));
  assert.deepEqual(
    h.at(0).map((n) => n.groupLabels.target),
    ['a', 'b'],
  );
  for (let t = M; t < 10 * M; t += M) assert.equal(h.at(t).length, 0, 'held while the window is full');
  assert.deepEqual(
    h
      .at(10 * M)
      .map((n) => n.groupLabels.target)
      .sort(),
    ['c', 'd'],
  );
  assert.equal(h.at(11 * M).length, 0, 'released groups are recorded, not re-sent');
  assert.equal(h.sent.length, 4);
});

test('throttle: more held than room → one summary carrying every held alert', () => {
  const h = harness(throttled);
  h.ingest(...['a', 'b', 'c', 'd', 'e'].map((t) => mkAlert({ alertname: 'Down', target: t })));
  assert.equal(h.at(0).length, 2);
  const [summary, ...rest] = h.at(10 * M);
  assert.equal(rest.length, 0);
  assert.deepEqual(names(summary!, 'target').sort(), ['c:firing', 'd:firing', 'e:firing']);
  assert.equal(summary!.summarizes!.length, 3);
  assert.match(summary!.commonAnnotations.summary!, /3 notifications for team were held/);
  assert.equal(h.at(12 * M).length, 0);
});

const paging = {
  ...base,
  receivers: [{ name: 'pager' }, { name: 'manager' }, { name: 'director' }],
  route: { ...route, receiver: 'pager' },
  escalation: {
    policies: [
      { receiver: 'pager', after: '15m', escalate_to: 'manager' },
      { receiver: 'manager', after: '30m', escalate_to: 'director' },
    ],
  },
};

test('escalate: a page not acknowledged within 15m goes to the escalation receiver, then further', () => {
  const h = harness(paging);
  h.ingest(mkAlert({ alertname: 'ModelDown', provider: 'openai' }));
  assert.equal(h.at(0)[0]!.receiver, 'pager');
  assert.equal(h.at(14 * M).length, 0);
  const esc = h.at(15 * M);
  assert.deepEqual(
    esc.map((n) => [n.receiver, n.escalatedFrom]),
    [['manager', 'pager']],
  );
  assert.equal(h.at(16 * M).length, 0, 'escalates once');
  assert.deepEqual(
    h.at(45 * M).map((n) => n.receiver),
    ['director'],
  );

  h.clock.set(T0 + 50 * M);
  h.ingest(mkAlert({ alertname: 'ModelDown', provider: 'openai' }, 'resolved', T0, T0 + 50 * M));
  assert.deepEqual(
    h.at(50 * M).map((n) => `${n.receiver}:${n.status}`),
    ['pager:resolved', 'manager:resolved'],
  );
  assert.deepEqual(
    h.at(51 * M).map((n) => `${n.receiver}:${n.status}`),
    ['director:resolved'],
  );
});

test('escalate: an acknowledged page does not escalate', () => {
  const acked = new Set<string>();
  const h = harness(paging, { isAcknowledged: (k) => acked.has(k) });
  h.ingest(mkAlert({ alertname: 'ModelDown', provider: 'openai' }));
  const [page] = h.at(0);
  acked.add(page!.groupKey);
  assert.equal(h.at(20 * M).length, 0);
});

test('route time intervals: business hours to Slack, otherwise to the on-call pager (Europe/Berlin)', () => {
  const config = {
    ...base,
    receivers: [{ name: 'slack' }, { name: 'pager' }],
    time_intervals: [
      {
        name: 'business-hours',
        time_intervals: [
          {
            weekdays: ['monday:friday'],
            times: [{ start_time: '09:00', end_time: '17:00' }],
            location: 'Europe/Berlin',
          },
        ],
      },
    ],
    route: {
      ...route,
      receiver: 'slack',
      routes: [
        { receiver: 'slack', active_time_intervals: ['business-hours'], continue: true },
        { receiver: 'pager', mute_time_intervals: ['business-hours'] },
      ],
    },
  };
  const weekday = harness(config); // Monday 13:00 Berlin
  weekday.ingest(mkAlert({ alertname: 'A' }));
  assert.deepEqual(
    weekday.at(0).map((n) => n.receiver),
    ['slack'],
  );
  const saturday = Date.UTC(2026, 0, 10, 12);
  const weekend = harness(config, { start: saturday });
  weekend.ingest(mkAlert({ alertname: 'A' }, 'firing', saturday));
  assert.deepEqual(
    weekend.at(0).map((n) => n.receiver),
    ['pager'],
  );
  // Monday 16:59 UTC is 17:59 in Berlin: outside business hours.
  const evening = harness(config, { start: Date.UTC(2026, 0, 5, 16, 59) });
  evening.ingest(mkAlert({ alertname: 'A' }, 'firing', Date.UTC(2026, 0, 5, 16, 59)));
  assert.deepEqual(
    evening.at(0).map((n) => n.receiver),
    ['pager'],
  );
});

test('state: export → JSON → import into a new pipeline continues without re-sending', () => {
  const h = harness({ ...base, route });
  h.ingest(mkAlert({ alertname: 'A' }));
  assert.equal(h.at(0).length, 1);
  const saved = JSON.parse(JSON.stringify(h.pipeline.exportState()));
  const sent: unknown[] = [];
  const next = new AlertPipeline({
    config: alertingSchema.parse({ ...base, route }),
    clock: h.clock,
    send: (n) => sent.push(n),
  });
  next.importState(saved);
  h.clock.set(T0 + 5 * M);
  assert.equal(next.tick().length, 0);
  next.ingest([mkAlert({ alertname: 'A' }, 'resolved', T0, T0 + 5 * M)]);
  h.clock.set(T0 + 6 * M);
  assert.equal(next.tick()[0]!.status, 'resolved');
});

test('pending alerts are not ingested', () => {
  const h = harness({ ...base, route });
  h.ingest({ ...mkAlert({ alertname: 'A' }), state: 'pending' });
  assert.equal(h.at(0).length, 0);
  assert.equal(h.pipeline.alerts().length, 0);
});
