/**
 * Routes at run time: a public model name → its deployments, built from config with secrets
 * expanded and one keep-alive `UpstreamPool` per upstream origin.
 */
import { UpstreamPool } from './upstream/pool.ts';
import type { BreakerConfig, GatewayConfig, ProviderConfig, RouteConfig } from '../config/gateway.ts';
import { expandEnvRefs } from '../config/env-refs.ts';
import { NinesError } from '../core/errors.ts';
import type { Plan } from './balancer.ts';
import { closedBreaker } from './breaker.ts';
import { ResponseCache } from './cache.ts';
import type { DeploymentRuntime } from './deployment.ts';
import { anthropicAdapter } from './providers/anthropic.ts';
import { openaiAdapter } from './providers/openai.ts';
import type { ProviderAdapter, ResolvedProvider } from './providers/types.ts';

/** One route at run time. */
export interface RouteRuntime {
  config: RouteConfig;
  deployments: DeploymentRuntime[];
  breakerConfig: BreakerConfig;
  cache: ResponseCache | undefined;
  redact: RegExp[];
  /** Every deployment in config order: the plan when all are closed and usable (read-only). */
  inOrder: Plan;
}

/** Environment variables, for `${ENV}` expansion. */
export type Env = Record<string, string | undefined>;

/** Expands `${ENV}` references of a secret field; a missing variable is a start-up error. */
export function expandSecret(text: string, env: Env, path: string): string {
  const { value, missing } = expandEnvRefs(text, env);
  if (missing.length > 0)
    throw new NinesError('VALIDATION', `${path}: environment variable ${missing.join(', ')} is not set`);
  return value;
}

function resolveProvider(p: ProviderConfig, env: Env, i: number): ResolvedProvider {
  const url = new URL(p.baseUrl);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers))
    headers[k.toLowerCase()] = expandSecret(v, env, `gateway.providers[${i}].headers.${k}`);
  return {
    name: p.name,
    kind: p.kind,
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    apiKey:
      p.apiKey === undefined ? undefined : expandSecret(p.apiKey, env, `gateway.providers[${i}].apiKey`),
    headers,
    streamUsage: p.streamUsage,
  };
}

const ADAPTERS: Record<ResolvedProvider['kind'], ProviderAdapter> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
};

/** Connection pools shared by every deployment on the same origin. */
export class Pools {
  private readonly pools = new Map<string, UpstreamPool>();
  /** Drained pools, closed for good by `close()` (their connections end on their own before). */
  private readonly retired = new Set<UpstreamPool>();

  /** The pool for `origin`, created on first use. */
  get(origin: string, connections: number): UpstreamPool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new UpstreamPool(origin, { connections, keepAliveMs: 30_000, connectTimeoutMs: 5000 });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /**
   * After a reload: each origin still in use gets its (possibly new) connection limit, and the
   * pools of origins no longer used are drained (closed once their requests end).
   */
  retain(limits: Map<string, number>): void {
    for (const [origin, pool] of this.pools) {
      const limit = limits.get(origin);
      if (limit === undefined) {
        pool.drain();
        this.pools.delete(origin);
        this.retired.add(pool);
      } else pool.setConnectionLimit(limit);
    }
  }

  /** Closes every pool, dropping idle and in-flight connections. */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values(), ...this.retired].map((p) => p.close()));
    this.pools.clear();
    this.retired.clear();
  }
}

/** Whether a deployment's upstream (protocol, address, path, secrets, model) is unchanged. */
function sameUpstream(d: DeploymentRuntime, p: ResolvedProvider, model: string): boolean {
  const a = d.provider;
  return (
    a.name === p.name &&
    a.kind === p.kind &&
    a.origin === p.origin &&
    a.basePath === p.basePath &&
    a.apiKey === p.apiKey &&
    a.streamUsage === p.streamUsage &&
    JSON.stringify(a.headers) === JSON.stringify(p.headers) &&
    d.config.model === model
  );
}

/** What a reload may carry over from the running gateway. */
export interface PreviousRuntime {
  /** Running deployments by name: one with the same upstream keeps its breaker, health, EWMA and fault. */
  deployments: Map<string, DeploymentRuntime>;
  /** Running routes by public model: a route whose cache settings are unchanged keeps its cache. */
  routes: Map<string, RouteRuntime>;
}

/**
 * Builds every route (and its deployments) from the config. With `previous` (a reload), a
 * deployment whose upstream is unchanged is the same runtime object, with its new config
 * (weight, limits) applied, so requests in flight and new ones share its breaker.
 */
export function buildRoutes(
  config: GatewayConfig,
  env: Env,
  pools: Pools,
  now: number,
  previous?: PreviousRuntime,
): Map<string, RouteRuntime> {
  const providers = new Map(
    config.providers.map((p, i) => [p.name, { cfg: p, resolved: resolveProvider(p, env, i) }]),
  );
  const routes = new Map<string, RouteRuntime>();
  const byName = new Map<string, DeploymentRuntime>();
  // Changes to kept runtime objects wait until the whole config has built without an error.
  const updates: (() => void)[] = [];
  for (const r of config.routes) {
    const deployments = r.deployments.map((dc) => {
      const name = dc.name ?? `${dc.provider}/${dc.model}`;
      const existing = byName.get(name);
      if (existing) return existing; // the same deployment in several routes shares its breaker
      const p = providers.get(dc.provider);
      if (!p) throw new NinesError('VALIDATION', `gateway: unknown provider ${dc.provider}`);
      const kept = previous?.deployments.get(name);
      if (kept && sameUpstream(kept, p.resolved, dc.model)) {
        byName.set(name, kept);
        updates.push(() => {
          kept.config = dc;
          kept.pool = pools.get(p.resolved.origin, p.cfg.connections);
        });
        return kept;
      }
      const d: DeploymentRuntime = {
        name,
        config: dc,
        provider: p.resolved,
        adapter: ADAPTERS[p.resolved.kind],
        pool: pools.get(p.resolved.origin, p.cfg.connections),
        breaker: closedBreaker(now),
        health: 'unknown',
        ewmaMs: undefined,
        inFlight: 0,
        fault: undefined,
      };
      byName.set(name, d);
      return d;
    });
    const old = previous?.routes.get(r.model);
    const keepCache =
      old?.cache !== undefined &&
      r.cache.enabled &&
      old.config.cache.maxEntries === r.cache.maxEntries &&
      old.config.cache.ttl === r.cache.ttl;
    routes.set(r.model, {
      config: r,
      deployments,
      breakerConfig: config.breaker,
      cache: keepCache
        ? old.cache
        : r.cache.enabled
          ? new ResponseCache(r.cache.maxEntries, r.cache.ttl)
          : undefined,
      redact: r.redact.map((re) => new RegExp(re, 'g')),
      inOrder: { order: deployments.map((_, i) => i), allOpen: false },
    });
  }
  for (const apply of updates) apply();
  return routes;
}

/** Every distinct deployment across routes. */
export function allDeployments(routes: Map<string, RouteRuntime>): DeploymentRuntime[] {
  return [...new Set([...routes.values()].flatMap((r) => r.deployments))];
}
