/**
 * The input signals rules read, defined here by their consumer (DESIGN rule 2) so src/probe,
 * src/slo and src/detect can hand over their outputs without alerting importing their code.
 */
import type { Labels } from './types.ts';

/** A target's probe state (src/probe state machine). `labels` carries provider, model, … */
export interface TargetStateSignal {
  target: string;
  state: 'up' | 'degraded' | 'down' | 'unknown';
  labels?: Labels;
  /** Why the probe state machine is in this state, for annotations. */
  reason?: string;
}

/** A current metric value for a target: `p95_latency_ms`, `error_rate`, `ttft_p95_ms`, … */
export interface MetricSignal {
  target: string;
  metric: string;
  value: number;
  labels?: Labels;
}

/** One burn-rate tier of an SLO as evaluated by src/slo (e.g. `page`: 14.4× over 1h and 5m). */
export interface SloTierSignal {
  name: string;
  firing: boolean;
  burnRate: number;
  /** Severity for alerts of this tier; the rule's severity when absent. */
  severity?: string;
}

/** The SLO evaluator's output for one SLO. */
export interface SloBurnSignal {
  slo: string;
  target?: string;
  labels?: Labels;
  tiers: SloTierSignal[];
}

/** An anomaly score in [0, 1] for one series (src/detect). */
export interface AnomalySignal {
  target?: string;
  metric: string;
  score: number;
  labels?: Labels;
}

/** A forecast for one series: when it is expected to cross `threshold` (null: not expected). */
export interface ForecastSignal {
  target?: string;
  metric: string;
  threshold: number;
  timeToThresholdMs: number | null;
  labels?: Labels;
}

/** Everything one rule evaluation reads; absent lists are empty. */
export interface RuleInputs {
  targets?: TargetStateSignal[];
  metrics?: MetricSignal[];
  slos?: SloBurnSignal[];
  anomalies?: AnomalySignal[];
  forecasts?: ForecastSignal[];
}
