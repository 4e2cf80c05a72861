/**
 * Predictions built on forecasts: when a metric will cross a limit (with an 80% interval), when
 * an error budget will run out, and the one-line text of a `kind: forecast` alert. Pure functions
 * of their inputs and `now`.
 */
import type { ForecastPoint } from './forecast.ts';
import { normalQuantile } from './forecast.ts';

/** When a forecast crosses a limit. All times are ms since epoch; minutes are from `nowMs`. */
export interface ThresholdCrossing {
  /** First time the expected value crosses. */
  expectedMs: number;
  /** Earliest plausible crossing: the interval's near edge crosses (lower bound of the interval). */
  earliestMs: number;
  /** Latest plausible crossing within the horizon: the interval's far edge crosses, or null if it never does. */
  latestMs: number | null;
  expectedMinutes: number;
  earliestMinutes: number;
  latestMinutes: number | null;
  /** Probability that the metric is past the limit at the expected crossing's horizon end (0–1). */
  confidence: number;
  /** Coverage of the interval the forecast was made with (e.g. 0.8). */
  coverage: number;
}

/**
 * Time until `forecast` crosses `limit` going `direction` ('above' for latency, 'below' for
 * availability). Returns null when even the optimistic edge of the interval stays on the safe
 * side for the whole horizon, or when the expected value never crosses it (then there is no
 * expected time to report; callers may still warn on `earliest` alone via `nearestRisk`).
 */
export function timeToThreshold(
  forecast: readonly ForecastPoint[],
  limit: number,
  nowMs: number,
  options: { direction?: 'above' | 'below'; coverage?: number } = {},
): ThresholdCrossing | null {
  const above = (options.direction ?? 'above') === 'above';
  const coverage = options.coverage ?? 0.8;
  const past = (x: number): boolean => (above ? x >= limit : x <= limit);
  const near = (f: ForecastPoint): number => (above ? f.upper : f.lower);
  const far = (f: ForecastPoint): number => (above ? f.lower : f.upper);
  const expected = forecast.find((f) => past(f.mean));
  if (!expected) return null;
  const earliest = forecast.find((f) => past(near(f))) ?? expected;
  const latest = forecast.find((f) => past(far(f)));
  const last = forecast[forecast.length - 1]!;
  const z = normalQuantile(0.5 + coverage / 2);
  const sigma = Math.max((last.upper - last.lower) / (2 * z), 1e-12);
  const zLimit = ((above ? 1 : -1) * (last.mean - limit)) / sigma;
  const minutes = (t: number): number => (t - nowMs) / 60_000;
  return {
    expectedMs: expected.timestampMs,
    earliestMs: earliest.timestampMs,
    latestMs: latest ? latest.timestampMs : null,
    expectedMinutes: minutes(expected.timestampMs),
    earliestMinutes: minutes(earliest.timestampMs),
    latestMinutes: latest ? minutes(latest.timestampMs) : null,
    confidence: 1 - normalCdfUpper(zLimit),
    coverage,
  };
}

/** P(Z > z) for a standard normal. */
function normalCdfUpper(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const half = (y * Math.exp(-x * x)) / 2;
  return z >= 0 ? half : 1 - half;
}

/** One observation of the remaining error budget (fraction of the period's budget, 1 = untouched). */
export interface BudgetSample {
  timestampMs: number;
  remaining: number;
}

/** When the error budget runs out at the recent burn, with an interval from the fit's uncertainty. */
export interface BudgetExhaustion {
  expectedMs: number;
  /** Early edge of the interval (faster burn). */
  earliestMs: number;
  /** Late edge of the interval, or null when a zero burn is within the interval. */
  latestMs: number | null;
  /** Budget fraction burnt per hour, from the fit. */
  burnPerHour: number;
}

/**
 * Time to error-budget exhaustion: a least-squares line through recent (time, remaining) samples,
 * extrapolated to zero; the interval uses the slope's standard error at `coverage` (default 0.8).
 * Returns null with fewer than 3 samples or when the budget is not being burnt.
 */
export function timeToBudgetExhaustion(
  samples: readonly BudgetSample[],
  nowMs: number,
  coverage = 0.8,
): BudgetExhaustion | null {
  const n = samples.length;
  if (n < 3) return null;
  const hours = samples.map((s) => (s.timestampMs - nowMs) / 3_600_000);
  const ys = samples.map((s) => s.remaining);
  const mx = hours.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (hours[i]! - mx) ** 2;
    sxy += (hours[i]! - mx) * (ys[i]! - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  if (!(slope < 0)) return null;
  const intercept = my - slope * mx; // remaining now (hours = 0)
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - (intercept + slope * hours[i]!)) ** 2;
  const se = n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : 0;
  const z = normalQuantile(0.5 + coverage / 2);
  const fast = slope - z * se;
  const slow = slope + z * se;
  const at = (rate: number): number => nowMs + (Math.max(intercept, 0) / -rate) * 3_600_000;
  return {
    expectedMs: at(slope),
    earliestMs: at(fast),
    latestMs: slow < 0 ? at(slow) : null,
    burnPerHour: -slope,
  };
}

function humanMinutes(m: number): string {
  if (m < 90) return `${Math.max(0, Math.round(m))} min`;
  if (m < 48 * 60) return `${(m / 60).toFixed(m < 600 ? 1 : 0)} h`;
  return `${(m / 1440).toFixed(1)} d`;
}

/**
 * The text of a `kind: forecast` alert, e.g.
 * "p95 latency will cross 2 s in ~40 min, 80% interval 25–70 min".
 */
export function describeForecastAlert(metric: string, limitText: string, c: ThresholdCrossing): string {
  const pct = Math.round(c.coverage * 100);
  const late = c.latestMinutes === null ? 'beyond the horizon' : humanMinutes(c.latestMinutes);
  return `${metric} will cross ${limitText} in ~${humanMinutes(c.expectedMinutes)}, ${pct}% interval ${humanMinutes(c.earliestMinutes)}–${late}`;
}
