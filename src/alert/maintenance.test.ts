// Maintenance windows and zoned time across the Europe/Berlin DST changes of 2026.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertingSchema } from '../config/alerting.ts';
import { maintenanceFromConfig, maintenanceSpans, windowOpen } from './maintenance.ts';
import { harness, M, mkAlert } from './test-helpers.ts';
import { zonedParts, zonedToUtc } from './zoned-time.ts';

const H = 3_600_000;
const z = (iso: string) => Date.parse(iso);
const windows = (list: unknown[]) =>
  alertingSchema.parse({ maintenance: list }).maintenance.map(maintenanceFromConfig);

test('zoned time: offsets and local wall times around the spring DST gap in Berlin', () => {
  assert.deepEqual(zonedParts(z('2026-03-21T01:00:00Z'), 'Europe/Berlin'), {
    year: 2026,
    month: 3,
    day: 21,
    hour: 2,
    minute: 0,
    second: 0,
    weekday: 6,
  });
  assert.equal(zonedToUtc(2026, 3, 21, 120, 'Europe/Berlin'), z('2026-03-21T01:00:00Z'));
  assert.equal(zonedToUtc(2026, 4, 4, 120, 'Europe/Berlin'), z('2026-04-04T00:00:00Z'));
  // 02:30 does not exist on 29 March: it maps to the instant after the gap (03:30 CEST).
  assert.equal(zonedToUtc(2026, 3, 29, 150, 'Europe/Berlin'), z('2026-03-29T01:30:00Z'));
  assert.equal(zonedToUtc(2026, 1, 1, 0, 'UTC'), z('2026-01-01T00:00:00Z'));
});

test('maintenance: a weekly Saturday 02:00 Berlin window follows the DST change', () => {
  const [w] = windows([
    {
      name: 'db',
      schedule: { weekdays: ['sat'], start: '02:00', duration: '2h', time_zone: 'Europe/Berlin' },
    },
  ]);
  // Before the change (CET, UTC+1): 01:00–03:00 UTC.
  assert.equal(windowOpen(w!, z('2026-03-28T00:59:00Z')), false);
  assert.equal(windowOpen(w!, z('2026-03-28T01:00:00Z')), true);
  assert.equal(windowOpen(w!, z('2026-03-28T02:59:00Z')), true);
  assert.equal(windowOpen(w!, z('2026-03-28T03:00:00Z')), false);
  // After the change (CEST, UTC+2): 00:00–02:00 UTC.
  assert.equal(windowOpen(w!, z('2026-04-04T00:30:00Z')), true);
  assert.equal(windowOpen(w!, z('2026-04-04T02:30:00Z')), false);
  // Autumn back to CET.
  assert.equal(windowOpen(w!, z('2026-10-31T01:30:00Z')), true);
  assert.equal(windowOpen(w!, z('2026-10-31T00:30:00Z')), false);
  // Not on other weekdays.
  assert.equal(windowOpen(w!, z('2026-04-05T00:30:00Z')), false);
});

test('maintenance: a window spanning the DST switch lasts its real duration', () => {
  const [w] = windows([
    {
      name: 'n',
      schedule: { weekdays: ['sunday'], start: '01:00', duration: '3h', time_zone: 'Europe/Berlin' },
    },
  ]);
  assert.equal(windowOpen(w!, z('2026-03-29T02:59:00Z')), true);
  assert.equal(windowOpen(w!, z('2026-03-29T03:00:00Z')), false);
});

test('maintenance: one-off windows and the spans excluded from SLO budgets', () => {
  const ws = windows([
    { name: 'once', start: '2026-03-10T10:00:00Z', end: '2026-03-10T11:00:00Z', exclude_from_slo: true },
    {
      name: 'weekly',
      schedule: { weekdays: ['sat'], start: '02:00', duration: '2h', time_zone: 'Europe/Berlin' },
      exclude_from_slo: true,
    },
    { name: 'counted', start: '2026-03-11T10:00:00Z', end: '2026-03-11T11:00:00Z' },
  ]);
  assert.equal(windowOpen(ws[0]!, z('2026-03-10T10:30:00Z')), true);
  assert.equal(windowOpen(ws[0]!, z('2026-03-10T11:00:00Z')), false);
  const spans = maintenanceSpans(ws, z('2026-03-09T00:00:00Z'), z('2026-03-16T00:00:00Z'));
  assert.deepEqual(spans, [
    [z('2026-03-10T10:00:00Z'), z('2026-03-10T11:00:00Z')],
    [z('2026-03-14T01:00:00Z'), z('2026-03-14T03:00:00Z')],
  ]);
  assert.equal(
    spans.reduce((s, [a, b]) => s + b - a, 0),
    3 * H,
  );
});

test('maintenance: matching alerts are muted in the pipeline while the window is open', () => {
  const start = z('2026-04-04T00:00:00Z');
  const h = harness(
    {
      resolve_timeout: '1d',
      receivers: [{ name: 'team' }],
      route: { receiver: 'team', group_by: ['provider'], group_wait: '0s', group_interval: '5m' },
      maintenance: [
        {
          name: 'openai-upgrade',
          matchers: ['provider="openai"'],
          schedule: { weekdays: ['sat'], start: '02:00', duration: '2h', time_zone: 'Europe/Berlin' },
        },
      ],
    },
    { start },
  );
  h.ingest(
    mkAlert({ alertname: 'ModelDown', provider: 'openai' }, 'firing', start),
    mkAlert({ alertname: 'ModelDown', provider: 'anthropic' }, 'firing', start),
  );
  assert.deepEqual(
    h.at(0).map((n) => n.groupLabels.provider),
    ['anthropic'],
  );
  assert.equal(h.pipeline.mutedBy({ provider: 'openai' })?.id, 'openai-upgrade');
  assert.equal(h.at(115 * M).length, 0);
  assert.deepEqual(
    h.at(120 * M).map((n) => n.groupLabels.provider),
    ['openai'],
  );
});
