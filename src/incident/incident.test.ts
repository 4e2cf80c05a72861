import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.ts';
import { isNinesError } from '../core/errors.ts';
import { applyIncidentAction, canApply } from './lifecycle.ts';
import { MemoryIncidentStore } from './memory-store.ts';
import { IncidentService, severityFromLabels, type AlertGroupInput } from './service.ts';
import { mtta, mttr } from './metrics.ts';
import { renderPostmortem } from './postmortem.ts';
import type { Incident } from './types.ts';

const base: Incident = {
  id: 'i1',
  title: 't',
  severity: 'SEV2',
  state: 'open',
  groupKey: 'g',
  labels: {},
  openedAt: 0,
};

test('lifecycle: allowed and refused transitions', () => {
  const table: [Incident['state'], Parameters<typeof canApply>[1], boolean][] = [
    ['open', 'acknowledge', true],
    ['open', 'resolve', true],
    ['acknowledged', 'acknowledge', false],
    ['acknowledged', 'mitigate', true],
    ['mitigated', 'resolve', true],
    ['resolved', 'acknowledge', false],
    ['resolved', 'reopen', true],
    ['open', 'reopen', false],
  ];
  for (const [state, action, ok] of table) assert.equal(canApply(state, action), ok, `${state} ${action}`);
  assert.throws(
    () => applyIncidentAction({ ...base, state: 'resolved' }, 'acknowledge', 5, 'amy'),
    (e) => isNinesError(e, 'CONFLICT') && /it is resolved/.test(e.message),
  );
});

test('lifecycle: resolving an open incident sets acknowledgement and mitigation times', () => {
  const r = applyIncidentAction(base, 'resolve', 60_000, 'amy');
  assert.equal(r.state, 'resolved');
  assert.equal(r.acknowledgedAt, 60_000);
  assert.equal(r.mitigatedAt, 60_000);
  assert.equal(r.resolvedBy, 'amy');
  const reopened = applyIncidentAction(r, 'reopen', 70_000, 'bob');
  assert.equal(reopened.state, 'open');
  assert.equal(reopened.resolvedAt, undefined);
});

test('MTTA and MTTR average over the incidents that reached each step', () => {
  const incidents: Incident[] = [
    { ...base, openedAt: 0, acknowledgedAt: 60_000, resolvedAt: 600_000 },
    { ...base, openedAt: 0, acknowledgedAt: 180_000 },
    { ...base, openedAt: 0 },
  ];
  assert.equal(mtta(incidents), 120_000);
  assert.equal(mttr(incidents), 600_000);
  assert.equal(mttr([]), null);
});

test('severity from labels: explicit sev wins, then severity', () => {
  assert.equal(severityFromLabels({ sev: 'sev1', severity: 'ticket' }), 'SEV1');
  assert.equal(severityFromLabels({ severity: 'page' }), 'SEV2');
  assert.equal(severityFromLabels({ severity: 'critical' }), 'SEV1');
  assert.equal(severityFromLabels({ severity: 'ticket' }), 'SEV3');
});

function group(status: 'firing' | 'resolved', severity = 'page'): AlertGroupInput {
  return {
    groupKey: '{}:{alertname="TargetDown"}',
    status,
    commonLabels: { alertname: 'TargetDown', target: 'chat-a' },
    commonAnnotations: {},
    alerts: [
      {
        labels: { alertname: 'TargetDown', target: 'chat-a', severity },
        annotations: { summary: 'chat-a is down' },
        fingerprint: 'fp1',
        startsAt: 0,
        ...(status === 'resolved' ? { endsAt: new Date(0).toISOString() } : {}),
      },
    ],
  };
}

test('service: a paging group opens one incident; repeats join it; resolution mitigates; a ticket opens none', async () => {
  const clock = new ManualClock(1_000_000);
  const svc = new IncidentService(new MemoryIncidentStore(), clock, {
    newId: () => 'inc-1',
    findCauses: async () => [
      { cause: 'provider openai-west', score: 0.9, evidence: ['3 targets share provider'] },
    ],
  });
  assert.equal(await svc.onAlertGroup(group('firing', 'ticket')), undefined);
  const opened = await svc.onAlertGroup(group('firing'));
  assert.equal(opened?.id, 'inc-1');
  assert.equal(opened?.severity, 'SEV2');
  assert.equal(opened?.causes?.[0]?.cause, 'provider openai-west');
  clock.advance(30_000);
  await svc.onAlertGroup(group('firing'));
  let { timeline } = await svc.get('inc-1');
  assert.equal(timeline.filter((e) => e.kind === 'alert').length, 1, 'the same firing alert is not repeated');
  await svc.act('inc-1', 'acknowledge', 'amy');
  clock.advance(60_000);
  const mitigated = await svc.onAlertGroup(group('resolved'));
  assert.equal(mitigated?.state, 'mitigated');
  await svc.addNote('inc-1', 'rolled back the deploy', 'amy', true);
  const resolved = await svc.act('inc-1', 'resolve', 'amy');
  assert.equal(resolved.resolvedAt, 1_090_000);
  ({ timeline } = await svc.get('inc-1'));
  assert.deepEqual(
    timeline.map((e) => e.kind),
    ['opened', 'cause', 'alert', 'state', 'alert', 'state', 'note', 'state'],
  );
  await assert.rejects(svc.addNote('inc-1', '   ', 'amy'), (e) => isNinesError(e, 'VALIDATION'));
  await assert.rejects(svc.act('nope', 'resolve', 'amy'), (e) => isNinesError(e, 'NOT_FOUND'));
});

test('postmortem: markdown with summary, impact, timeline and escaped text', async () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 1));
  const store = new MemoryIncidentStore();
  const svc = new IncidentService(store, clock, { newId: () => 'inc-2' });
  await svc.onAlertGroup(group('firing'));
  clock.advance(5 * 60_000);
  await svc.addNote('inc-2', 'the <script>alert(1)</script> | pipe', 'amy');
  clock.advance(10 * 60_000);
  const inc = await svc.act('inc-2', 'resolve', 'amy');
  const { timeline } = await svc.get('inc-2');
  const text = renderPostmortem({ ...inc, budgetMinutes: 12.5 }, timeline, clock.now());
  assert.match(text, /^# Postmortem: chat-a is down/m);
  assert.match(text, /Duration: 15m/);
  assert.match(text, /12\.5 budget minutes/);
  assert.match(text, /\\<script\\>alert\(1\)\\<\/script\\> \\\| pipe/);
  assert.match(text, /## Contributing alerts\n\n- TargetDown \(chat-a\) — chat-a is down/);
});
