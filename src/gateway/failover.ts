/**
 * The attempt stage: plan the deployments (balancer), then try them in order, retrying and
 * failing over on connect errors, timeouts, 429 and 5xx, never on the client's own 4xx, within
 * the route's attempt budget and total deadline. Every verdict goes through the breaker.
 */
import { NinesError } from '../core/errors.ts';
import type { Cancellation, CancelListener } from './cancellation.ts';
import { type AttemptInput, type AttemptOutcome, runAttempt } from './attempt.ts';
import { ewma, planAttempts, type Plan } from './balancer.ts';
import { breakerAllows, breakerStep, type BreakerEvent } from './breaker.ts';
import { viewOf, type DeploymentRuntime } from './deployment.ts';
import { faultEffect } from './game-day.ts';
import type { RouteRuntime } from './route.ts';

/** The result of the attempt stage. */
export interface FailoverResult {
  outcome: Exclude<AttemptOutcome, { kind: 'failure' }>;
  deployment: DeploymentRuntime;
  attempts: number;
  failovers: number;
  /** Time to the response head / first token of the successful attempt, ms from request start. */
  firstByteAt: number;
}

/** Counters reported back to the caller even when every attempt failed. */
export interface AttemptStats {
  attempts: number;
  failovers: number;
  deployment: DeploymentRuntime | undefined;
}

/** Hooks for metrics and time. */
export interface FailoverEnv {
  now(): number;
  random(): number;
  setTimer(ms: number, fn: () => void): { cancel(): void };
  onBreakerChange(d: DeploymentRuntime, opened: boolean): void;
  onRetry(route: RouteRuntime, failover: boolean): void;
}

/** Sends a breaker event to a deployment, reporting phase changes. */
export function breakerEvent(
  d: DeploymentRuntime,
  event: BreakerEvent,
  route: RouteRuntime,
  env: FailoverEnv,
): void {
  const before = d.breaker;
  d.breaker = breakerStep(before, event, env.now(), route.breakerConfig);
  if (before.phase !== d.breaker.phase) env.onBreakerChange(d, d.breaker.phase === 'open');
}

function sleep(ms: number, signal: Cancellation, env: FailoverEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const listener: CancelListener = {
      cancelled(reason) {
        t.cancel();
        reject(reason as Error);
      },
    };
    const t = env.setTimer(ms, () => {
      signal.off(listener);
      resolve();
    });
    signal.onAbort(listener);
  });
}

/**
 * The common case without allocating views: a `failover` route whose deployments are all closed,
 * not probed unhealthy and not full plans them in config order, exactly as `planAttempts` would.
 */
function plan(route: RouteRuntime, env: FailoverEnv): Plan {
  const { strategy, whenAllOpen } = route.config;
  if (strategy === 'failover') {
    let simple = true;
    for (const d of route.deployments) {
      const max = d.config.maxInFlight;
      if (
        d.breaker.phase !== 'closed' ||
        d.health === 'unhealthy' ||
        (max !== undefined && d.inFlight >= max)
      ) {
        simple = false;
        break;
      }
    }
    if (simple && route.inOrder.order.length > 0) return route.inOrder;
  }
  return planAttempts(
    strategy,
    route.deployments.map(viewOf),
    env.now(),
    route.breakerConfig,
    whenAllOpen,
    env.random,
  );
}

/** The error the client gets when every attempt failed. */
function finalError(last: AttemptOutcome | undefined, route: string): NinesError {
  if (last?.kind !== 'failure')
    return new NinesError('UNAVAILABLE', `no deployment of ${route} could be tried`);
  // Not retryable (the client's own mistake, found before or by the upstream): its own message.
  if (!last.error.retryable) return last.error;
  const status = last.error.details.upstreamStatus;
  if (status === 429) {
    return new NinesError(
      'RATE_LIMITED',
      `every deployment of ${route} is rate limited: ${last.error.message}`,
      {
        retryable: true,
        details: { retryAfterMs: last.retryAfterMs },
      },
    );
  }
  return new NinesError(last.error.code, `all attempts failed for ${route}; last: ${last.error.message}`, {
    retryable: true,
  });
}

/** Runs attempts until one succeeds, the budget runs out, or the request is aborted. */
export async function attemptWithFailover(
  route: RouteRuntime,
  input: AttemptInput,
  startedAt: number,
  stats: AttemptStats,
  env: FailoverEnv,
): Promise<FailoverResult> {
  const { retry, deadlines } = route.config;
  const { order, allOpen } = plan(route, env);
  if (order.length === 0) {
    throw new NinesError(
      'UNAVAILABLE',
      `every deployment of ${route.config.model} has an open breaker (whenAllOpen: fail)`,
    );
  }
  let last: AttemptOutcome | undefined;
  let prev: DeploymentRuntime | undefined;
  let cursor = 0;
  while (stats.attempts < retry.maxAttempts) {
    // Next deployment in plan order whose breaker still allows a request (all-open plans try anyway).
    let d: DeploymentRuntime | undefined;
    for (let k = 0; k < order.length && !d; k++) {
      const cand = route.deployments[order[(cursor + k) % order.length]!]!;
      if (allOpen || breakerAllows(cand.breaker, env.now(), route.breakerConfig)) {
        d = cand;
        cursor += k + 1;
      }
    }
    if (!d) break;
    const remaining = deadlines.total - (env.now() - startedAt);
    if (prev === d && last?.kind === 'failure') {
      const wait = last.retryAfterMs ?? retry.backoff;
      if (last.retryAfterMs !== undefined && wait > retry.maxRetryAfter) break;
      if (wait >= remaining) break;
      await sleep(wait, input.signal, env);
    }
    if (prev !== undefined) env.onRetry(route, prev !== d);
    if (prev !== undefined && prev !== d) stats.failovers++;
    stats.attempts++;
    stats.deployment = d;
    prev = d;
    const left = deadlines.total - (env.now() - startedAt);
    if (left <= 0) break;
    const attemptStart = env.now();
    breakerEvent(d, 'acquire', route, env);
    d.inFlight++;
    let outcome: AttemptOutcome;
    try {
      const effect = faultEffect(d.fault, attemptStart, env.random);
      if (effect && effect.delayMs > 0) await sleep(effect.delayMs, input.signal, env);
      if (effect?.errorStatus !== undefined) {
        const error = new NinesError('UPSTREAM', `${d.name}: game-day fault answered ${effect.errorStatus}`, {
          retryable: true,
          details: { upstreamStatus: effect.errorStatus },
        });
        outcome = { kind: 'failure', error, verdict: 'failure' };
      } else {
        outcome = await runAttempt(d, input, attemptStart, left);
      }
    } catch (err) {
      d.inFlight--;
      breakerEvent(d, 'release', route, env);
      throw err;
    }
    d.inFlight--;
    if (outcome.kind === 'failure') {
      breakerEvent(d, outcome.verdict === 'failure' ? 'failure' : 'release', route, env);
      last = outcome;
      if (!outcome.error.retryable) break;
      continue;
    }
    if (outcome.kind === 'client-error') breakerEvent(d, 'release', route, env);
    else {
      breakerEvent(d, 'success', route, env);
      d.ewmaMs = ewma(d.ewmaMs, env.now() - attemptStart);
    }
    return {
      outcome,
      deployment: d,
      attempts: stats.attempts,
      failovers: stats.failovers,
      firstByteAt: env.now() - startedAt,
    };
  }
  throw finalError(last, route.config.model);
}
