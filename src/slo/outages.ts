/**
 * Outages, MTBF and MTTR from state transitions, and availability grades ("three nines").
 * An outage is a continuous stretch in `down` (and in `degraded` too when degraded counts as
 * down); it ends at the first event that leaves those states (to up, or to unknown).
 */
import type { StateEvent, TargetState } from '../store/types.ts';
import { availabilityFromEvents, type AvailabilityOptions, type Window } from './availability.ts';

/** One outage seen in a window. */
export interface Outage {
  /** When it began; the window start when it was already under way and no earlier event says when. */
  start: number;
  /** When it ended; undefined while it is still going on at the window end. */
  end?: number;
  ongoing: boolean;
  /** Full length (to the window end when ongoing), including any part before the window. */
  durationMs: number;
  /** The part of it inside the window. */
  inWindowMs: number;
  /** True when it began before the window (it spans the window's left edge). */
  startedBeforeWindow: boolean;
}

function isOutageState(s: TargetState, degraded: 'up' | 'down'): boolean {
  return s === 'down' || (s === 'degraded' && degraded === 'down');
}

/**
 * Outages that overlap the window, oldest first. Events before the window are used to find
 * the true start of an outage spanning the window's left edge; events at or after `to` are ignored.
 */
export function listOutages(
  events: readonly StateEvent[],
  window: Window,
  options: Pick<AvailabilityOptions, 'degraded' | 'initialState'> = {},
): Outage[] {
  const degraded = options.degraded ?? 'up';
  const sorted = [...events].filter((e) => e.at < window.to).sort((a, b) => a.at - b.at);
  const outages: Outage[] = [];
  let state: TargetState = options.initialState ?? 'unknown';
  let start: number | undefined = isOutageState(state, degraded) ? -Infinity : undefined;
  const close = (end: number | undefined): void => {
    if (start === undefined) return;
    const s = start === -Infinity ? window.from : start;
    const e = end ?? window.to;
    if (e > window.from) {
      outages.push({
        start: s,
        ...(end === undefined ? {} : { end }),
        ongoing: end === undefined,
        durationMs: e - s,
        inWindowMs: Math.max(0, e - Math.max(s, window.from)),
        startedBeforeWindow: s < window.from,
      });
    }
    start = undefined;
  };
  for (const e of sorted) {
    const wasDown = isOutageState(state, degraded);
    const isDown = isOutageState(e.to, degraded);
    if (!wasDown && isDown) start = e.at;
    else if (wasDown && !isDown) close(e.at);
    state = e.to;
  }
  close(undefined);
  return outages;
}

/** Mean time between failures and to recovery over a window. */
export interface ReliabilityFigures {
  outages: Outage[];
  /** Available time in the window (net of maintenance) / outages that began in it; null if none began. */
  mtbfMs: number | null;
  /** Mean full duration of the outages that ended in the window; null if none ended. */
  mttrMs: number | null;
  availability: number | null;
}

/** MTBF, MTTR, the outage list and availability for one target over a window. */
export function reliability(
  events: readonly StateEvent[],
  window: Window,
  options: AvailabilityOptions = {},
): ReliabilityFigures {
  const outages = listOutages(events, window, options);
  const avail = availabilityFromEvents(events, window, options);
  const began = outages.filter((o) => !o.startedBeforeWindow).length;
  const degradedUp = (options.degraded ?? 'up') === 'up';
  const availableMs =
    avail.upMs + (degradedUp ? avail.degradedMs : 0) + (options.unknown === 'up' ? avail.unknownMs : 0);
  const ended = outages.filter((o) => !o.ongoing);
  return {
    outages,
    mtbfMs: began > 0 ? availableMs / began : null,
    mttrMs: ended.length > 0 ? ended.reduce((s, o) => s + o.durationMs, 0) / ended.length : null,
    availability: avail.availability,
  };
}

/** Mean time between failures: available time / failures that began in the window (null if none). */
export function mtbf(
  events: readonly StateEvent[],
  window: Window,
  options: AvailabilityOptions = {},
): number | null {
  return reliability(events, window, options).mtbfMs;
}

/** Mean time to recovery: mean duration of outages that ended in the window (null if none). */
export function mttr(
  events: readonly StateEvent[],
  window: Window,
  options: AvailabilityOptions = {},
): number | null {
  return reliability(events, window, options).mttrMs;
}

/** A readable grade for an availability ratio. */
export interface AvailabilityGrade {
  /** Truncated (never rounded up) percentage, e.g. `99.95%`; 0.99999 is never shown as 100%. */
  percent: string;
  /** Count of nines, one decimal, truncated: 0.999 → 3, 0.9995 → 3.3; Infinity for 1. */
  nines: number;
  /** A+ ≥ 99.99%, A ≥ 99.9%, B ≥ 99.5%, C ≥ 99%, D ≥ 95%, else F. */
  letter: 'A+' | 'A' | 'B' | 'C' | 'D' | 'F';
}

const LETTERS: readonly [number, AvailabilityGrade['letter']][] = [
  [0.9999, 'A+'],
  [0.999, 'A'],
  [0.995, 'B'],
  [0.99, 'C'],
  [0.95, 'D'],
];

/** Grades an availability ratio in [0, 1] (see `AvailabilityGrade`). */
export function availabilityGrade(availability: number, decimals = 3): AvailabilityGrade {
  const a = Math.min(1, Math.max(0, availability));
  const scale = 10 ** decimals;
  // Work in integers (percent × scale) and nudge for binary fractions such as 0.999 * 100.
  const truncated = Math.floor(a * 100 * scale + 1e-6) / scale;
  const percent = `${truncated.toFixed(decimals).replace(/\.?0+$/, '')}%`;
  const nines = a >= 1 ? Infinity : Math.floor(-Math.log10(1 - a) * 10 + 1e-6) / 10;
  const letter = LETTERS.find(([min]) => a + 1e-12 >= min)?.[1] ?? 'F';
  return { percent, nines, letter };
}
