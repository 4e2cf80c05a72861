// Stage-level tests: sequence, Alertmanager's dedup decisions, inhibition details, send_resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertingSchema } from '../config/alerting.ts';
import { needsUpdate, type SentEntry } from './dedup.ts';
import { inhibitMuter } from './inhibit.ts';
import { parseMatcher } from './matchers.ts';
import { sequence, type FlushContext, type Stage } from './stage.ts';
import { throttleStage, emptyThrottle } from './throttle.ts';
import { harness, M, mkAlert, T0 } from './test-helpers.ts';

const ctx: FlushContext = {
  now: T0,
  receiver: 'r',
  groupKey: 'g',
  groupLabels: {},
  repeatIntervalMs: 60 * M,
  sendResolved: true,
  activeTimeIntervals: [],
  muteTimeIntervals: [],
};

test('sequence: runs stages in order and stops when no alerts remain', () => {
  const calls: string[] = [];
  const stage =
    (name: string, keep: boolean): Stage =>
    (_c, alerts) => (calls.push(name), keep ? alerts : []);
  sequence(stage('a', true), stage('b', false), stage('c', true))(ctx, [mkAlert({ a: '1' })]);
  assert.deepEqual(calls, ['a', 'b']);
});

const a = mkAlert({ alertname: 'A' });
const b = mkAlert({ alertname: 'B' });
const aResolved = mkAlert({ alertname: 'A' }, 'resolved');
const entry = (firing: string[], resolved: string[] = [], at = T0): SentEntry => ({ firing, resolved, at });

const dedupCases: {
  name: string;
  entry?: SentEntry;
  alerts: (typeof a)[];
  c?: Partial<FlushContext>;
  want: boolean;
}[] = [
  { name: 'first flush with firing alerts', alerts: [a], want: true },
  { name: 'first flush with only resolved alerts', alerts: [aResolved], want: false },
  { name: 'nothing changed', entry: entry([a.fingerprint]), alerts: [a], c: { now: T0 + M }, want: false },
  { name: 'a new alert fires', entry: entry([a.fingerprint]), alerts: [a, b], want: true },
  {
    name: 'one of two resolved, send_resolved',
    entry: entry([a.fingerprint, b.fingerprint]),
    alerts: [aResolved, b],
    want: true,
  },
  {
    name: 'one of two resolved, no send_resolved',
    entry: entry([a.fingerprint, b.fingerprint]),
    alerts: [aResolved, b],
    c: { sendResolved: false },
    want: false,
  },
  {
    name: 'all resolved (always, to clear the log)',
    entry: entry([a.fingerprint]),
    alerts: [aResolved],
    c: { sendResolved: false },
    want: true,
  },
  { name: 'fired and resolved between notifications', entry: entry([]), alerts: [aResolved], want: false },
  {
    name: 'repeat interval passed',
    entry: entry([a.fingerprint]),
    alerts: [a],
    c: { now: T0 + 60 * M },
    want: true,
  },
];
for (const c of dedupCases) {
  test(`dedup: ${c.name} → ${c.want ? 'send' : 'skip'}`, () => {
    assert.equal(needsUpdate(c.entry, c.alerts, { ...ctx, ...c.c }), c.want);
  });
}

test('inhibit: missing equal labels count as equal; an alert matching both sides is not inhibited by a peer', () => {
  const rules = alertingSchema.parse({
    inhibit_rules: [
      {
        source_matchers: ['severity="page"'],
        target_matchers: ['severity=~"page|ticket"'],
        equal: ['cluster'],
      },
    ],
  }).inhibit_rules;
  const src = mkAlert({ alertname: 'X', severity: 'page' });
  const m = inhibitMuter(rules, () => [src]);
  assert.equal(m.mutes({ alertname: 'Y', severity: 'ticket' }, T0)?.by, 'inhibition');
  assert.equal(m.mutes({ alertname: 'Y', severity: 'ticket', cluster: 'eu' }, T0), undefined);
  assert.equal(m.mutes({ alertname: 'Y', severity: 'page' }, T0), undefined, 'two-sided match');
  assert.equal(m.mutes(src.labels, T0), undefined, 'never itself');
  const resolved = inhibitMuter(rules, () => [{ ...src, state: 'resolved' }]);
  assert.equal(
    resolved.mutes({ alertname: 'Y', severity: 'ticket' }, T0),
    undefined,
    'only firing sources inhibit',
  );
});

test('throttle: a newer held flush of the same group keeps the older one’s resolutions', () => {
  const state = emptyThrottle();
  const stage = throttleStage(state, () => ({ max: 1, perMs: 60 * M }));
  assert.equal(stage(ctx, [a]).length, 1);
  assert.equal(stage({ ...ctx, groupKey: 'h' }, [aResolved, b]).length, 0);
  assert.equal(stage({ ...ctx, groupKey: 'h' }, [b]).length, 0);
  assert.deepEqual(
    state.held.r![0]!.alerts.map((x) => `${x.labels.alertname}:${x.state}`),
    ['B:firing', 'A:resolved'],
  );
});

test('send_resolved: false leaves resolved alerts out of notifications', () => {
  const h = harness({
    resolve_timeout: '1d',
    receivers: [{ name: 'pager', send_resolved: false }],
    route: { receiver: 'pager', group_wait: '0s', group_interval: '1m' },
  });
  h.ingest(mkAlert({ alertname: 'A' }), mkAlert({ alertname: 'B' }));
  assert.equal(h.at(0)[0]!.alerts.length, 2);
  h.clock.set(T0 + M);
  h.ingest(mkAlert({ alertname: 'A' }, 'resolved', T0, T0 + M));
  assert.equal(h.at(M).length, 0);
  h.ingest(mkAlert({ alertname: 'B' }, 'resolved', T0, T0 + M));
  assert.equal(h.at(2 * M).length, 0, 'all resolved is recorded but nothing is delivered');
  assert.equal(parseMatcher('a="b"').op, '=');
});

test('notification: maps 1:1 onto the Alertmanager webhook v4 payload', async () => {
  const { buildNotification, toWebhookPayload } = await import('./notification.ts');
  const n = buildNotification({ ...ctx, groupLabels: { alertname: 'A' } }, [aResolved, a]);
  const p = toWebhookPayload(n, 'http://nines.local') as {
    version: string;
    alerts: { status: string; startsAt: string }[];
  };
  assert.equal(p.version, '4');
  assert.equal(n.status, 'firing');
  assert.deepEqual(n.commonLabels, { alertname: 'A' });
  assert.equal(p.alerts[0]!.startsAt, new Date(T0).toISOString());
  assert.deepEqual(Object.keys(p).sort(), [
    'alerts',
    'commonAnnotations',
    'commonLabels',
    'externalURL',
    'groupKey',
    'groupLabels',
    'receiver',
    'status',
    'truncatedAlerts',
    'version',
  ]);
});
