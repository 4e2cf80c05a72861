/**
 * Retry timing: exponential backoff with jitter, capped. Pure: attempt number and a random
 * number in, delay out.
 */

/** Backoff parameters. */
export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  initialMs: number;
  /** Largest delay between attempts. */
  maxMs: number;
  /** Growth per attempt (2 doubles the delay). */
  multiplier: number;
  /** Fraction of the delay randomised either way (0.2 → ±20%), so retries of many items spread out. */
  jitter: number;
}

/** 1s, 2s, 4s … capped at 1 minute, ±20%. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.2 };

/** Delay before the next attempt after `attempts` failed attempts (1 = the first failed). */
export function backoffDelay(
  attempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, attempts - 1));
  const factor = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.max(1, Math.round(base * factor));
}
