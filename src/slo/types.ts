/**
 * What the SLO math needs to know about an SLO. The `slos:` config section (src/config/slo.ts)
 * parses into exactly this shape; OpenSLO imports go through the same schema.
 */

/** What an SLI counts: probe results of targets, or gateway requests of a route. */
export type SliSource =
  | { source: 'probe'; targets?: readonly string[]; labels?: Readonly<Record<string, string>> }
  | { source: 'gateway'; route: string };

/** Which events are good: available, under a latency / TTFT threshold, or passing assertions. */
export type SliKind = 'availability' | 'latency' | 'ttft' | 'correctness';

/**
 * The question an SLO asks the store: count good and total events of this SLI in a range.
 * `thresholdMs` is set for latency and ttft; `excludeMaintenance` asks the store to leave out
 * events inside maintenance windows.
 */
export type SliSelector = SliSource & {
  kind: SliKind;
  thresholdMs?: number;
  excludeMaintenance: boolean;
};

/** A compliance period: rolling (the last `durationMs`) or a calendar month/week (UTC). */
export type SloWindow =
  { type: 'rolling'; durationMs: number } | { type: 'calendar'; unit: 'month' | 'week' };

/**
 * How the error budget is counted. `occurrences`: bad events / all events. `timeslices`: the
 * period is cut into slices of `sliceMs`; a slice is good when its good/total ≥ `sliceGoal`
 * (a ratio); slices without events are left out. `ratioTimeslices` (OpenSLO): the mean of the
 * slice ratios.
 */
export type Budgeting =
  | { method: 'occurrences' }
  | { method: 'timeslices'; sliceMs: number; sliceGoal: number }
  | { method: 'ratioTimeslices'; sliceMs: number };

/** One multi-window burn-rate alert tier (SRE Workbook ch. 5, table 5-8). */
export interface AlertTier {
  severity: 'page' | 'ticket';
  /** Share of the period's budget (percent) this tier alerts on. */
  budgetPercent: number;
  longWindowMs: number;
  shortWindowMs: number;
}

/** One SLO, as the evaluator and the Prometheus exporter see it. */
export interface SloDefinition {
  name: string;
  selector: SliSelector;
  /** Percent of good events, 0 < objective < 100 (e.g. 99.9). */
  objective: number;
  window: SloWindow;
  budgeting: Budgeting;
  /** Fewer events than this in an alert's long window means "insufficient data": no alert. */
  minEvents: number;
  alerts: readonly AlertTier[];
}

/** Counts of good and total events in a range. */
export interface GoodTotal {
  good: number;
  total: number;
}
