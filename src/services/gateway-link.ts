/**
 * The links between the gateway and the rest of nines: probe states feed deployment health
 * (the gateway's `setHealth`), the gateway's records go to the store's writer, and the API reads
 * routes and breaker states.
 *
 * A probe target feeds a deployment's health when its `provider` label is the deployment's
 * gateway provider and its model (the `model` label, else the target's model) is the
 * deployment's upstream model: up/degraded → healthy, down → unhealthy, unknown → unknown.
 */
import type { Gateway } from '../gateway/gateway.ts';
import type { GatewayView } from '../api/routes/gateway.ts';
import type { StateEvent } from '../store/types.ts';
import type { TargetStatusTracker } from './target-status.ts';

/** Routes and breaker states for the API. */
export function gatewayView(gateway: Gateway): GatewayView {
  return {
    routes: () =>
      gateway.config.routes.map((r) => ({
        name: r.model,
        strategy: r.strategy,
        deployments: r.deployments.map((d) => d.name ?? `${d.provider}/${d.model}`),
      })),
    breakerStates: () => gateway.breakerStates(),
  };
}

/** Sets every deployment's health from the current probe states (at start and after a gateway reload). */
export function applyProbeHealth(gateway: Gateway, tracker: TargetStatusTracker): void {
  for (const t of tracker.list()) applyTargetHealth(gateway, tracker, t.name);
}

function applyTargetHealth(gateway: Gateway, tracker: TargetStatusTracker, target: string): void {
  const t = tracker.get(target);
  const provider = t?.labels.provider;
  if (!t || !provider) return;
  const model = t.labels.model ?? t.model;
  const health = t.state === 'down' ? 'unhealthy' : t.state === 'unknown' ? 'unknown' : 'healthy';
  for (const d of gateway.breakerStates()) {
    if (d.provider === provider && d.model === model) gateway.setHealth(d.deployment, health);
  }
}

/** Sends probe state changes to the gateway's deployment health; returns the unsubscribe function. */
export function linkProbeHealth(gateway: Gateway, tracker: TargetStatusTracker): () => void {
  applyProbeHealth(gateway, tracker);
  return tracker.subscribe((c) => {
    if (c.kind === 'event') applyTargetHealth(gateway, tracker, (c.event as StateEvent).target);
  });
}
