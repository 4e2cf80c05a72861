/**
 * Streaming trend forecasts with intervals: additive damped-trend exponential smoothing with an
 * optional daily profile on timestamp buckets (Holt–Winters style). Two models run side by side —
 * with and without the daily profile — and the one with the smaller recent error forecasts. The
 * interval width comes from the recent one-step error spread, widened with the horizon as for
 * ETS(A,Ad,A). Pure and constant memory; time is passed in.
 */
import { bucketOf } from './seasonal.ts';

/** Smoothing parameters of the forecaster. */
export interface ForecastParams {
  /** Level weight of the model without a daily profile. */
  alpha: number;
  /** Level weight of the model with a daily profile (small, so the level does not absorb the day). */
  seasonalAlpha: number;
  /** Trend weight. */
  beta: number;
  /** Trend damping per step (1 = undamped). */
  phi: number;
  /** Seasonal weight. */
  gamma: number;
  /** Buckets per day of the seasonal profile. */
  seasonBuckets: number;
  /** EWMA weight of the error statistics used to pick a model and size intervals. */
  errorAlpha: number;
  /** Horizon (steps) whose recent errors pick the model. */
  selectHorizon: number;
}

/** Defaults: fairly smooth level, slowly learnt and strongly damped trend, 5-minute daily profile. */
export const DEFAULT_FORECAST_PARAMS: Readonly<ForecastParams> = Object.freeze({
  alpha: 0.3,
  seasonalAlpha: 0.05,
  beta: 0.01,
  phi: 0.98,
  gamma: 0.3,
  seasonBuckets: 288,
  errorAlpha: 0.02,
  selectHorizon: 12,
});

/** One forecast step: the expected value and a central interval. */
export interface ForecastPoint {
  timestampMs: number;
  mean: number;
  lower: number;
  upper: number;
}

/** A streaming forecaster for one series. */
export interface Forecaster {
  /** Learns one observation (non-finite values are ignored). */
  update(timestampMs: number, value: number): void;
  /**
   * Forecasts `steps` points ahead at the typical sampling interval (or `stepMs`), with a central
   * interval of probability `coverage` (default 0.8). Empty before two observations.
   */
  forecast(steps: number, options?: { stepMs?: number; coverage?: number }): ForecastPoint[];
}

interface Model {
  /** 'snaive' repeats the value last seen at the same time of day (no level or trend). */
  kind: 'holt' | 'seasonal' | 'snaive';
  alpha: number;
  /** Forecasts made `selectHorizon` steps ago, oldest first (ring). */
  pending: Float64Array;
  /** EWMA of |error| at the selection horizon. */
  hErr: number;
  level: number;
  trend: number;
  dayMean: number;
  season: Float64Array | undefined;
  seen: Uint8Array | undefined;
  absErr: number;
  sqErr: number;
}

function newModel(p: ForecastParams, kind: Model['kind']): Model {
  const buckets = p.seasonBuckets;
  const seasonal = kind !== 'holt';
  return {
    kind,
    alpha: kind === 'seasonal' ? p.seasonalAlpha : p.alpha,
    pending: new Float64Array(Math.max(1, p.selectHorizon)),
    hErr: 0,
    level: 0,
    trend: 0,
    dayMean: 0,
    season: seasonal ? new Float64Array(buckets) : undefined,
    seen: seasonal ? new Uint8Array(buckets) : undefined,
    absErr: 0,
    sqErr: 0,
  };
}

const seasonAt = (m: Model, b: number): number => (m.season && m.seen![b] ? m.season[b]! : 0);

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  if (q < 0.02425 || q > 1 - 0.02425) {
    const r = Math.sqrt(-2 * Math.log(q < 0.5 ? q : 1 - q));
    const x =
      (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) /
      ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
    return q < 0.5 ? x : -x;
  }
  const r = (q - 0.5) * (q - 0.5);
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * (q - 0.5)) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

function pointForecast(m: Model, p: ForecastParams, t: number, h: number): number {
  if (m.kind === 'snaive') return seasonAt(m, bucketOf(t, p.seasonBuckets)) || m.level;
  const damp = p.phi === 1 ? h : (p.phi * (1 - Math.pow(p.phi, h))) / (1 - p.phi);
  return m.level + damp * m.trend + seasonAt(m, bucketOf(t, p.seasonBuckets));
}

/** Creates a forecaster; `params` overrides individual defaults. */
export function createForecaster(params: Partial<ForecastParams> = {}): Forecaster {
  const p: ForecastParams = { ...DEFAULT_FORECAST_PARAMS, ...params };
  const models = [newModel(p, 'holt'), newModel(p, 'seasonal'), newModel(p, 'snaive')];
  let n = 0;
  let lastT = Number.NaN;
  let firstT = Number.NaN;
  let dt = 0;

  function learn(m: Model, t: number, y: number): void {
    const b = bucketOf(t, p.seasonBuckets);
    const s = seasonAt(m, b);
    const err = y - (m.kind === 'snaive' ? (m.seen![b] ? s : m.level) : m.level + p.phi * m.trend + s);
    const ea = n < 1 / p.errorAlpha ? 1 / n : p.errorAlpha;
    m.absErr += ea * (Math.abs(err) - m.absErr);
    m.sqErr += ea * (err * err - m.sqErr);
    const H = m.pending.length;
    const slot = n % H;
    if (n > H) m.hErr += ea * (Math.abs(y - m.pending[slot]!) - m.hErr);
    if (m.kind === 'snaive') {
      m.season![b] = y;
      m.seen![b] = 1;
      m.level = y;
      m.pending[slot] = pointForecast(m, p, t + H * dt, H);
      return;
    }
    const prevLevel = m.level;
    m.level = m.alpha * (y - s) + (1 - m.alpha) * (m.level + p.phi * m.trend);
    m.trend = p.beta * (m.level - prevLevel) + (1 - p.beta) * p.phi * m.trend;
    if (m.season) {
      // The profile is learnt against a day-long mean, not the fast level, so the two cannot
      // trade the daily swing between them (the classic Holt–Winters start-up problem).
      m.dayMean += Math.max(dt / 86_400_000, 1 / 2000) * (y - m.dayMean);
      const dev = y - m.dayMean;
      if (m.seen![b]) m.season[b] = m.season[b]! + p.gamma * (dev - m.season[b]!);
      else {
        m.season[b] = dev;
        m.seen![b] = 1;
      }
    }
    // Remember this origin's forecast for the selection horizon, scored when its target arrives.
    m.pending[slot] = pointForecast(m, p, t + H * dt, H);
  }

  return {
    update(timestampMs: number, value: number): void {
      if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) return;
      if (Number.isFinite(lastT) && timestampMs > lastT) {
        const step = timestampMs - lastT;
        dt = dt === 0 ? step : dt + 0.05 * (Math.min(step, 10 * dt) - dt);
      }
      lastT = Number.isFinite(lastT) ? Math.max(lastT, timestampMs) : timestampMs;
      n++;
      if (n === 1) {
        firstT = timestampMs;
        for (const m of models) m.level = m.dayMean = value;
        return;
      }
      for (const m of models) learn(m, timestampMs, value);
    },
    forecast(steps: number, options: { stepMs?: number; coverage?: number } = {}): ForecastPoint[] {
      if (n < 2) return [];
      const stepMs = options.stepMs ?? dt;
      const z = normalQuantile(0.5 + (options.coverage ?? 0.8) / 2);
      // Daily models only compete once a full day has been seen.
      const daily = lastT - firstT >= 86_400_000;
      const m = models.reduce((best, x) => (x.hErr < best.hErr && (daily || x.kind === 'holt') ? x : best));
      const sigma = Math.sqrt(m.sqErr);
      const out: ForecastPoint[] = [];
      let damp = 0;
      let phiH = 1;
      for (let h = 1; h <= steps; h++) {
        phiH *= p.phi;
        damp += phiH;
        const t = lastT + h * stepMs;
        const mean =
          m.kind === 'snaive'
            ? pointForecast(m, p, t, h)
            : m.level + damp * m.trend + seasonAt(m, bucketOf(t, p.seasonBuckets));
        const width = z * sigma * Math.sqrt(1 + (h - 1) * m.alpha * m.alpha * (1 + h * p.beta));
        out.push({ timestampMs: t, mean, lower: mean - width, upper: mean + width });
      }
      return out;
    },
  };
}
