/**
 * The per-deployment circuit breaker as a pure state machine (DESIGN rules 1 and 5): one union
 * of states and one transition function of (state, event, now, settings). No timers: an open
 * breaker becomes usable when `now` passes its cooldown, which `breakerAllows` checks.
 */
import type { BreakerConfig } from '../config/gateway.ts';

/** Counters of the closed state's current tumbling window. */
interface WindowCounts {
  windowStart: number;
  requests: number;
  failures: number;
  consecutive: number;
}

/** A breaker's state. `opens` counts every closed/half-open → open transition. */
export type BreakerState =
  | ({ phase: 'closed'; opens: number } & WindowCounts)
  | { phase: 'open'; opens: number; openedAt: number }
  | { phase: 'half-open'; opens: number; openedAt: number; inFlight: number; successes: number };

/** What happened to a deployment: a request started, succeeded, failed, or was abandoned. */
export type BreakerEvent = 'acquire' | 'success' | 'failure' | 'release';

/** Phase names, for metrics (0 closed, 1 half-open, 2 open). */
export const BREAKER_PHASE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** A fresh closed breaker. */
export function closedBreaker(now: number, opens = 0): BreakerState {
  return { phase: 'closed', opens, windowStart: now, requests: 0, failures: 0, consecutive: 0 };
}

/** True when a request may be sent through this breaker now. */
export function breakerAllows(s: BreakerState, now: number, cfg: BreakerConfig): boolean {
  switch (s.phase) {
    case 'closed':
      return true;
    case 'open':
      return now - s.openedAt >= cfg.cooldown;
    case 'half-open':
      return s.inFlight < cfg.halfOpenRequests;
  }
}

function open(s: BreakerState, now: number): BreakerState {
  return { phase: 'open', opens: s.opens + 1, openedAt: now };
}

function stepClosed(
  s: Extract<BreakerState, { phase: 'closed' }>,
  event: BreakerEvent,
  now: number,
  cfg: BreakerConfig,
): BreakerState {
  if (event === 'acquire' || event === 'release') return s;
  // Object literals of one shape (no spreads): this runs once per request.
  const fresh = now - s.windowStart >= cfg.window;
  const windowStart = fresh ? now : s.windowStart;
  const requests = (fresh ? 0 : s.requests) + 1;
  const before = fresh ? 0 : s.failures;
  if (event === 'success') {
    return { phase: 'closed', opens: s.opens, windowStart, requests, failures: before, consecutive: 0 };
  }
  const failures = before + 1;
  const consecutive = s.consecutive + 1;
  if (consecutive >= cfg.consecutiveFailures) return open(s, now);
  if (requests >= cfg.minRequests && failures / requests >= cfg.errorRate) return open(s, now);
  return { phase: 'closed', opens: s.opens, windowStart, requests, failures, consecutive };
}

/**
 * The one transition function. `acquire` is sent when a request is about to use the
 * deployment (it moves an open breaker past its cooldown to half-open and counts trials);
 * `release` when a request ended without a verdict (client went away, 4xx of the client).
 */
export function breakerStep(
  s: BreakerState,
  event: BreakerEvent,
  now: number,
  cfg: BreakerConfig,
): BreakerState {
  switch (s.phase) {
    case 'closed':
      return stepClosed(s, event, now, cfg);
    case 'open':
      if (event === 'acquire' && now - s.openedAt >= cfg.cooldown) {
        return { phase: 'half-open', opens: s.opens, openedAt: s.openedAt, inFlight: 1, successes: 0 };
      }
      return s; // verdicts of requests started before it opened do not count
    case 'half-open': {
      if (event === 'acquire') return { ...s, inFlight: s.inFlight + 1 };
      const inFlight = Math.max(0, s.inFlight - 1);
      if (event === 'release') return { ...s, inFlight };
      if (event === 'failure') return open(s, now);
      const successes = s.successes + 1;
      if (successes >= cfg.halfOpenRequests) return closedBreaker(now, s.opens);
      return { ...s, inFlight, successes };
    }
  }
}
