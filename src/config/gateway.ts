/**
 * `gateway:` the OpenAI-compatible failover gateway: where it listens, the upstream providers,
 * the routes (public model name → deployments), virtual keys and breaker defaults.
 * Secrets (`apiKey`, key values, header values) stay `${ENV}` references here; the gateway
 * expands them when it starts, so parsed config never holds them.
 */
import { z } from 'zod';
import { durationSchema, positiveDurationSchema } from './duration-schema.ts';
import { malformedEnvRef } from './env-refs.ts';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
const name = z.string().regex(NAME_RE, 'use letters, digits and . _ : / -');

/**
 * What is wrong with a provider's `proxy:` value, if anything. Values with `${ENV}` references
 * are checked once expanded, when the gateway starts. Messages never repeat the value (it may
 * hold a password).
 */
function proxyProblem(value: string): string | undefined {
  if (value === 'none') return undefined;
  if (value.includes('${')) return malformedEnvRef(value);
  const usage = 'use none or an http://[user:pass@]host:port URL';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return usage;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return usage;
  }
  if (url.protocol === 'https:') {
    return (
      'https:// proxies are not supported; use an http:// proxy (traffic to https upstreams ' +
      'stays TLS end to end inside its CONNECT tunnel)'
    );
  }
  if (url.protocol !== 'http:') return `${url.protocol}// proxies are not supported; use http://host:port`;
  return undefined;
}

/** A provider's `proxy:`: `none`, or an http:// forward proxy URL (credentials may be `${ENV}`). */
const proxySchema = z.string().superRefine((value, ctx) => {
  const problem = proxyProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** One upstream provider: its protocol, base URL (with `/v1` for OpenAI kind) and credentials. */
export const gatewayProviderSchema = z
  .object({
    name,
    kind: z.enum(['openai', 'anthropic']).default('openai'),
    /** OpenAI kind: the base URL a client would use, e.g. `https://api.openai.com/v1`. Anthropic: `https://api.anthropic.com`. */
    baseUrl: z.string().url(),
    /** Usually `${ENV}`; sent as `Authorization: Bearer` (openai) or `x-api-key` (anthropic). */
    apiKey: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /**
     * OpenAI kind: ask for usage in streams (`stream_options.include_usage`) even when the client
     * did not, so streamed requests are recorded with tokens and count against tokens/min; the
     * extra usage chunk is not forwarded to such clients. Turn off for servers that reject it.
     */
    streamUsage: z.boolean().default(true),
    /** Keep-alive connections per origin. */
    connections: z.number().int().min(1).max(10_000).default(128),
    /**
     * Forward proxy: `http://[user:pass@]host:port` (CONNECT tunnel, for http and https
     * upstreams; put credentials in `${ENV}` references) or `none`. Unset: `HTTPS_PROXY` /
     * `HTTP_PROXY` (lower-case names first) and `NO_PROXY` from the environment, as curl.
     */
    proxy: proxySchema.optional(),
  })
  .strict();

/** One deployment of a route: which provider serves it, under which upstream model name. */
export const deploymentSchema = z
  .object({
    /** Defaults to `<provider>/<model>`; used in records, metrics, breaker and health. */
    name: name.optional(),
    provider: name,
    model: z.string().min(1),
    weight: z.number().positive().default(1),
    /** Most requests in flight on this deployment; further requests skip it. */
    maxInFlight: z.number().int().positive().optional(),
  })
  .strict();

/** Retry and failover policy of a route. */
export const retrySchema = z
  .object({
    /** Attempts per request across all deployments (first try included). */
    maxAttempts: z.number().int().min(1).max(20).default(3),
    /** Longest Retry-After (of a 429/503) the gateway waits for before failing over instead. */
    maxRetryAfter: durationSchema.default(2000),
    /** Pause before re-trying the same deployment (failover to another one is immediate). */
    backoff: durationSchema.default(50),
  })
  .strict();

/** Deadlines of a route. */
export const deadlinesSchema = z
  .object({
    /** One upstream attempt, until the response head (non-stream: the whole body). */
    attempt: positiveDurationSchema.default(30_000),
    /** The whole request, all attempts included; for streams, until the last chunk. */
    total: positiveDurationSchema.default(300_000),
    /** Streams: from the attempt's start to the first content token. */
    firstToken: positiveDurationSchema.default(15_000),
    /** Streams: longest silence between chunks once the stream has started. */
    idle: positiveDurationSchema.default(30_000),
  })
  .strict();

/** Exact-match response cache of a route (deterministic requests only). */
export const cacheSchema = z
  .object({
    enabled: z.boolean().default(false),
    ttl: positiveDurationSchema.default(300_000),
    maxEntries: z.number().int().min(1).max(1_000_000).default(1000),
  })
  .strict();

/** What to do when every deployment of a route has an open breaker. */
export const WHEN_ALL_OPEN = ['fail', 'try-anyway'] as const;

/** One route: the public model name clients ask for → a group of deployments. */
export const routeSchema = z
  .object({
    model: z.string().min(1),
    strategy: z.enum(['failover', 'weighted', 'least-latency', 'least-inflight']).default('failover'),
    deployments: z.array(deploymentSchema).min(1),
    retry: retrySchema.default(retrySchema.parse({})),
    deadlines: deadlinesSchema.default(deadlinesSchema.parse({})),
    cache: cacheSchema.default(cacheSchema.parse({})),
    /** Store prompts and answers in request records (after redaction). */
    recordBodies: z.boolean().default(false),
    /** Regular expressions whose matches are replaced by `[redacted]` in recorded bodies. */
    redact: z.array(z.string()).default([]),
    /**
     * `fail`: answer 503 at once. `try-anyway` (default): try the deployment whose breaker
     * opened longest ago, as if it were half-open.
     */
    whenAllOpen: z.enum(WHEN_ALL_OPEN).default('try-anyway'),
  })
  .strict();

/** One virtual API key given to an application. */
export const virtualKeySchema = z
  .object({
    id: name,
    /** sha256 hex of the key. */
    hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'sha256 hex (64 characters)')
      .optional(),
    /** The key itself, as a `${ENV}` reference (hashed at start). */
    key: z.string().optional(),
    /** Route names (public models) this key may use; `*` for all. */
    routes: z.array(z.string()).default(['*']),
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
  })
  .strict()
  .refine((k) => (k.hash === undefined) !== (k.key === undefined), {
    message: 'set exactly one of hash or key',
  });

/** Breaker defaults (per deployment). */
export const breakerSchema = z
  .object({
    /** Consecutive failures that open the breaker. */
    consecutiveFailures: z.number().int().min(1).default(5),
    /** Error rate (0–1) over the window that opens it, once `minRequests` were seen. */
    errorRate: z.number().min(0).max(1).default(0.5),
    minRequests: z.number().int().min(1).default(20),
    window: positiveDurationSchema.default(30_000),
    /** How long it stays open before letting trial requests through. */
    cooldown: positiveDurationSchema.default(15_000),
    /** Trial requests in half-open; that many successes close it, one failure re-opens it. */
    halfOpenRequests: z.number().int().min(1).default(1),
  })
  .strict();

/** `gateway:` the whole section. */
export const gatewaySchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9191),
    /** Largest request body accepted, in bytes. */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    /** Accept requests without a virtual key (only for local demos). */
    allowAnonymous: z.boolean().default(false),
    /** Bearer token for `/admin/*` (game days, breaker states); `${ENV}`; unset disables admin. */
    adminToken: z.string().optional(),
    providers: z.array(gatewayProviderSchema).default([]),
    routes: z.array(routeSchema).default([]),
    keys: z.array(virtualKeySchema).default([]),
    breaker: breakerSchema.default(breakerSchema.parse({})),
  })
  .strict()
  .superRefine((g, ctx) => {
    const providers = new Set<string>();
    g.providers.forEach((p, i) => {
      if (providers.has(p.name))
        ctx.addIssue({
          code: 'custom',
          path: ['providers', i, 'name'],
          message: `duplicate provider ${p.name}`,
        });
      providers.add(p.name);
    });
    const models = new Set<string>();
    g.routes.forEach((r, i) => {
      if (models.has(r.model))
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'model'], message: `duplicate route ${r.model}` });
      models.add(r.model);
      r.deployments.forEach((d, j) => {
        if (!providers.has(d.provider)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'deployments', j, 'provider'],
            message: `unknown provider ${d.provider}`,
          });
        }
      });
      r.redact.forEach((re, j) => {
        try {
          new RegExp(re);
        } catch {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'redact', j],
            message: `invalid regular expression ${re}`,
          });
        }
      });
    });
    const ids = new Set<string>();
    g.keys.forEach((k, i) => {
      if (ids.has(k.id))
        ctx.addIssue({ code: 'custom', path: ['keys', i, 'id'], message: `duplicate key id ${k.id}` });
      ids.add(k.id);
    });
  });

/** The parsed `gateway:` section (durations in ms, defaults filled in). */
export type GatewayConfig = z.infer<typeof gatewaySchema>;
/** What may be written in `gateway:` (before defaults). */
export type GatewayConfigInput = z.input<typeof gatewaySchema>;
/** One parsed route. */
export type RouteConfig = z.infer<typeof routeSchema>;
/** One parsed provider. */
export type ProviderConfig = z.infer<typeof gatewayProviderSchema>;
/** One parsed deployment. */
export type DeploymentConfig = z.infer<typeof deploymentSchema>;
/** Breaker settings. */
export type BreakerConfig = z.infer<typeof breakerSchema>;
/** One parsed virtual key. */
export type VirtualKeyConfig = z.infer<typeof virtualKeySchema>;
