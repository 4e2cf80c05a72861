import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StateEvent, TargetState } from '../store/types.ts';
import { availabilityFromEvents, availabilityFromResults, type AvailabilityOptions } from './availability.ts';
import { availabilityGrade, listOutages, mtbf, mttr, reliability } from './outages.ts';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 1);
/** Events written as [minute, to-state]; `from` is the previous `to`. */
function ev(...steps: [number, TargetState][]): StateEvent[] {
  let prev: TargetState = 'unknown';
  return steps.map(([min, to]) => {
    const e = { target: 't', at: T0 + min * M, from: prev, to, reason: '' };
    prev = to;
    return e;
  });
}
const win = (a: number, b: number) => ({ from: T0 + a * M, to: T0 + b * M });

const cases: {
  name: string;
  events: StateEvent[];
  window: [number, number];
  options?: AvailabilityOptions;
  availability: number | null;
  downMin?: number;
}[] = [
  { name: 'empty window', events: ev([0, 'up']), window: [10, 10], availability: null },
  { name: 'no events: all unknown, excluded', events: [], window: [0, 100], availability: null },
  {
    name: 'no events, unknown counted as down',
    events: [],
    window: [0, 100],
    options: { unknown: 'down' },
    availability: 0,
  },
  { name: 'always up', events: ev([0, 'up']), window: [10, 110], availability: 1 },
  // up 0..40, down 40..50, up after: window 0..100 → 90/100
  {
    name: 'one outage inside',
    events: ev([0, 'up'], [40, 'down'], [50, 'up']),
    window: [0, 100],
    availability: 0.9,
    downMin: 10,
  },
  // down from -30 to 20; window 0..100 starts down (state from the event before the window) → 80/100
  {
    name: 'outage spanning the left edge',
    events: ev([-60, 'up'], [-30, 'down'], [20, 'up']),
    window: [0, 100],
    availability: 0.8,
  },
  // down from 90 on; window 0..100 → 90/100
  {
    name: 'outage spanning the right edge',
    events: ev([0, 'up'], [90, 'down'], [130, 'up']),
    window: [0, 100],
    availability: 0.9,
  },
  // flapping: 10 cycles of 5 up / 5 down → 50/100
  {
    name: 'flapping',
    events: ev(
      ...Array.from({ length: 20 }, (_, i): [number, TargetState] => [i * 5, i % 2 === 0 ? 'up' : 'down']),
    ),
    window: [0, 100],
    availability: 0.5,
  },
  // unknown 0..20 excluded: up 20..60 (40), down 60..80 (20), up 80..100 (20) → 60/80
  {
    name: 'unknown excluded',
    events: ev([20, 'up'], [60, 'down'], [80, 'up']),
    window: [0, 100],
    availability: 0.75,
  },
  {
    name: 'unknown as up',
    events: ev([20, 'up'], [60, 'down'], [80, 'up']),
    window: [0, 100],
    options: { unknown: 'up' },
    availability: 0.8,
  },
  // degraded 30..50 counts as up by default, as down on request
  {
    name: 'degraded is up',
    events: ev([0, 'up'], [30, 'degraded'], [50, 'up']),
    window: [0, 100],
    availability: 1,
  },
  {
    name: 'degraded as down',
    events: ev([0, 'up'], [30, 'degraded'], [50, 'up']),
    window: [0, 100],
    options: { degraded: 'down' },
    availability: 0.8,
  },
  // maintenance 40..60 covers the outage 40..50: 80 counted minutes, all up
  {
    name: 'maintenance excluded',
    events: ev([0, 'up'], [40, 'down'], [50, 'up']),
    window: [0, 100],
    options: { maintenance: [win(40, 60)] },
    availability: 1,
  },
  // overlapping maintenance 30..45 and 35..55 → 30..55 excluded; 40..55 of the outage is excluded, 55..70 counted; up 0..30 + 70..100
  {
    name: 'overlapping maintenance, partly over an outage',
    events: ev([0, 'up'], [40, 'down'], [70, 'up']),
    window: [0, 100],
    options: { maintenance: [win(35, 55), win(30, 45)] },
    availability: 60 / 75,
    downMin: 15,
  },
];

for (const c of cases) {
  test(`availabilityFromEvents: ${c.name}`, () => {
    const r = availabilityFromEvents(c.events, win(...c.window), c.options);
    if (c.availability === null) assert.equal(r.availability, null);
    else
      assert.ok(
        Math.abs(r.availability! - c.availability) < 1e-12,
        `got ${r.availability}, want ${c.availability}`,
      );
    if (c.downMin !== undefined) assert.equal(r.downMs, c.downMin * M);
  });
}

test('availabilityFromResults counts degraded as up unless told otherwise', () => {
  assert.equal(availabilityFromResults({ ok: 0, degraded: 0, failed: 0 }), null);
  assert.equal(availabilityFromResults({ ok: 90, degraded: 5, failed: 5 }), 0.95);
  assert.equal(availabilityFromResults({ ok: 90, degraded: 5, failed: 5 }, { degraded: 'down' }), 0.9);
});

test('outages: inside, across both edges, and ongoing', () => {
  const events = ev([-60, 'up'], [-30, 'down'], [20, 'up'], [40, 'down'], [50, 'up'], [90, 'down']);
  const list = listOutages(events, win(0, 100));
  assert.deepEqual(list, [
    {
      start: T0 - 30 * M,
      end: T0 + 20 * M,
      ongoing: false,
      durationMs: 50 * M,
      inWindowMs: 20 * M,
      startedBeforeWindow: true,
    },
    {
      start: T0 + 40 * M,
      end: T0 + 50 * M,
      ongoing: false,
      durationMs: 10 * M,
      inWindowMs: 10 * M,
      startedBeforeWindow: false,
    },
    { start: T0 + 90 * M, ongoing: true, durationMs: 10 * M, inWindowMs: 10 * M, startedBeforeWindow: false },
  ]);
  // up time in window: 20..40 + 50..90 = 60 min; outages begun in window: 2 → MTBF 30 min
  assert.equal(mtbf(events, win(0, 100)), 30 * M);
  // ended outages: 50 min and 10 min → MTTR 30 min (the ongoing one is left out)
  assert.equal(mttr(events, win(0, 100)), 30 * M);
});

test('outages: flapping gives many short outages; no outage gives null MTBF/MTTR', () => {
  const flap = ev(
    ...Array.from({ length: 20 }, (_, i): [number, TargetState] => [i * 5, i % 2 === 0 ? 'up' : 'down']),
  );
  const r = reliability(flap, win(0, 100));
  assert.equal(r.outages.length, 10);
  assert.equal(r.mttrMs, 5 * M);
  // 50 min up / 10 failures
  assert.equal(r.mtbfMs, 5 * M);
  const calm = reliability(ev([0, 'up']), win(0, 100));
  assert.deepEqual([calm.outages.length, calm.mtbfMs, calm.mttrMs, calm.availability], [0, null, null, 1]);
});

test('outages: an outage already under way with no earlier event starts at the window start', () => {
  const list = listOutages(ev([30, 'up']), win(0, 100), { initialState: 'down' });
  assert.equal(list.length, 1);
  assert.equal(list[0]!.start, T0);
  assert.equal(list[0]!.durationMs, 30 * M);
});

test('availabilityGrade truncates, counts nines and gives a letter', () => {
  const table: [number, string, number, string][] = [
    [1, '100%', Infinity, 'A+'],
    [0.99999, '99.999%', 5, 'A+'],
    [0.9999, '99.99%', 4, 'A+'],
    [0.9995, '99.95%', 3.3, 'A'],
    [0.999, '99.9%', 3, 'A'],
    [0.99949999, '99.949%', 3.3, 'A'],
    [0.995, '99.5%', 2.3, 'B'],
    [0.99, '99%', 2, 'C'],
    [0.95, '95%', 1.3, 'D'],
    [0.5, '50%', 0.3, 'F'],
    [0, '0%', 0, 'F'],
  ];
  for (const [a, percent, nines, letter] of table) {
    assert.deepEqual(availabilityGrade(a), { percent, nines, letter }, String(a));
  }
});
