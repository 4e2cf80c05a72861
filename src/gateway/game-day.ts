/**
 * Game days: faults injected on purpose into one deployment for a while (extra latency, a rate
 * of errors with a status), so failover can be rehearsed. Pure decision, `now` passed in.
 */

/** A fault injected into a deployment until `until` (ms since epoch). */
export interface InjectedFault {
  latencyMs: number;
  errorRate: number;
  errorStatus: number;
  until: number;
}

/** What an injected fault does to one attempt. */
export interface FaultEffect {
  delayMs: number;
  errorStatus?: number;
}

/** The effect of `fault` (if any, and still active at `now`) on one attempt. */
export function faultEffect(
  fault: InjectedFault | undefined,
  now: number,
  random: () => number,
): FaultEffect | undefined {
  if (!fault || now >= fault.until) return undefined;
  const effect: FaultEffect = { delayMs: fault.latencyMs };
  if (fault.errorRate > 0 && random() < fault.errorRate) effect.errorStatus = fault.errorStatus;
  return effect;
}
