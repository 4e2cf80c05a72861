import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sloSchema, type SloConfigInput } from '../config/slo.ts';
import { BucketedCounts } from './bucketed.ts';
import { evaluateSlo, evaluateSloSync, type SyncQueryFn } from './evaluate.ts';
import type { SloDefinition } from './types.ts';

const M = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 31);
const START = NOW - 30 * DAY;
const MINUTES = 30 * 24 * 60;

function slo(extra: Partial<SloConfigInput> = {}): SloDefinition {
  return sloSchema.parse({ name: 's', target: 'chat-a', sli: 'availability', objective: 99.9, ...extra });
}

/** 100 events a minute for 30 days; `bad(minutesBeforeNow)` gives the bad ones in that minute. */
function series(bad: (ago: number) => number, perMinute = 100): SyncQueryFn {
  const good = new Float64Array(MINUTES);
  const total = new Float64Array(MINUTES).fill(perMinute);
  for (let i = 0; i < MINUTES; i++) good[i] = perMinute - bad(MINUTES - i);
  const b = new BucketedCounts(START, M, good, total);
  return (_s, from, to) => b.query(from, to);
}

const states = (e: ReturnType<typeof evaluateSloSync>) => e.tiers.map((t) => t.state);

test('a sharp outage fires the fastest page tier and inhibits the slower ones', () => {
  // The last 10 minutes: 50 of 100 bad. 1h: 500/6000 → burn 83; 5m: burn 500 (> 14.4).
  // 6h: 500/36000 → 13.9 > 6; 1d: 3.47 > 3; 3d: 1.16 > 1 — all fire, the 1h tier inhibits them.
  const e = evaluateSloSync(
    slo(),
    NOW,
    series((ago) => (ago <= 10 ? 50 : 0)),
  );
  assert.deepEqual(states(e), ['firing', 'inhibited', 'inhibited', 'inhibited']);
  assert.deepEqual(
    e.firing.map((t) => t.longWindowMs),
    [3_600_000],
  );
  assert.ok(Math.abs(e.tiers[0]!.longBurn - 500 / 6000 / 0.001) < 1e-9);
  // Period: 500 bad of 4,320,000 events; budget 4,320 → 11.57% consumed.
  assert.equal(e.events.total, 4_320_000);
  assert.ok(Math.abs(e.budget.consumed - 500 / 4320) < 1e-12);
  // Time to exhaustion at the 1h burn: remaining × 30d / burn.
  assert.ok(Math.abs(e.timeToExhaustionMs! - ((1 - 500 / 4320) * 30 * DAY) / (500 / 6000 / 0.001)) < 1);
});

test('long window burning but short window recovered: that tier does not fire', () => {
  // 40 bad a minute from 30 to 20 minutes ago: 5m clean → 1h tier off; 30m holds them → 6h tier fires.
  const e = evaluateSloSync(
    slo(),
    NOW,
    series((ago) => (ago > 20 && ago <= 30 ? 40 : 0)),
  );
  assert.equal(e.tiers[0]!.state, 'ok');
  assert.equal(e.tiers[1]!.state, 'firing');
  assert.deepEqual(
    e.firing.map((t) => t.longWindowMs),
    [6 * 3_600_000],
  );
});

test('a slow burn raises only a ticket', () => {
  // 0.15% bad everywhere: burn 1.5 → only the 3d/6h tier (factor 1) fires.
  const e = evaluateSloSync(
    slo(),
    NOW,
    series(() => 0.15),
  );
  assert.deepEqual(states(e), ['ok', 'ok', 'ok', 'firing']);
  assert.equal(e.firing[0]!.severity, 'ticket');
});

test('min-events guard: too few events means insufficient data, not an alert', () => {
  // one event a minute, all bad in the last 5 minutes: 60 events per hour < minEvents 100
  const q = series((ago) => (ago <= 5 ? 1 : 0), 1);
  const e = evaluateSloSync(slo({ minEvents: 100 }), NOW, q);
  assert.equal(e.tiers[0]!.state, 'insufficient-data');
  // the 6h tier has 360 events, enough to decide: 5 bad of 360 → burn 13.9 > 6
  assert.deepEqual(
    e.firing.map((t) => t.longWindowMs),
    [6 * 3_600_000],
  );
  const e2 = evaluateSloSync(slo({ minEvents: 10 }), NOW, q);
  assert.equal(e2.tiers[0]!.state, 'firing');
});

test('no data at all: insufficient data everywhere, budget untouched', () => {
  const e = evaluateSloSync(slo(), NOW, () => ({ good: 0, total: 0 }));
  assert.ok(e.tiers.every((t) => t.state === 'insufficient-data'));
  assert.equal(e.budget.remaining, 1);
  assert.equal(e.budget.sli, null);
});

test('timeslice budgeting counts good slices; burn alerts still use events', () => {
  // 1-hour slices, a slice is good at ≥ 99% good; one hour a day is 5% bad: 30 bad slices of 720.
  const def = slo({ budgeting: { method: 'timeslices', slice: '1h', sliceGoal: 99 }, objective: 95 });
  const q = series((ago) => ((ago - 1) % (24 * 60) < 60 ? 5 : 0));
  const e = evaluateSloSync(def, NOW, q);
  assert.equal(e.budget.total, 720);
  assert.equal(e.budget.good, 690);
  assert.ok(Math.abs(e.budget.sli! - 690 / 720) < 1e-12);
});

test('async and sync evaluation agree', async () => {
  const q = series((ago) => (ago <= 10 ? 50 : 0));
  const sync = evaluateSloSync(slo(), NOW, q);
  const async = await evaluateSlo(slo(), NOW, async (s, f, t) => q(s, f, t));
  assert.deepEqual(async, sync);
});

test('7-day window uses 7-day factors', () => {
  // burn 3.0 everywhere: over 7d the factors are 3.36, 1.4, 0.7, 0.233 → tiers 2–4 fire, tier 2 inhibits.
  const e = evaluateSloSync(
    slo({ window: '7d' }),
    NOW,
    series(() => 0.3),
  );
  assert.deepEqual(states(e), ['ok', 'firing', 'inhibited', 'inhibited']);
});

test('bucketed counts: ranges round to bucket starts and clamp to the series', () => {
  const b = new BucketedCounts(1000, 10, [1, 2, 3, 4], [10, 20, 30, 40]);
  assert.deepEqual(b.query(1000, 1040), { good: 10, total: 100 });
  assert.deepEqual(b.query(1010, 1030), { good: 5, total: 50 });
  // a bucket counts when its start is in [from, to)
  assert.deepEqual(b.query(1005, 1030), { good: 5, total: 50 });
  assert.deepEqual(b.query(0, 1_000_000), { good: 10, total: 100 });
  assert.deepEqual(b.query(2000, 3000), { good: 0, total: 0 });
});
