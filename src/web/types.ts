/** The API shapes the dashboard reads (a front-end copy: the web app may import only the API). */

/** A probe state. */
export type State = 'up' | 'degraded' | 'down' | 'unknown';

/** One probe result (only the fields the dashboard shows). */
export interface Result {
  target: string;
  at: number;
  outcome: 'ok' | 'degraded' | 'failed';
  latencyMs?: number | null;
  errorClass?: string;
  error?: string;
  status?: number;
  timings?: { ttftMs?: number | null };
}

/** GET /api/v1/targets item. */
export interface TargetStatus {
  name: string;
  kind: string;
  url: string;
  model?: string;
  labels: Record<string, string>;
  intervalMs: number;
  enabled: boolean;
  state: State;
  since?: number;
  lastResult?: Result;
}

/** A rollup bucket. */
export interface RollupView {
  /** Bucket start, ISO 8601. */
  bucket: string;
  /** Bucket start, ms since epoch. */
  bucketMs: number;
  total: number;
  ok: number;
  degraded: number;
  failed: number;
  availability: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  errors: Record<string, number>;
}

/** GET /api/v1/uptime. */
export interface UptimeResponse {
  days: { date: string; targets: Record<string, { availability: number | null; downtimeMs: number }> }[];
}

/** A reliability report. */
export interface TargetReport {
  target: string;
  availability: number | null;
  grade: string;
  outages: { start: number; end: number | null; durationMs: number }[];
  mtbfMs: number | null;
  mttrMs: number | null;
  downtimeMs: number;
  checks: number;
  failures: number;
}

/** A state change event. */
export interface StateEvent {
  target: string;
  from: State;
  to: State;
  at: number;
  reason?: string;
}

/** GET /api/v1/slos item. */
export interface Slo {
  name: string;
  objective: number | null;
  window: string | number | null;
  sli?: unknown;
  /** The probe targets the SLO covers (for the overview's budget column). */
  targets?: unknown[];
  /** Each burn-rate alert tier and its state. */
  tiers?: {
    name: string;
    severity: string;
    factor: number;
    longBurn: number;
    shortBurn: number;
    state: string;
  }[];
  target?: string;
  budgetRemaining: number;
  budgetConsumed?: number;
  burnRates: Record<string, number>;
  firingTiers: string[];
  timeToExhaustionMs: number | null;
  good?: number;
  total?: number;
  burnDown?: { at: number; budgetRemaining: number }[];
}

/** GET /api/v1/alerts item. */
export interface Alert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  startsAt: number | string;
  receiver?: string;
  groupKey?: string;
  silencedBy?: string[];
  inhibitedBy?: string[];
  /** Why the alert is not notified (the API's alerting routes): a silence, inhibition, maintenance. */
  mutedBy?: { by: string; id: string };
  value?: number;
}

/** A silence. */
export interface Silence {
  id: string;
  matchers: {
    name: string;
    value: string;
    op?: '=' | '!=' | '=~' | '!~';
    isRegex?: boolean;
    isEqual?: boolean;
  }[];
  startsAt: number | string;
  endsAt: number | string;
  comment: string;
  createdBy?: string;
  state?: string;
}

/** An incident. */
export interface Incident {
  id: string;
  title: string;
  severity: string;
  state: 'open' | 'acknowledged' | 'mitigated' | 'resolved';
  groupKey: string;
  labels: Record<string, string>;
  openedAt: number;
  acknowledgedAt?: number;
  mitigatedAt?: number;
  resolvedAt?: number;
  acknowledgedBy?: string;
  resolvedBy?: string;
  causes?: { cause: string; score: number; evidence: string[] }[];
}

/** One timeline line. */
export interface TimelineEntry {
  at: number;
  kind: string;
  actor?: string;
  text: string;
  public?: boolean;
}

/** GET /api/v1/gateway. */
export interface GatewayView {
  enabled: boolean;
  routes: {
    name: string;
    strategy: string;
    deployments: {
      name: string;
      provider: string;
      breaker: { state: string; opens: number };
      health?: unknown;
    }[];
  }[];
  traffic: {
    route: string;
    deployment: string;
    total: number;
    errors: number;
    latencyP50Ms: number | null;
    latencyP95Ms: number | null;
    ttftP95Ms: number | null;
    failovers: number;
    cached: number;
  }[];
}

/** The logged-in user. */
export interface Me {
  user: { name: string; role: 'viewer' | 'operator' | 'admin' };
  csrfToken: string;
  expiresAt: number;
}
