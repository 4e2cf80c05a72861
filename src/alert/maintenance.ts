/**
 * Maintenance windows: one-off or weekly in an IANA time zone (DST-aware: a Saturday 02:00
 * Europe/Berlin window opens at 01:00 UTC in winter and 00:00 UTC in summer). They mute matching
 * alerts, and `maintenanceSpans` lists the windows SLO budgets should leave out.
 */
import type { MaintenanceConfig } from '../config/alerting.ts';
import { matchesAll } from './matchers.ts';
import type { Muter } from './muter.ts';
import type { MaintenanceWindow, WeeklySchedule } from './types.ts';
import { zonedParts, zonedToUtc } from './zoned-time.ts';

const DAY_MS = 86_400_000;

/** Converts the config form (ISO strings, snake_case) to a `MaintenanceWindow`. */
export function maintenanceFromConfig(c: MaintenanceConfig): MaintenanceWindow {
  const w: MaintenanceWindow = { name: c.name, matchers: c.matchers, excludeFromSlo: c.exclude_from_slo };
  if (c.start !== undefined && c.end !== undefined) {
    w.startsAt = Date.parse(c.start);
    w.endsAt = Date.parse(c.end);
  }
  if (c.schedule) {
    w.schedule = {
      weekdays: c.schedule.weekdays,
      startMinute: c.schedule.start,
      durationMs: c.schedule.duration,
      timeZone: c.schedule.time_zone,
    };
  }
  return w;
}

/** Occurrences [start, end) of a weekly schedule that overlap [from, to). */
export function weeklyOccurrences(s: WeeklySchedule, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  const back = Math.ceil(s.durationMs / DAY_MS) + 1;
  const first = zonedParts(from - back * DAY_MS, s.timeZone);
  for (let i = 0; ; i++) {
    const date = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
    const start = zonedToUtc(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      s.startMinute,
      s.timeZone,
    );
    if (start >= to) break;
    if (!s.weekdays.includes(date.getUTCDay())) continue;
    const end = start + s.durationMs;
    if (end > from) out.push([start, end]);
  }
  return out;
}

/** True when the window is open at `now`. */
export function windowOpen(w: MaintenanceWindow, now: number): boolean {
  if (w.startsAt !== undefined && w.endsAt !== undefined && w.startsAt <= now && now < w.endsAt) return true;
  return w.schedule !== undefined && weeklyOccurrences(w.schedule, now, now + 1).length > 0;
}

/** A muter for the windows `list()` returns. */
export function maintenanceMuter(list: () => readonly MaintenanceWindow[]): Muter {
  return {
    mutes(labels, now) {
      const w = list().find((x) => matchesAll(x.matchers, labels) && windowOpen(x, now));
      return w ? { by: 'maintenance', id: w.name } : undefined;
    },
  };
}

/** The [start, end) spans within [from, to) of windows marked `excludeFromSlo`, for SLO budgets. */
export function maintenanceSpans(
  windows: readonly MaintenanceWindow[],
  from: number,
  to: number,
): [number, number][] {
  const spans: [number, number][] = [];
  for (const w of windows.filter((x) => x.excludeFromSlo)) {
    if (w.startsAt !== undefined && w.endsAt !== undefined && w.startsAt < to && w.endsAt > from)
      spans.push([w.startsAt, w.endsAt]);
    if (w.schedule) spans.push(...weeklyOccurrences(w.schedule, from, to));
  }
  return spans
    .map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)])
    .sort((x, y) => x[0] - y[0]);
}
