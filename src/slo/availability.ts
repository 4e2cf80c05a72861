/**
 * Availability over a window, from confirmed state transitions or from counted probe results.
 * Pure functions: the window (and so "now") is passed in, events come from the caller.
 *
 * Time accounting for a window [from, to): the state at `from` is the one set by the last event
 * at or before `from` (or `initialState`); each later event switches state at its `at`. Time
 * inside maintenance windows is removed from both numerator and denominator. `unknown` time is
 * excluded by default; `degraded` counts as up by default.
 */
import type { StateEvent, TargetState } from '../store/types.ts';

/** A half-open time range [from, to) in ms since epoch. */
export interface Window {
  from: number;
  to: number;
}

/** How to count states that are neither clearly up nor down. */
export interface AvailabilityOptions {
  /** Ranges excluded from the computation (planned maintenance). */
  maintenance?: readonly Window[];
  /** `exclude` (default): unknown time is left out; `up`/`down`: counted as that. */
  unknown?: 'exclude' | 'up' | 'down';
  /** `up` (default): degraded time is available time; `down`: it is an outage. */
  degraded?: 'up' | 'down';
  /** State before the first event when no event precedes the window (default `unknown`). */
  initialState?: TargetState;
}

/** Time spent in each state within the window, net of maintenance, and the resulting ratio. */
export interface AvailabilityFromEvents {
  /** Available time / counted time, or null when no time was counted. */
  availability: number | null;
  upMs: number;
  degradedMs: number;
  downMs: number;
  unknownMs: number;
  maintenanceMs: number;
  /** The denominator: up + degraded + down (+ unknown when counted). */
  countedMs: number;
}

/** One state held over [from, to). */
export interface StateSpan {
  state: TargetState;
  from: number;
  to: number;
}

function sortedEvents(events: readonly StateEvent[]): StateEvent[] {
  return [...events].sort((a, b) => a.at - b.at);
}

/** Merges overlapping ranges and clips them to the window; result sorted and disjoint. */
export function mergeWindows(ranges: readonly Window[], clip: Window): Window[] {
  const clipped = ranges
    .map((r) => ({ from: Math.max(r.from, clip.from), to: Math.min(r.to, clip.to) }))
    .filter((r) => r.to > r.from)
    .sort((a, b) => a.from - b.from);
  const out: Window[] = [];
  for (const r of clipped) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** Splits the window into spans of constant state, using events before the window for its start. */
export function stateSpans(
  events: readonly StateEvent[],
  window: Window,
  initialState: TargetState = 'unknown',
): StateSpan[] {
  if (window.to <= window.from) return [];
  const spans: StateSpan[] = [];
  let state = initialState;
  let at = window.from;
  for (const e of sortedEvents(events)) {
    if (e.at <= window.from) {
      state = e.to;
      continue;
    }
    if (e.at >= window.to) break;
    if (e.to === state) continue;
    spans.push({ state, from: at, to: e.at });
    state = e.to;
    at = e.at;
  }
  spans.push({ state, from: at, to: window.to });
  return spans.filter((s) => s.to > s.from);
}

function overlapMs(span: Window, merged: readonly Window[]): number {
  let total = 0;
  for (const m of merged) {
    if (m.from >= span.to) break;
    total += Math.max(0, Math.min(span.to, m.to) - Math.max(span.from, m.from));
  }
  return total;
}

/** Availability of one target over a window from its state transitions (see the module comment). */
export function availabilityFromEvents(
  events: readonly StateEvent[],
  window: Window,
  options: AvailabilityOptions = {},
): AvailabilityFromEvents {
  const maintenance = mergeWindows(options.maintenance ?? [], window);
  const ms: Record<TargetState, number> = { up: 0, degraded: 0, down: 0, unknown: 0 };
  let maintenanceMs = 0;
  for (const span of stateSpans(events, window, options.initialState)) {
    const excluded = overlapMs(span, maintenance);
    maintenanceMs += excluded;
    ms[span.state] += span.to - span.from - excluded;
  }
  const unknown = options.unknown ?? 'exclude';
  const degradedUp = (options.degraded ?? 'up') === 'up';
  const available = ms.up + (degradedUp ? ms.degraded : 0) + (unknown === 'up' ? ms.unknown : 0);
  const countedMs = ms.up + ms.degraded + ms.down + (unknown === 'exclude' ? 0 : ms.unknown);
  return {
    availability: countedMs > 0 ? available / countedMs : null,
    upMs: ms.up,
    degradedMs: ms.degraded,
    downMs: ms.down,
    unknownMs: ms.unknown,
    maintenanceMs,
    countedMs,
  };
}

/** Counted probe results, as in a `Rollup` (or summed over several). */
export interface ResultCounts {
  ok: number;
  degraded: number;
  failed: number;
}

/**
 * Availability from counted results: (ok + degraded) / total, or ok / total when degraded
 * results count as failures. Null when there were no results.
 */
export function availabilityFromResults(
  counts: ResultCounts,
  options: { degraded?: 'up' | 'down' } = {},
): number | null {
  const total = counts.ok + counts.degraded + counts.failed;
  if (total <= 0) return null;
  const good = counts.ok + ((options.degraded ?? 'up') === 'up' ? counts.degraded : 0);
  return good / total;
}
