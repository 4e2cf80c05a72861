/**
 * Maps the outputs of src/slo and src/detect onto the rule inputs in signals.ts (type imports
 * only), so main.ts can feed `evaluateRules` without glue of its own.
 */
import { formatDuration } from '../core/duration.ts';
import type { ThresholdCrossing } from '../detect/time-to-threshold.ts';
import type { SloEvaluation } from '../slo/evaluate.ts';
import type { ForecastSignal, SloBurnSignal } from './signals.ts';
import type { Labels } from './types.ts';

/** Extra identity for a signal: the target it is about and labels such as provider and model. */
export interface SignalIdentity {
  target?: string;
  labels?: Labels;
}

/**
 * One SLO evaluation as a burn signal. Tiers are named by their windows (`1h/5m`); a tier fires
 * only in the `firing` state (src/slo already inhibits slower tiers under a faster one), and its
 * burn rate is the long-window burn.
 */
export function sloBurnSignal(ev: SloEvaluation, id: SignalIdentity = {}): SloBurnSignal {
  return {
    slo: ev.slo,
    ...id,
    tiers: ev.tiers.map((v) => ({
      name: `${formatDuration(v.tier.longWindowMs)}/${formatDuration(v.tier.shortWindowMs)}`,
      firing: v.state === 'firing',
      burnRate: v.longBurn,
      severity: v.tier.severity,
    })),
  };
}

/** A forecast crossing (or none) as a forecast signal: time from `now` to the expected crossing. */
export function forecastSignal(
  metric: string,
  threshold: number,
  crossing: ThresholdCrossing | null,
  now: number,
  id: SignalIdentity = {},
): ForecastSignal {
  return {
    metric,
    threshold,
    timeToThresholdMs: crossing ? Math.max(0, crossing.expectedMs - now) : null,
    ...id,
  };
}
