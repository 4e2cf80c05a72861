/**
 * The gateway as the dashboard sees it: routes with their deployments' breaker states and probe
 * health, and traffic per route and deployment from the request rollups.
 */
import { Hono } from 'hono';
import { QuantileSketch } from '../../core/sketch.ts';
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../store/types.ts';
import type { AuthVariables } from '../auth.ts';
import { parseRange } from '../params.ts';

/** What the gateway route needs from the running gateway. */
export interface GatewayView {
  routes(): { name: string; strategy: string; deployments: string[] }[];
  breakerStates(): {
    deployment: string;
    provider: string;
    model: string;
    phase: string;
    opens: number;
    health: string;
    inFlight: number;
    ewmaMs?: number;
    openedAt?: number;
  }[];
}

/** Routes under /api/v1/gateway. */
export function gatewayRoutes(
  gateway: GatewayView | undefined,
  store: Store,
  clock: Clock,
): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/gateway', async (c) => {
    if (!gateway) return c.json({ enabled: false, routes: [], traffic: [] });
    const { from, to } = parseRange(c.req.query(), clock.now(), 3_600_000);
    const states = new Map(gateway.breakerStates().map((s) => [s.deployment, s]));
    const routes = gateway.routes().map((r) => ({
      name: r.name,
      strategy: r.strategy,
      deployments: r.deployments.map((d) => {
        const s = states.get(d);
        return {
          name: d,
          provider: s?.provider,
          model: s?.model,
          breaker: { state: s?.phase ?? 'closed', opens: s?.opens ?? 0, openedAt: s?.openedAt },
          health: s?.health ?? 'unknown',
          inFlight: s?.inFlight ?? 0,
          ewmaMs: s?.ewmaMs,
        };
      }),
    }));
    const rollups = await store.queryRequestRollups({ tier: 'minute', from, to });
    const agg = new Map<
      string,
      {
        route: string;
        deployment: string;
        total: number;
        errors: number;
        failovers: number;
        cached: number;
        inputTokens: number;
        outputTokens: number;
        lat: QuantileSketch;
        ttft: QuantileSketch;
      }
    >();
    for (const r of rollups) {
      const key = `${r.route}\u0000${r.deployment}`;
      let a = agg.get(key);
      if (!a)
        agg.set(
          key,
          (a = {
            route: r.route,
            deployment: r.deployment,
            total: 0,
            errors: 0,
            failovers: 0,
            cached: 0,
            inputTokens: 0,
            outputTokens: 0,
            lat: new QuantileSketch(),
            ttft: new QuantileSketch(),
          }),
        );
      a.total += r.total;
      a.errors += r.errors;
      a.failovers += r.failovers;
      a.cached += r.cached;
      a.inputTokens += r.inputTokens;
      a.outputTokens += r.outputTokens;
      a.lat.mergeSerialized(r.latencySketch);
      if (r.ttftCount > 0) a.ttft.mergeSerialized(r.ttftSketch);
    }
    const q = (s: QuantileSketch, p: number) => (s.count ? Math.round(s.quantile(p) * 10) / 10 : null);
    const traffic = [...agg.values()].map((a) => ({
      route: a.route,
      deployment: a.deployment,
      total: a.total,
      errors: a.errors,
      errorRate: a.total ? a.errors / a.total : null,
      failovers: a.failovers,
      cached: a.cached,
      cacheHitRate: a.total ? a.cached / a.total : null,
      inputTokens: a.inputTokens,
      outputTokens: a.outputTokens,
      latencyP50Ms: q(a.lat, 0.5),
      latencyP95Ms: q(a.lat, 0.95),
      ttftP95Ms: q(a.ttft, 0.95),
    }));
    return c.json({ enabled: true, from, to, routes, traffic });
  });
  return app;
}
