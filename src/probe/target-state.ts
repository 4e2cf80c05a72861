/**
 * The target lifecycle (DESIGN rule 5): up / degraded / down / unknown, changed by one pure
 * transition function from probe results. A state change is confirmed only after
 * `failureThreshold` consecutive failures (to go down) or `successThreshold` consecutive
 * successes (to come back up), so a single blip does not flap the target.
 *
 * Rules, per result (ok, degraded or failed):
 * - unknown: the first ok result → up, the first degraded → degraded; `failureThreshold`
 *   consecutive failures → down.
 * - up: `failureThreshold` consecutive failures → down; that many consecutive non-ok results
 *   (some only degraded) → degraded.
 * - degraded: `failureThreshold` consecutive failures → down; `successThreshold` consecutive ok → up.
 * - down: `successThreshold` consecutive non-failed results → up if they were all ok, else degraded.
 */
import type { ProbeOutcome, ProbeResult, StateEvent, TargetState } from '../store/types.ts';

/** The state of one target plus the streak counters the transitions need. */
export interface TargetStatus {
  state: TargetState;
  /** When the current state was entered (ms since epoch), undefined while unknown. */
  since?: number;
  consecutiveOk: number;
  consecutiveFailed: number;
  /** Results in a row that were not ok (degraded or failed). */
  consecutiveNotOk: number;
  /** Results in a row that were not failed (ok or degraded). */
  consecutiveNotFailed: number;
}

/** Thresholds of a target (from its config). */
export interface StateThresholds {
  failureThreshold: number;
  successThreshold: number;
}

/** The status of a target nothing is known about yet. */
export function initialTargetStatus(): TargetStatus {
  return {
    state: 'unknown',
    consecutiveOk: 0,
    consecutiveFailed: 0,
    consecutiveNotOk: 0,
    consecutiveNotFailed: 0,
  };
}

function count(prev: TargetStatus, outcome: ProbeOutcome): TargetStatus {
  return {
    ...prev,
    consecutiveOk: outcome === 'ok' ? prev.consecutiveOk + 1 : 0,
    consecutiveFailed: outcome === 'failed' ? prev.consecutiveFailed + 1 : 0,
    consecutiveNotOk: outcome !== 'ok' ? prev.consecutiveNotOk + 1 : 0,
    consecutiveNotFailed: outcome !== 'failed' ? prev.consecutiveNotFailed + 1 : 0,
  };
}

function decide(s: TargetStatus, outcome: ProbeOutcome, t: StateThresholds): TargetState {
  const failedEnough = s.consecutiveFailed >= t.failureThreshold;
  switch (s.state) {
    case 'unknown':
      if (outcome === 'ok') return 'up';
      if (outcome === 'degraded') return 'degraded';
      return failedEnough ? 'down' : 'unknown';
    case 'up':
      if (failedEnough) return 'down';
      return s.consecutiveNotOk >= t.failureThreshold ? 'degraded' : 'up';
    case 'degraded':
      if (failedEnough) return 'down';
      return s.consecutiveOk >= t.successThreshold ? 'up' : 'degraded';
    case 'down':
      if (s.consecutiveNotFailed < t.successThreshold) return 'down';
      return s.consecutiveOk >= t.successThreshold ? 'up' : 'degraded';
  }
}

function reasonFor(to: TargetState, s: TargetStatus, result: ProbeResult): string {
  const last = result.errorClass
    ? ` (last: ${result.errorClass}${result.error ? `: ${result.error}` : ''})`
    : '';
  switch (to) {
    case 'down':
      return `${s.consecutiveFailed} consecutive failures${last}`;
    case 'degraded':
      return `${s.consecutiveNotOk > 0 ? `${s.consecutiveNotOk} consecutive degraded or failed results` : 'degraded result'}${result.error ? ` (last: ${result.error})` : ''}`;
    case 'up':
      return s.consecutiveOk > 1 ? `${s.consecutiveOk} consecutive successes` : 'probe succeeded';
    case 'unknown':
      return 'no results';
  }
}

/** Applies one probe result to a target's status; returns the new status and, on a change, the event. */
export function nextTargetState(
  status: TargetStatus,
  result: ProbeResult,
  thresholds: StateThresholds,
): { status: TargetStatus; event?: StateEvent } {
  const counted = count(status, result.outcome);
  const to = decide(counted, result.outcome, thresholds);
  if (to === status.state) return { status: counted };
  const event: StateEvent = {
    target: result.target,
    at: result.at,
    from: status.state,
    to,
    reason: reasonFor(to, counted, result),
  };
  return { status: { ...counted, state: to, since: result.at }, event };
}
