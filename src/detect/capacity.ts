/**
 * Capacity planning from traffic forecasts: Little's law (concurrency L = arrival rate λ × time in
 * system W) per route, then the replica count that keeps each replica under a target utilisation
 * of its concurrency limit at the forecast peak (using the interval's upper edge). Pure.
 */
import type { ForecastPoint } from './forecast.ts';

/** One route's forecast traffic and latency. */
export interface RouteDemand {
  route: string;
  /** Forecast requests per second over the planning horizon. */
  rpsForecast: readonly ForecastPoint[];
  /** Mean time a request spends in the system, in seconds (use p50–mean latency, not p99). */
  latencySeconds: number;
}

/** Replica sizing inputs. */
export interface CapacityOptions {
  /** Concurrent requests one replica serves at full load. */
  replicaConcurrency: number;
  /** Fraction of `replicaConcurrency` to plan for (default 0.7, headroom for bursts). */
  targetUtilization?: number;
  /** Never suggest fewer replicas (default 1). */
  minReplicas?: number;
}

/** Plan for one route. */
export interface RoutePlan {
  route: string;
  peakRps: number;
  /** Upper edge of the forecast interval at the peak. */
  peakRpsUpper: number;
  peakAtMs: number;
  /** λ × W at the expected peak. */
  concurrency: number;
  /** λ × W at the interval's upper edge. */
  concurrencyUpper: number;
  replicas: number;
}

/** The whole plan: per route, and the total if routes share one pool. */
export interface CapacityPlan {
  routes: RoutePlan[];
  totalConcurrencyUpper: number;
  totalReplicas: number;
}

/** Replicas needed for `concurrency` at the given per-replica limit and utilisation. */
export function replicasFor(concurrency: number, opts: CapacityOptions): number {
  const perReplica = opts.replicaConcurrency * (opts.targetUtilization ?? 0.7);
  if (!(perReplica > 0)) throw new RangeError('replicaConcurrency × targetUtilization must be > 0');
  return Math.max(opts.minReplicas ?? 1, Math.ceil(Math.max(0, concurrency) / perReplica - 1e-9));
}

/** Little's-law concurrency and suggested replicas per route and for a shared pool. */
export function capacityPlan(demands: readonly RouteDemand[], opts: CapacityOptions): CapacityPlan {
  const routes = demands.map((d): RoutePlan => {
    let peak = d.rpsForecast[0];
    for (const f of d.rpsForecast) if (peak === undefined || f.upper > peak.upper) peak = f;
    const mean = Math.max(0, peak?.mean ?? 0);
    const upper = Math.max(0, peak?.upper ?? 0);
    const w = Math.max(0, d.latencySeconds);
    return {
      route: d.route,
      peakRps: mean,
      peakRpsUpper: upper,
      peakAtMs: peak?.timestampMs ?? Number.NaN,
      concurrency: mean * w,
      concurrencyUpper: upper * w,
      replicas: replicasFor(upper * w, opts),
    };
  });
  const total = routes.reduce((s, r) => s + r.concurrencyUpper, 0);
  return { routes, totalConcurrencyUpper: total, totalReplicas: replicasFor(total, opts) };
}
