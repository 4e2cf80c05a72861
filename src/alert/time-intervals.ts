/**
 * Alertmanager time intervals (`time_intervals:`): named recurring times used by routes'
 * `active_time_intervals` (business hours) and `mute_time_intervals` (outside on-call hours).
 */
import type { TimeIntervalConfig } from '../config/alerting.ts';
import type { Stage } from './stage.ts';
import { zonedParts } from './zoned-time.ts';

type Clause = TimeIntervalConfig['time_intervals'][number];

function inRanges(ranges: [number, number][] | undefined, value: number, size?: number): boolean {
  if (!ranges) return true;
  return ranges.some(([a, b]) => {
    const from = a < 0 && size ? size + a + 1 : a;
    const to = b < 0 && size ? size + b + 1 : b;
    return value >= from && value <= to;
  });
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True when instant `now` falls inside one clause (every field given must match). */
export function clauseContains(c: Clause, now: number): boolean {
  const p = zonedParts(now, c.location);
  const minute = p.hour * 60 + p.minute;
  if (c.times && !c.times.some((t) => minute >= t.start_time && minute < t.end_time)) return false;
  if (c.weekdays && !c.weekdays.includes(p.weekday)) return false;
  if (!inRanges(c.days_of_month, p.day, daysInMonth(p.year, p.month))) return false;
  return inRanges(c.months, p.month) && inRanges(c.years, p.year);
}

/** True when `now` is inside the named interval (any of its clauses). Unknown names never match. */
export function intervalContains(
  intervals: readonly TimeIntervalConfig[],
  name: string,
  now: number,
): boolean {
  const def = intervals.find((t) => t.name === name);
  return def !== undefined && def.time_intervals.some((c) => clauseContains(c, now));
}

/**
 * The route time-interval stage: outside all `active_time_intervals` (when any are set) or inside
 * a `mute_time_intervals` entry, nothing is sent and nothing recorded, so the group is notified
 * at its first flush once the route is active again.
 */
export function timeIntervalStage(intervals: () => readonly TimeIntervalConfig[]): Stage {
  return (ctx, alerts) => {
    const defs = intervals();
    if (
      ctx.activeTimeIntervals.length > 0 &&
      !ctx.activeTimeIntervals.some((n) => intervalContains(defs, n, ctx.now))
    )
      return [];
    if (ctx.muteTimeIntervals.some((n) => intervalContains(defs, n, ctx.now))) return [];
    return alerts;
  };
}
