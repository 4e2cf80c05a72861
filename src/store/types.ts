/**
 * What nines stores, and the `Store` interface every backend (SQLite, PostgreSQL) implements.
 * Observations are written once (probe results, state events, gateway request records) and
 * rolled up per minute and per hour with mergeable latency sketches.
 */

/** Outcome of one probe run: ok, ok-but-degraded (a soft assertion failed), or failed. */
export type ProbeOutcome = 'ok' | 'degraded' | 'failed';

/** Why a probe failed; one closed set so reports can group errors. */
export type ErrorClass =
  | 'dns'
  | 'connect'
  | 'tls'
  | 'timeout'
  | 'reset'
  | 'http_4xx'
  | 'http_429'
  | 'http_5xx'
  | 'malformed'
  | 'too_large'
  | 'assertion'
  | 'internal';

/** Every error class, for validation and for reports that list them all. */
export const ERROR_CLASSES: readonly ErrorClass[] = [
  'dns',
  'connect',
  'tls',
  'timeout',
  'reset',
  'http_4xx',
  'http_429',
  'http_5xx',
  'malformed',
  'too_large',
  'assertion',
  'internal',
];

/** Phase timings of one probe, in milliseconds from its start; absent phases are undefined. */
export interface ProbeTimings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  /** Time to the first byte of the response body/headers. */
  ttfbMs?: number;
  /** Time to the first generated token (streaming LLM probes). */
  ttftMs?: number;
  totalMs: number;
}

/** The verdict of one assertion on one probe result. */
export interface AssertionOutcome {
  expr: string;
  ok: boolean;
  /** `fail` assertions make the probe failed; `degrade` ones make it degraded. */
  severity: 'fail' | 'degrade';
  actual?: string;
}

/** One probe run against one target. */
export interface ProbeResult {
  target: string;
  /** Start time, ms since epoch. */
  at: number;
  outcome: ProbeOutcome;
  /** Total latency in ms (same as timings.totalMs). */
  latencyMs: number;
  timings: ProbeTimings;
  status?: number;
  errorClass?: ErrorClass;
  error?: string;
  /** Generated output tokens (LLM probes, when the server reports usage). */
  outputTokens?: number;
  /** Output tokens per second after the first token (LLM streaming probes). */
  tokensPerSec?: number;
  /** Days until the TLS certificate expires (tls probes). */
  certDaysLeft?: number;
  assertions?: AssertionOutcome[];
  /** Where the probe ran from: 'local' for the server itself, or an edge agent's location. */
  location?: string;
}

/** Lifecycle state of a target as seen by probes (DESIGN rule 5). */
export type TargetState = 'up' | 'degraded' | 'down' | 'unknown';

/** A confirmed change of a target's state (after failure/success thresholds). */
export interface StateEvent {
  target: string;
  at: number;
  from: TargetState;
  to: TargetState;
  reason: string;
}

/** One request through the gateway, recorded off the hot path. */
export interface RequestRecord {
  id: string;
  at: number;
  /** Virtual key id (never the key itself), if the request was authenticated. */
  keyId?: string;
  route: string;
  endpoint: 'chat' | 'completions' | 'embeddings' | 'models';
  /** Deployment that served the final attempt. */
  deployment?: string;
  provider?: string;
  upstreamModel?: string;
  status: number;
  outcome: 'ok' | 'error';
  /** OpenAI-style error type when outcome is error. */
  errorType?: string;
  latencyMs: number;
  ttftMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  attempts: number;
  failovers: number;
  stream: boolean;
  cached: boolean;
  /** Only when the route opts in, and after redaction. */
  prompt?: string;
  answer?: string;
}

/**
 * Rollup granularity. Probe results are rolled up per minute, hour and UTC day (`day` serves
 * long-window reports: 30 days of 1,000 targets is 30,000 rows); gateway request records per
 * minute and hour only (their `day` tier is always empty).
 */
export type RollupTier = 'minute' | 'hour' | 'day';

/** Aggregates of one target's probe results over one bucket (a minute, an hour or a UTC day). */
export interface Rollup {
  target: string;
  tier: RollupTier;
  /** Bucket start, ms since epoch (aligned to the tier). */
  bucket: number;
  total: number;
  ok: number;
  degraded: number;
  failed: number;
  latencySumMs: number;
  /** Serialised mergeable latency sketch (see src/core/sketch.ts). */
  latencySketch: Uint8Array;
  ttftCount: number;
  ttftSketch: Uint8Array;
  /** Failed results by error class. */
  errors: Partial<Record<ErrorClass, number>>;
}

/** Aggregates of gateway requests for one route/deployment over one bucket. */
export interface RequestRollup {
  route: string;
  deployment: string;
  tier: RollupTier;
  bucket: number;
  total: number;
  errors: number;
  latencySumMs: number;
  latencySketch: Uint8Array;
  ttftCount: number;
  ttftSketch: Uint8Array;
  inputTokens: number;
  outputTokens: number;
  failovers: number;
  cached: number;
}

/**
 * One target's rollups over a range, folded into one: counters summed, sketches and error counts
 * merged. What availability / percentile reports need, computed in the database where it can
 * (SQLite folds in SQL; far cheaper than reading every rollup row into JavaScript).
 */
export interface RollupSummary {
  target: string;
  /** Number of rollup buckets folded. */
  buckets: number;
  total: number;
  ok: number;
  degraded: number;
  failed: number;
  latencySumMs: number;
  latencySketch: Uint8Array;
  ttftCount: number;
  ttftSketch: Uint8Array;
  errors: Partial<Record<ErrorClass, number>>;
}

/** A time range [from, to) in ms since epoch. */
export interface TimeRange {
  from: number;
  to: number;
}

/** A range of one rollup tier: buckets of `tier` starting in [from, to). */
export interface RollupRange extends TimeRange {
  tier: RollupTier;
}

/** Retention per tier, in ms; data older than now - retention is deleted. */
export interface RetentionPolicy {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
  /** Day rollups; defaults to `hourMs` (they are 24 times fewer, so may be kept longer). */
  dayMs?: number;
  requestsMs: number;
}

/**
 * The storage backend. Writes are batched by callers or by the implementation; every method is
 * async so SQLite and PostgreSQL share it. Both pass `runStoreConformance`.
 */
export interface Store {
  /** Creates or upgrades the schema; idempotent. */
  migrate(): Promise<void>;
  /**
   * Writes results and updates their minute/hour/day rollups: visible to this store's reads as
   * soon as it resolves (PostgreSQL: in the same transaction; SQLite: held in memory and written
   * at checkpoints, recovered from the raw rows after a crash).
   */
  insertResults(results: readonly ProbeResult[]): Promise<void>;
  insertEvents(events: readonly StateEvent[]): Promise<void>;
  /** Writes gateway request records and updates their rollups. */
  insertRequests(records: readonly RequestRecord[]): Promise<void>;

  /** Results in the range, oldest first (`newestFirst`: newest first, so `limit` keeps the latest). */
  queryResults(
    q: TimeRange & { target?: string; onlyFailures?: boolean; limit?: number; newestFirst?: boolean },
  ): Promise<ProbeResult[]>;
  /** Events in the range, oldest first. */
  queryEvents(q: TimeRange & { target?: string; limit?: number }): Promise<StateEvent[]>;
  /** The latest event strictly before `at` for the target (the state at a window's start). */
  lastEventBefore(target: string, at: number): Promise<StateEvent | undefined>;
  /** `lastEventBefore` for many targets in one query: each target that has one, by name. */
  lastEventsBefore(targets: readonly string[], at: number): Promise<Map<string, StateEvent>>;
  queryRollups(q: TimeRange & { tier: RollupTier; targets?: readonly string[] }): Promise<Rollup[]>;
  /** Per target (sorted by name), the fold of its rollups of `tier` with bucket in [from, to). */
  summarizeRollups(
    q: TimeRange & { tier: RollupTier; targets?: readonly string[] },
  ): Promise<RollupSummary[]>;
  /**
   * Optional: the summaries `summarizeRollups` would give for each part, folded together per
   * target (sorted by name). A backend that can fold parts in one pass implements it;
   * `summarizeWindow` falls back to one `summarizeRollups` per part.
   */
  summarizeParts?(parts: readonly RollupRange[], targets?: readonly string[]): Promise<RollupSummary[]>;
  queryRequests(q: TimeRange & { route?: string; limit?: number }): Promise<RequestRecord[]>;
  queryRequestRollups(q: TimeRange & { tier: RollupTier; route?: string }): Promise<RequestRollup[]>;

  /** Deletes what is older than the policy allows; returns the number of rows deleted per kind. */
  applyRetention(now: number, policy: RetentionPolicy): Promise<Record<string, number>>;
  close(): Promise<void>;
}
