/**
 * Error-budget arithmetic on counts. Period figures always come from summed good/total counts,
 * never from an average of ratios (except RatioTimeslices, which is defined as one).
 */
import type { GoodTotal, SloWindow } from './types.ts';

const DAY = 86_400_000;

/** Allowed bad fraction for an objective in percent: 99.9 → 0.001. */
export function errorBudget(objectivePercent: number): number {
  return 1 - objectivePercent / 100;
}

/** Sums counts (the only correct way to combine buckets or slices). */
export function sumCounts(parts: Iterable<GoodTotal>): GoodTotal {
  let good = 0;
  let total = 0;
  for (const p of parts) {
    good += p.good;
    total += p.total;
  }
  return { good, total };
}

/**
 * Burn rate: observed bad fraction / allowed bad fraction. 1 spends the budget exactly over the
 * period; 0 when there were no events.
 */
export function burnRate(counts: GoodTotal, objectivePercent: number): number {
  if (counts.total <= 0) return 0;
  return (counts.total - counts.good) / counts.total / errorBudget(objectivePercent);
}

/** Budget figures for a compliance period. */
export interface BudgetFigures {
  good: number;
  total: number;
  /** good / total, or null with no events. */
  sli: number | null;
  /** Bad events the budget allows so far: (1 - objective) × total. */
  allowedBad: number;
  bad: number;
  /** Fraction of the budget spent: bad / allowedBad (0 with no events; may exceed 1). */
  consumed: number;
  /** 1 - consumed (negative when overspent). */
  remaining: number;
  met: boolean;
}

/** Error budget figures from the period's summed counts. */
export function budgetFigures(counts: GoodTotal, objectivePercent: number): BudgetFigures {
  const { good, total } = counts;
  const bad = total - good;
  const allowedBad = errorBudget(objectivePercent) * total;
  const consumed = total > 0 ? bad / allowedBad : 0;
  return {
    good,
    total,
    sli: total > 0 ? good / total : null,
    allowedBad,
    bad,
    consumed,
    remaining: 1 - consumed,
    met: total === 0 || good / total >= objectivePercent / 100 - 1e-12,
  };
}

/**
 * Time until the remaining budget is gone at a burn rate, in ms: remaining × period / burn.
 * 0 when already spent; null when the burn rate is 0 (never).
 */
export function timeToExhaustion(remaining: number, burn: number, periodMs: number): number | null {
  if (remaining <= 0) return 0;
  if (burn <= 0) return null;
  return (remaining * periodMs) / burn;
}

/** Timeslice counts: how many slices met the per-slice goal, of those with any events. */
export function timesliceCounts(slices: Iterable<GoodTotal>, sliceGoal: number): GoodTotal {
  let good = 0;
  let total = 0;
  for (const s of slices) {
    if (s.total <= 0) continue;
    total += 1;
    if (s.good / s.total >= sliceGoal - 1e-12) good += 1;
  }
  return { good, total };
}

/** RatioTimeslices (OpenSLO): the mean of the slice ratios, as a good/total pair over slices. */
export function ratioTimesliceCounts(slices: Iterable<GoodTotal>): GoodTotal {
  let good = 0;
  let total = 0;
  for (const s of slices) {
    if (s.total <= 0) continue;
    total += 1;
    good += s.good / s.total;
  }
  return { good, total };
}

/** The nominal length of a period, used for burn-rate factors: rolling length, 30d per month, 7d per week. */
export function nominalPeriodMs(window: SloWindow): number {
  if (window.type === 'rolling') return window.durationMs;
  return window.unit === 'month' ? 30 * DAY : 7 * DAY;
}

/**
 * The current compliance period at `now`: [now - d, now) for rolling windows; for calendar
 * windows the UTC month or ISO week (Monday) containing now, with its full length.
 */
export function currentPeriod(
  window: SloWindow,
  now: number,
): { from: number; to: number; lengthMs: number } {
  if (window.type === 'rolling')
    return { from: now - window.durationMs, to: now, lengthMs: window.durationMs };
  const d = new Date(now);
  if (window.unit === 'month') {
    const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    return { from, to: now, lengthMs: next - from };
  }
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const from = dayStart - ((d.getUTCDay() + 6) % 7) * DAY;
  return { from, to: now, lengthMs: 7 * DAY };
}
