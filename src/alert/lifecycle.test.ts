// Table-driven tests of the one alert lifecycle transition function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INACTIVE, transition, type Lifecycle } from './lifecycle.ts';

const M = 60_000;
const timing = { forMs: 5 * M, keepFiringForMs: 2 * M };

const cases: {
  name: string;
  prev: Lifecycle;
  active: boolean;
  now: number;
  want: Lifecycle;
  t?: typeof timing;
}[] = [
  { name: 'inactive stays inactive', prev: INACTIVE, active: false, now: 0, want: INACTIVE },
  {
    name: 'inactive → pending',
    prev: INACTIVE,
    active: true,
    now: 10,
    want: { state: 'pending', activeAt: 10 },
  },
  {
    name: 'inactive → firing at once with for: 0',
    prev: INACTIVE,
    active: true,
    now: 10,
    t: { forMs: 0, keepFiringForMs: 0 },
    want: { state: 'firing', activeAt: 10, firedAt: 10, lastActiveAt: 10 },
  },
  {
    name: 'pending waits for `for`',
    prev: { state: 'pending', activeAt: 0 },
    active: true,
    now: 5 * M - 1,
    want: { state: 'pending', activeAt: 0 },
  },
  {
    name: 'pending → firing after `for`',
    prev: { state: 'pending', activeAt: 0 },
    active: true,
    now: 5 * M,
    want: { state: 'firing', activeAt: 0, firedAt: 5 * M, lastActiveAt: 5 * M },
  },
  {
    name: 'pending → inactive when the condition clears',
    prev: { state: 'pending', activeAt: 0 },
    active: false,
    now: M,
    want: INACTIVE,
  },
  {
    name: 'firing stays firing while active',
    prev: { state: 'firing', activeAt: 0, firedAt: 5 * M, lastActiveAt: 5 * M },
    active: true,
    now: 6 * M,
    want: { state: 'firing', activeAt: 0, firedAt: 5 * M, lastActiveAt: 6 * M },
  },
  {
    name: 'firing keeps firing within keep_firing_for',
    prev: { state: 'firing', activeAt: 0, firedAt: 5 * M, lastActiveAt: 6 * M },
    active: false,
    now: 7 * M,
    want: { state: 'firing', activeAt: 0, firedAt: 5 * M, lastActiveAt: 6 * M },
  },
  {
    name: 'firing → resolved after keep_firing_for',
    prev: { state: 'firing', activeAt: 0, firedAt: 5 * M, lastActiveAt: 6 * M },
    active: false,
    now: 8 * M,
    want: { state: 'resolved', activeAt: 0, firedAt: 5 * M, resolvedAt: 8 * M },
  },
  {
    name: 'firing → resolved at once without keep_firing_for',
    prev: { state: 'firing', activeAt: 0, firedAt: 0, lastActiveAt: 0 },
    active: false,
    now: M,
    t: { forMs: 0, keepFiringForMs: 0 },
    want: { state: 'resolved', activeAt: 0, firedAt: 0, resolvedAt: M },
  },
  {
    name: 'resolved → inactive',
    prev: { state: 'resolved', activeAt: 0, firedAt: 0, resolvedAt: M },
    active: false,
    now: 2 * M,
    want: INACTIVE,
  },
  {
    name: 'resolved → pending on a new activation',
    prev: { state: 'resolved', activeAt: 0, firedAt: 0, resolvedAt: M },
    active: true,
    now: 2 * M,
    want: { state: 'pending', activeAt: 2 * M },
  },
];

for (const c of cases) {
  test(`lifecycle: ${c.name}`, () => {
    assert.deepEqual(transition(c.prev, c.active, c.now, c.t ?? timing), c.want);
  });
}
