/**
 * Balancer choice as a pure function (DESIGN rule 1): given a route's deployments, what is
 * known about each (breaker, probe health, latency EWMA, requests in flight) and `now`, the
 * order in which to try them. The attempt loop walks that order.
 */
import type { BreakerConfig } from '../config/gateway.ts';
import { breakerAllows, type BreakerState } from './breaker.ts';

/** Probe health reported through `setHealth`. */
export type Health = 'healthy' | 'unhealthy' | 'unknown';

/** Balancing strategies of a route. */
export type Strategy = 'failover' | 'weighted' | 'least-latency' | 'least-inflight';

/** What the balancer knows about one deployment. */
export interface DeploymentView {
  weight: number;
  breaker: BreakerState;
  health: Health;
  /** Latency EWMA in ms; undefined before the first success. */
  ewmaMs: number | undefined;
  inFlight: number;
  maxInFlight?: number;
}

/** The balancer's answer: indexes to try in order, and whether it fell back to all-open. */
export interface Plan {
  order: number[];
  allOpen: boolean;
}

/** Random source in [0, 1), passed in so tests are reproducible. */
export type Random = () => number;

function weightedShuffle(idx: number[], views: readonly DeploymentView[], random: Random): number[] {
  const left = idx.slice();
  const out: number[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, i) => sum + views[i]!.weight, 0);
    let r = random() * total;
    let pick = left.length - 1;
    for (let k = 0; k < left.length; k++) {
      r -= views[left[k]!]!.weight;
      if (r < 0) {
        pick = k;
        break;
      }
    }
    out.push(left[pick]!);
    left.splice(pick, 1);
  }
  return out;
}

/** Orders `idx` by the strategy (ties keep config order). */
export function orderByStrategy(
  strategy: Strategy,
  idx: number[],
  views: readonly DeploymentView[],
  random: Random,
): number[] {
  switch (strategy) {
    case 'failover':
      return idx;
    case 'weighted':
      return weightedShuffle(idx, views, random);
    case 'least-latency':
      // Unmeasured deployments count as fastest so each gets tried once.
      return idx.slice().sort((a, b) => (views[a]!.ewmaMs ?? 0) - (views[b]!.ewmaMs ?? 0));
    case 'least-inflight':
      return idx.slice().sort((a, b) => views[a]!.inFlight - views[b]!.inFlight);
  }
}

/**
 * Plans the attempt order: deployments whose breaker allows a request and that are not full,
 * probe-healthy ones first (a probe saying `unhealthy` demotes, the breaker's verdict excludes).
 * When none is usable and `whenAllOpen` is `try-anyway`, the one whose breaker opened longest
 * ago is tried alone; with `fail` the plan is empty.
 */
export function planAttempts(
  strategy: Strategy,
  views: readonly DeploymentView[],
  now: number,
  cfg: BreakerConfig,
  whenAllOpen: 'fail' | 'try-anyway',
  random: Random,
): Plan {
  const good: number[] = [];
  const demoted: number[] = [];
  views.forEach((v, i) => {
    if (!breakerAllows(v.breaker, now, cfg)) return;
    if (v.maxInFlight !== undefined && v.inFlight >= v.maxInFlight) return;
    (v.health === 'unhealthy' ? demoted : good).push(i);
  });
  const order = [
    ...orderByStrategy(strategy, good, views, random),
    ...orderByStrategy(strategy, demoted, views, random),
  ];
  if (order.length > 0 || whenAllOpen === 'fail') return { order, allOpen: order.length === 0 };
  let oldest = 0;
  const openedAt = (v: DeploymentView): number =>
    v.breaker.phase === 'closed' ? -Infinity : v.breaker.openedAt;
  views.forEach((v, i) => {
    if (openedAt(v) < openedAt(views[oldest]!)) oldest = i;
  });
  return { order: [oldest], allOpen: true };
}

/** Folds one latency sample into an EWMA (alpha 0.3). */
export function ewma(prev: number | undefined, sampleMs: number): number {
  return prev === undefined ? sampleMs : prev + 0.3 * (sampleMs - prev);
}
