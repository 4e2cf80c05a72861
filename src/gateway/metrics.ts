/**
 * The gateway's Prometheus metrics, registered on a registry passed in (main.ts serves it at
 * /metrics). Breaker state is a gauge collected on scrape from the live deployments.
 */
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import { BREAKER_PHASE_VALUE } from './breaker.ts';
import type { DeploymentRuntime } from './deployment.ts';
import { FastHistogram } from './histogram.ts';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Pending<L extends string> {
  labels: Record<L, string>;
  n: number;
}

/**
 * Counts added on every request (requests, tokens), summed in memory under a label key and
 * handed to prom-client when a scrape collects them: the hot path does one Map lookup per
 * count instead of prom-client's label hashing and validation.
 */
export class Tally<L extends string> {
  private readonly pending = new Map<string, Pending<L>>();

  /** Adds `n` to the series `labels`; `key` must identify `labels` (they are kept on first use). */
  add(key: string, labels: () => Record<L, string>, n: number): void {
    let p = this.pending.get(key);
    if (p === undefined) {
      p = { labels: labels(), n: 0 };
      this.pending.set(key, p);
    }
    p.n += n;
  }

  /** Moves what was counted since the last flush into `counter`. */
  flush(counter: Counter<L>): void {
    for (const p of this.pending.values()) {
      if (p.n === 0) continue;
      counter.inc(p.labels, p.n);
      p.n = 0;
    }
  }
}

/** Every metric of the gateway. */
export interface GatewayMetrics {
  requests: Counter<'route' | 'endpoint' | 'status' | 'deployment'>;
  /** Observed per request under the key `${route}\n${endpoint}`. */
  latency: FastHistogram<'route' | 'endpoint'>;
  /** Observed per stream under the key `route`. */
  ttft: FastHistogram<'route'>;
  tokens: Counter<'route' | 'deployment' | 'kind'>;
  retries: Counter<'route'>;
  failovers: Counter<'route'>;
  breakerOpens: Counter<'deployment'>;
  cache: Counter<'route' | 'result'>;
  streamErrors: Counter<'route' | 'deployment'>;
  /** Hot-path counts of `requests`, flushed into it on scrape. */
  requestTally: Tally<'route' | 'endpoint' | 'status' | 'deployment'>;
  /** Hot-path counts of `tokens`, flushed into it on scrape. */
  tokenTally: Tally<'route' | 'deployment' | 'kind'>;
  registry: Registry;
}

/** Registers the gateway metrics on `registry`; `deployments` is read at scrape time. */
export function createMetrics(registry: Registry, deployments: () => DeploymentRuntime[]): GatewayMetrics {
  const registers = [registry];
  const requestTally = new Tally<'route' | 'endpoint' | 'status' | 'deployment'>();
  const tokenTally = new Tally<'route' | 'deployment' | 'kind'>();
  const m: GatewayMetrics = {
    registry,
    requestTally,
    tokenTally,
    requests: new Counter({
      name: 'nines_gateway_requests_total',
      help: 'Requests through the gateway by route, endpoint, final status and serving deployment.',
      labelNames: ['route', 'endpoint', 'status', 'deployment'],
      registers,
      collect() {
        requestTally.flush(this);
      },
    }),
    latency: new FastHistogram(
      'nines_gateway_request_duration_seconds',
      'Time from request to the last byte of the answer.',
      LATENCY_BUCKETS,
      registers,
    ),
    ttft: new FastHistogram(
      'nines_gateway_ttft_seconds',
      'Streams: time from request to the first content token sent to the client.',
      LATENCY_BUCKETS,
      registers,
    ),
    tokens: new Counter({
      name: 'nines_gateway_tokens_total',
      help: 'Tokens reported by upstreams, by kind (input, output).',
      labelNames: ['route', 'deployment', 'kind'],
      registers,
      collect() {
        tokenTally.flush(this);
      },
    }),
    retries: new Counter({
      name: 'nines_gateway_retries_total',
      help: 'Attempts after the first one (same or other deployment).',
      labelNames: ['route'],
      registers,
    }),
    failovers: new Counter({
      name: 'nines_gateway_failovers_total',
      help: 'Attempts that moved to another deployment.',
      labelNames: ['route'],
      registers,
    }),
    breakerOpens: new Counter({
      name: 'nines_gateway_breaker_opens_total',
      help: 'Times a deployment breaker opened.',
      labelNames: ['deployment'],
      registers,
    }),
    cache: new Counter({
      name: 'nines_gateway_cache_total',
      help: 'Response cache lookups by result (hit, miss).',
      labelNames: ['route', 'result'],
      registers,
    }),
    streamErrors: new Counter({
      name: 'nines_gateway_stream_errors_total',
      help: 'Streams that failed after their first token and ended with an error event.',
      labelNames: ['route', 'deployment'],
      registers,
    }),
  };
  new Gauge({
    name: 'nines_gateway_breaker_state',
    help: 'Breaker state per deployment: 0 closed, 1 half-open, 2 open.',
    labelNames: ['deployment'],
    registers,
    collect() {
      this.reset(); // a reload may have removed deployments
      for (const d of deployments()) this.set({ deployment: d.name }, BREAKER_PHASE_VALUE[d.breaker.phase]);
    },
  });
  new Gauge({
    name: 'nines_gateway_in_flight',
    help: 'Attempts in flight per deployment.',
    labelNames: ['deployment'],
    registers,
    collect() {
      this.reset(); // a reload may have removed deployments
      for (const d of deployments()) this.set({ deployment: d.name }, d.inFlight);
    },
  });
  new Gauge({
    name: 'nines_gateway_upstream_connections',
    help: 'Upstream connections per origin (and proxy): open (idle or busy), idle, and requests waiting for one.',
    labelNames: ['origin', 'state'],
    registers,
    collect() {
      this.reset();
      const seen = new Set<DeploymentRuntime['pool']>();
      for (const d of deployments()) {
        if (seen.has(d.pool)) continue;
        seen.add(d.pool);
        const origin = d.pool.label;
        this.set({ origin, state: 'open' }, d.pool.size);
        this.set({ origin, state: 'idle' }, d.pool.idleCount);
        this.set({ origin, state: 'waiting' }, d.pool.pending);
      }
    },
  });
  return m;
}
