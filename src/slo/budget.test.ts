import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  budgetFigures,
  burnRate,
  currentPeriod,
  errorBudget,
  ratioTimesliceCounts,
  sumCounts,
  timeToExhaustion,
  timesliceCounts,
} from './budget.ts';
import { burnFactor } from './tiers.ts';
import { DEFAULT_ALERT_TIERS } from '../config/slo.ts';
import type { SloWindow } from './types.ts';

const DAY = 86_400_000;
const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, msg ?? `${a} ≠ ${b}`);

test('burn factors of the Workbook tiers for 30d, 28d, 7d and calendar windows', () => {
  const table: [SloWindow, number[]][] = [
    [{ type: 'rolling', durationMs: 30 * DAY }, [14.4, 6, 3, 1]],
    [{ type: 'rolling', durationMs: 28 * DAY }, [13.44, 5.6, 2.8, 28 / 30]],
    [{ type: 'rolling', durationMs: 7 * DAY }, [3.36, 1.4, 0.7, 7 / 30]],
    [{ type: 'calendar', unit: 'month' }, [14.4, 6, 3, 1]],
    [{ type: 'calendar', unit: 'week' }, [3.36, 1.4, 0.7, 7 / 30]],
  ];
  for (const [window, factors] of table) {
    DEFAULT_ALERT_TIERS.forEach((tier, i) =>
      close(burnFactor(tier, window), factors[i]!, `${JSON.stringify(window)} tier ${i}`),
    );
  }
});

test('budget figures from counts', () => {
  close(errorBudget(99.9), 0.001);
  const table: [number, number, number, { consumed: number; remaining: number; met: boolean }][] = [
    [1_000_000, 999_000, 99.9, { consumed: 1, remaining: 0, met: true }],
    [1_000_000, 999_750, 99.9, { consumed: 0.25, remaining: 0.75, met: true }],
    [1000, 980, 99, { consumed: 2, remaining: -1, met: false }],
    [0, 0, 99.9, { consumed: 0, remaining: 1, met: true }],
  ];
  for (const [total, good, objective, want] of table) {
    const f = budgetFigures({ good, total }, objective);
    close(f.consumed, want.consumed);
    close(f.remaining, want.remaining);
    assert.equal(f.met, want.met);
  }
  assert.equal(budgetFigures({ good: 0, total: 0 }, 99).sli, null);
});

test('burn rate and time to exhaustion', () => {
  close(burnRate({ good: 990, total: 1000 }, 99.9), 10);
  assert.equal(burnRate({ good: 0, total: 0 }, 99.9), 0);
  // half the budget left, burning at 2× over a 30-day period: 7.5 days
  close(timeToExhaustion(0.5, 2, 30 * DAY)!, 7.5 * DAY);
  assert.equal(timeToExhaustion(0.5, 0, 30 * DAY), null);
  assert.equal(timeToExhaustion(-0.1, 3, 30 * DAY), 0);
});

test('period figures sum counts, never average ratios', () => {
  // 1 bad of 1,000 then 9 bad of 10: average of ratios would be (0.999 + 0.1) / 2; the sum is 991/1010.
  const total = sumCounts([
    { good: 999, total: 1000 },
    { good: 1, total: 10 },
  ]);
  assert.deepEqual(total, { good: 1000, total: 1010 });
  close(budgetFigures(total, 99).sli!, 1000 / 1010);
});

test('timeslices: good slices of those with data; ratio timeslices average slice ratios', () => {
  const slices = [
    { good: 9, total: 10 },
    { good: 10, total: 10 },
    { good: 0, total: 0 },
    { good: 5, total: 10 },
  ];
  assert.deepEqual(timesliceCounts(slices, 0.9), { good: 2, total: 3 });
  const r = ratioTimesliceCounts(slices);
  close(r.good / r.total, (0.9 + 1 + 0.5) / 3);
});

test('current period: rolling, calendar month and ISO week (UTC)', () => {
  const now = Date.UTC(2026, 1, 11, 15); // Wednesday 11 Feb 2026
  assert.deepEqual(currentPeriod({ type: 'rolling', durationMs: 7 * DAY }, now), {
    from: now - 7 * DAY,
    to: now,
    lengthMs: 7 * DAY,
  });
  assert.deepEqual(currentPeriod({ type: 'calendar', unit: 'month' }, now), {
    from: Date.UTC(2026, 1, 1),
    to: now,
    lengthMs: 28 * DAY,
  });
  assert.deepEqual(currentPeriod({ type: 'calendar', unit: 'week' }, now), {
    from: Date.UTC(2026, 1, 9),
    to: now,
    lengthMs: 7 * DAY,
  });
  const sunday = Date.UTC(2026, 1, 15, 23);
  assert.equal(currentPeriod({ type: 'calendar', unit: 'week' }, sunday).from, Date.UTC(2026, 1, 9));
});
