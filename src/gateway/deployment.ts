/**
 * The live state of one deployment: its config, provider, connection pool, breaker, probe
 * health, latency EWMA, requests in flight and any injected game-day fault. Mutable, owned by
 * the gateway; the pure parts (breaker, balancer) read snapshots of it.
 */
import type { DeploymentConfig } from '../config/gateway.ts';
import type { DeploymentView, Health } from './balancer.ts';
import type { BreakerState } from './breaker.ts';
import type { InjectedFault } from './game-day.ts';
import type { ProviderAdapter, ResolvedProvider } from './providers/types.ts';
import type { UpstreamPool } from './upstream/pool.ts';

/** One deployment at run time. */
export interface DeploymentRuntime {
  /** Unique name (config `name`, else `<provider>/<model>`). */
  name: string;
  config: DeploymentConfig;
  provider: ResolvedProvider;
  adapter: ProviderAdapter;
  pool: UpstreamPool;
  breaker: BreakerState;
  health: Health;
  ewmaMs: number | undefined;
  inFlight: number;
  fault: InjectedFault | undefined;
}

/** The balancer's view of a deployment. */
export function viewOf(d: DeploymentRuntime): DeploymentView {
  const v: DeploymentView = {
    weight: d.config.weight,
    breaker: d.breaker,
    health: d.health,
    ewmaMs: d.ewmaMs,
    inFlight: d.inFlight,
  };
  if (d.config.maxInFlight !== undefined) v.maxInFlight = d.config.maxInFlight;
  return v;
}
