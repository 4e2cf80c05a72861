/**
 * `createGateway`: builds the OpenAI-compatible failover gateway from its config section and
 * listens on its own HTTP server (src/gateway/server/; the handler also mounts on node:http),
 * plus the control interface the rest of nines uses: probe health in (`setHealth`), breaker states out, game-day faults, close.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { gatewaySchema, type GatewayConfig, type GatewayConfigInput } from '../config/gateway.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { NinesError } from '../core/errors.ts';
import { handleAdmin, faultRequestSchema, type FaultRequest } from './admin.ts';
import type { Health } from './balancer.ts';
import type { BreakerState } from './breaker.ts';
import { Deadlines } from './deadlines.ts';
import type { FailoverEnv } from './failover.ts';
import { handleProxied, authStage } from './handle.ts';
import { sendError, sendJson } from './http-io.ts';
import { createGatewayServer, type GatewayHttpServer } from './server/server.ts';
import type { HttpRequestLike, HttpResponseLike } from './server/types.ts';
import { buildKeys, mayUse } from './keys.ts';
import { createMetrics } from './metrics.ts';
import { nullRecorder, type Recorder } from './recorder.ts';
import { allDeployments, buildRoutes, expandSecret, Pools, type Env, type RouteRuntime } from './route.ts';
import type { DeploymentRuntime } from './deployment.ts';
import type { GatewayState } from './state.ts';
import type { Endpoint } from './providers/types.ts';

/** Options of `createGateway`. */
export interface GatewayOptions {
  clock?: Clock;
  recorder?: Recorder;
  /** prom-client registry to register metrics on; a private one by default. */
  registry?: Registry;
  /** Environment for `${ENV}` secrets; default `process.env`. */
  env?: Env;
  /** Random source in [0,1) for weighted choice and injected faults; default Math.random. */
  random?: () => number;
}

/** One deployment's state as shown by the API and `/admin/breakers`. */
export interface DeploymentStatus {
  deployment: string;
  provider: string;
  model: string;
  phase: BreakerState['phase'];
  opens: number;
  /** When the breaker last opened (ms since epoch), if it ever did. */
  openedAt?: number;
  health: Health;
  inFlight: number;
  ewmaMs?: number;
  fault?: { latencyMs: number; errorRate: number; errorStatus: number; until: number };
}

/** The running gateway. */
export interface Gateway {
  /** The request handler: `listen` serves it; it also mounts on a node:http server of one's own. */
  handler(req: HttpRequestLike, res: HttpResponseLike): void;
  /** Listens on `port`/`host` (default: the config's); resolves to the bound address. */
  listen(port?: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /** Probe health of a deployment (probes → gateway); an unhealthy one is tried last. */
  setHealth(deployment: string, health: Health): void;
  breakerStates(): DeploymentStatus[];
  /** Game day: injects latency/errors into a deployment for `duration`. */
  injectFault(fault: Partial<FaultRequest> & { deployment: string; duration: number | string }): void;
  clearFault(deployment: string): void;
  /**
   * Applies a new gateway config without a restart: routes, deployments, keys, breaker and
   * retry settings, caches, the admin token. Builds everything first; on a bad config or a
   * missing `${ENV}` secret it throws and the running config stays. See `GatewayReload`.
   */
  reload(input: GatewayConfig | GatewayConfigInput): GatewayReload;
  /** Stops listening, closes upstream connections, and waits (≤ 5 s) until cut requests are recorded. */
  close(): Promise<void>;
  /** The config in force (the latest one reloaded). */
  readonly config: GatewayConfig;
}

/** What a reload changed. */
export interface GatewayReload {
  /** Deployments that kept their runtime state (same name and upstream). */
  kept: string[];
  /** New deployments, or ones whose upstream changed (fresh breaker). */
  added: string[];
  removed: string[];
  /** Settings that changed but apply only at restart (`port`, `host`). */
  needsRestart: string[];
}

const ENDPOINTS: Record<string, Endpoint> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
  '/chat/completions': 'chat',
  '/completions': 'completions',
  '/embeddings': 'embeddings',
};

/** The gateway section validated, or VALIDATION naming the first bad field. */
function parseGatewayConfig(input: GatewayConfig | GatewayConfigInput): GatewayConfig {
  const parsed = gatewaySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new NinesError('VALIDATION', `gateway.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function adminTokenOf(config: GatewayConfig, env: Env): string | undefined {
  return config.adminToken === undefined
    ? undefined
    : expandSecret(config.adminToken, env, 'gateway.adminToken');
}

/** Connection limit of each pool in use (the first provider on a pool sets it, as at start). */
function poolLimits(
  config: GatewayConfig,
  deployments: readonly DeploymentRuntime[],
): Map<DeploymentRuntime['pool'], number> {
  const connections = new Map(config.providers.map((p) => [p.name, p.connections]));
  const limits = new Map<DeploymentRuntime['pool'], number>();
  for (const d of deployments) {
    // Every deployment's provider is in the config it was built from.
    if (!limits.has(d.pool)) limits.set(d.pool, connections.get(d.provider.name)!);
  }
  return limits;
}

/** Builds the gateway; throws VALIDATION for a bad config or a missing `${ENV}` secret. */
export function createGateway(
  input: GatewayConfig | GatewayConfigInput,
  options: GatewayOptions = {},
): Gateway {
  let config = parseGatewayConfig(input);
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const random = options.random ?? Math.random;
  const pools = new Pools();
  let routes = buildRoutes(config, env, pools, clock.now());
  let deployments = allDeployments(routes);
  let byName = new Map(deployments.map((d) => [d.name, d]));
  const metrics = createMetrics(options.registry ?? new Registry(), () => deployments);
  const failoverEnv: FailoverEnv = {
    now: () => clock.now(),
    random,
    setTimer: (ms, fn) => clock.setTimer(ms, fn),
    onBreakerChange: (d, opened) => {
      if (opened) metrics.breakerOpens.inc({ deployment: d.name });
    },
    onRetry: (route, failover) => {
      metrics.retries.inc({ route: route.config.model });
      if (failover) metrics.failovers.inc({ route: route.config.model });
    },
  };
  const prefix = randomBytes(4).toString('hex');
  let seq = 0;
  const gw: GatewayState = {
    config,
    routes,
    keys: buildKeys(config.keys, env),
    metrics,
    recorder: options.recorder ?? nullRecorder,
    clock,
    env: failoverEnv,
    deadlines: new Deadlines(clock),
    adminToken: adminTokenOf(config, env),
    active: 0,
    nextId: () => `req-${prefix}-${(++seq).toString(36)}`,
  };

  const deployment = (name: string) => {
    const d = byName.get(name);
    if (!d) throw new NinesError('NOT_FOUND', `no deployment named ${name}`);
    return d;
  };
  const breakerStates = (): DeploymentStatus[] =>
    deployments.map((d) => {
      const s: DeploymentStatus = {
        deployment: d.name,
        provider: d.provider.name,
        model: d.config.model,
        phase: d.breaker.phase,
        opens: d.breaker.opens,
        health: d.health,
        inFlight: d.inFlight,
      };
      if (d.breaker.phase !== 'closed') s.openedAt = d.breaker.openedAt;
      if (d.ewmaMs !== undefined) s.ewmaMs = Math.round(d.ewmaMs * 10) / 10;
      if (d.fault && d.fault.until > clock.now()) s.fault = { ...d.fault };
      return s;
    });
  const injectFault = (
    f: Partial<FaultRequest> & { deployment: string; duration: number | string },
  ): void => {
    const p = faultRequestSchema.parse(f);
    deployment(p.deployment).fault = {
      latencyMs: p.latencyMs,
      errorRate: p.errorRate,
      errorStatus: p.errorStatus,
      until: clock.now() + p.duration,
    };
  };
  const control = {
    breakerStates,
    injectFault,
    clearFault: (name: string) => void (deployment(name).fault = undefined),
    setHealth: (name: string, health: Health) => void (deployment(name).health = health),
  };

  /** The listening server, once `listen` ran. */
  let server: GatewayHttpServer | undefined;

  function reload(next: GatewayConfig | GatewayConfigInput): GatewayReload {
    const nextConfig = parseGatewayConfig(next);
    let nextRoutes: Map<string, RouteRuntime>;
    let nextKeys: GatewayState['keys'];
    let nextAdmin: string | undefined;
    try {
      nextRoutes = buildRoutes(nextConfig, env, pools, clock.now(), { deployments: byName, routes });
      nextKeys = buildKeys(nextConfig.keys, env, gw.keys);
      nextAdmin = adminTokenOf(nextConfig, env);
    } catch (err) {
      pools.retain(poolLimits(config, deployments)); // drops pools the failed build opened
      throw err;
    }
    const nextDeployments = allDeployments(nextRoutes);
    const old = new Set(deployments);
    const stillUsed = new Set(nextDeployments);
    const result: GatewayReload = {
      kept: nextDeployments.filter((d) => old.has(d)).map((d) => d.name),
      added: nextDeployments.filter((d) => !old.has(d)).map((d) => d.name),
      removed: deployments.filter((d) => !stillUsed.has(d)).map((d) => d.name),
      needsRestart: (['port', 'host'] as const).filter((k) => nextConfig[k] !== config[k]),
    };
    config = nextConfig;
    routes = nextRoutes;
    deployments = nextDeployments;
    byName = new Map(deployments.map((d) => [d.name, d]));
    gw.config = config;
    gw.routes = routes;
    gw.keys = nextKeys;
    gw.adminToken = nextAdmin;
    pools.retain(poolLimits(config, deployments));
    if (server) server.limits.maxBodyBytes = config.maxBodyBytes;
    return result;
  }

  function models(req: HttpRequestLike, res: HttpResponseLike, path: string): void {
    try {
      const key = authStage(gw, req);
      const visible = [...routes.keys()].filter((m) => !key || mayUse(key, m));
      const created = Math.floor(clock.now() / 1000);
      const entry = (id: string) => ({ id, object: 'model', created, owned_by: 'nines' });
      if (path === '/v1/models') return sendJson(res, 200, { object: 'list', data: visible.map(entry) });
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!visible.includes(id)) {
        throw new NinesError(
          'NOT_FOUND',
          `The model \`${id}\` does not exist or you do not have access to it.`,
          { details: { code: 'model_not_found' } },
        );
      }
      sendJson(res, 200, entry(id));
    } catch (err) {
      sendError(res, err);
    }
  }

  function handler(req: HttpRequestLike, res: HttpResponseLike): void {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    const endpoint = ENDPOINTS[path];
    if (endpoint !== undefined) {
      if (req.method !== 'POST')
        return void sendError(
          res,
          new NinesError('VALIDATION', `use POST on ${path}`, { details: { status: 405 } }),
        );
      void handleProxied(gw, endpoint, req, res);
      return;
    }
    if (req.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/')))
      return models(req, res, path);
    if (path === '/healthz') return sendJson(res, 200, { ok: true });
    if (path.startsWith('/admin/')) return void handleAdmin(control, gw.adminToken, path, req, res);
    sendError(
      res,
      new NinesError('NOT_FOUND', `Unknown request URL: ${req.method} ${path}.`, {
        details: { code: 'unknown_url' },
      }),
    );
  }

  return {
    get config() {
      return config;
    },
    reload,
    handler,
    setHealth: control.setHealth,
    breakerStates,
    injectFault,
    clearFault: control.clearFault,
    async listen(port = config.port, host = config.host) {
      const s = createGatewayServer(handler, { maxBodyBytes: config.maxBodyBytes });
      server = s;
      const bound = await s.listen(port, host);
      const h = host.includes(':') ? `[${host}]` : host;
      return { port: bound, host, url: `http://${h}:${bound}` };
    },
    async close() {
      if (server) {
        await server.close(true);
      }
      await pools.close();
      // Requests cut by the close end on their next turns: wait (bounded) until each is recorded,
      // so the caller can close the record writer after this without refusing their records.
      for (const until = Date.now() + 5000; gw.active > 0 && Date.now() < until;) await sleep(5);
    },
  };
}
