/**
 * Multi-window, multi-burn-rate alerting (Google SRE Workbook ch. 5): a tier fires when the burn
 * rate over its long window AND over its short window both exceed its factor, where
 * factor = budget share × period / long window (14.4, 6, 3 and 1 for the default tiers over 30d).
 * A firing tier inhibits every firing tier with a longer long window of the same SLO.
 */
import { nominalPeriodMs } from './budget.ts';
import type { AlertTier, SloWindow } from './types.ts';

/** The burn-rate factor of a tier for a compliance window. */
export function burnFactor(tier: AlertTier, window: SloWindow): number {
  return ((tier.budgetPercent / 100) * nominalPeriodMs(window)) / tier.longWindowMs;
}

/** The state of one tier at one evaluation. */
export type TierState = 'firing' | 'inhibited' | 'ok' | 'insufficient-data';

/** Burn over a tier's two windows and its verdict. */
export interface TierVerdict {
  tier: AlertTier;
  factor: number;
  longBurn: number;
  shortBurn: number;
  /** Events in the long window (compared with the SLO's minEvents). */
  longTotal: number;
  state: TierState;
}

/**
 * Decides each tier, setting `state` in place (the evaluator runs for every SLO every cycle, so
 * no copies): insufficient data when the long window has fewer than `minEvents` events (or the
 * short window has none), firing when both burns exceed the factor, then inhibition.
 */
export function decideTiers(
  verdicts: TierVerdict[],
  minEvents: number,
  shortTotals: readonly number[],
): TierVerdict[] {
  const min = Math.max(1, minEvents);
  let fastest = Infinity;
  for (let i = 0; i < verdicts.length; i++) {
    const v = verdicts[i]!;
    if (v.longTotal < min || (shortTotals[i] ?? 0) <= 0) v.state = 'insufficient-data';
    else if (v.longBurn > v.factor && v.shortBurn > v.factor) {
      v.state = 'firing';
      if (v.tier.longWindowMs < fastest) fastest = v.tier.longWindowMs;
    } else v.state = 'ok';
  }
  for (const v of verdicts) if (v.state === 'firing' && v.tier.longWindowMs > fastest) v.state = 'inhibited';
  return verdicts;
}
