/**
 * What the API needs from the rest of nines (DESIGN rule 2: the consumer defines the interface).
 * `src/main.ts` builds these from the running components; tests build them from real parts.
 */
import type { Clock } from '../core/clock.ts';
import type { ProbeResult, Store, TargetState } from '../store/types.ts';

/** A target as the API shows it: its config (no secrets) and its current state. */
export interface TargetStatus {
  name: string;
  kind: string;
  /** The URL with any `${ENV}`-expanded part masked. */
  url: string;
  model?: string;
  labels: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
  enabled: boolean;
  publicName?: string;
  state: TargetState;
  /** When the target entered its current state, ms since epoch. */
  since?: number;
  lastResult?: ProbeResult;
}

/** Availability, MTBF and MTTR of one target over one window. */
export interface TargetReport {
  target: string;
  windowMs: number;
  from: number;
  to: number;
  /** Fraction of observed time the target was up (0..1), or null with no data. */
  availability: number | null;
  /** Fraction of probe results that were ok or degraded (0..1), or null with no results. */
  resultAvailability: number | null;
  grade: string;
  checks: number;
  failures: number;
  outages: { start: number; end: number | null; durationMs: number }[];
  mtbfMs: number | null;
  mttrMs: number | null;
  downtimeMs: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  ttftP95Ms: number | null;
}

/** Read access to targets and their current state. */
export interface TargetDirectory {
  list(): TargetStatus[];
  get(name: string): TargetStatus | undefined;
}

/** Availability of each target on one UTC day (null when nothing was observed). */
export interface UptimeDay {
  date: string;
  targets: Record<string, { availability: number | null; downtimeMs: number }>;
}

/** Builds reliability reports for targets. */
export interface ReportService {
  targetReports(windowMs: number, now: number, targets?: readonly string[]): Promise<TargetReport[]>;
  /** Per-day availability for the last `days` UTC days (today last), for uptime bars. */
  dailyUptime(days: number, now: number, targets?: readonly string[]): Promise<UptimeDay[]>;
}

/** Everything the API's route modules use. */
export interface ApiServices {
  clock: Clock;
  targets: TargetDirectory;
  store: Store;
  reports: ReportService;
}
