/**
 * Routes at run time: a public model name → its deployments, built from config with secrets
 * expanded and one keep-alive `UpstreamPool` per upstream origin (and forward proxy).
 */
import { UpstreamPool } from './upstream/pool.ts';
import { proxyFor, proxyName, type ProxyTarget } from './upstream/proxy.ts';
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

/**
 * The forward proxy of a provider: its `proxy:` (`${ENV}` expanded, `none` for none), else the
 * environment's (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, from the gateway's `env`).
 */
function resolveProxy(p: ProviderConfig, origin: string, env: Env, i: number): ProxyTarget | undefined {
  const at = `gateway.providers[${i}].proxy`;
  const configured = p.proxy === undefined ? undefined : expandSecret(p.proxy, env, at);
  try {
    return proxyFor(origin, configured, env);
  } catch (err) {
    if (!(err instanceof NinesError)) throw err;
    throw new NinesError('VALIDATION', `gateway.providers[${i}] (${p.name}): ${err.message}`);
  }
}

const ADAPTERS: Record<ResolvedProvider['kind'], ProviderAdapter> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
};

/** Connection pools shared by every deployment on the same origin through the same proxy (or none). */
export class Pools {
  /** By origin, or `origin via proxy` (credentials included: another login is another pool). */
  private readonly pools = new Map<string, UpstreamPool>();
  /** Drained pools, closed for good by `close()` (their connections end on their own before). */
  private readonly retired = new Set<UpstreamPool>();

  /** The pool for `origin` (through `proxy`, if any), created on first use. */
  get(origin: string, connections: number, proxy?: ProxyTarget): UpstreamPool {
    const key = proxy ? `${origin} via ${proxyName(proxy)} ${proxy.authorization ?? ''}` : origin;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new UpstreamPool(origin, {
        connections,
        keepAliveMs: 30_000,
        connectTimeoutMs: 5000,
        ...(proxy ? { proxy } : {}),
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /**
   * After a reload: each pool still used by a deployment gets its (possibly new) connection
   * limit; the others (an origin no longer used, or one now reached through another proxy) are
   * drained: closed once their requests end.
   */
  retain(inUse: Map<UpstreamPool, number>): void {
    for (const [key, pool] of this.pools) {
      const limit = inUse.get(pool);
      if (limit === undefined) {
        pool.drain();
        this.pools.delete(key);
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
    config.providers.map((p, i) => {
      const resolved = resolveProvider(p, env, i);
      return [p.name, { cfg: p, resolved, proxy: resolveProxy(p, resolved.origin, env, i) }];
    }),
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
          kept.pool = pools.get(p.resolved.origin, p.cfg.connections, p.proxy);
        });
        return kept;
      }
      const d: DeploymentRuntime = {
        name,
        config: dc,
        provider: p.resolved,
        adapter: ADAPTERS[p.resolved.kind],
        pool: pools.get(p.resolved.origin, p.cfg.connections, p.proxy),
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
