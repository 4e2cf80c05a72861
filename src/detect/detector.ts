/**
 * The default streaming anomaly detector. Causal (each score uses only earlier points), constant
 * memory per series (~3 KiB), one default parameter set for every series.
 *
 * Each point is turned into five features — the value, the jump from the previous point, the
 * shift of the short-window mean from a slow level, the sustained shift (the whole short window
 * beyond that level), and the residual against a daily profile —
 * and each feature is compared with its own history envelope (see `envelope.ts`): something the
 * series has never done scores, something it has done before does not. The largest weighted
 * novelty becomes the score through `1 − e^(−novelty/τ)`, so scores are always in [0, 1]. An
 * envelope widens as soon as it is exceeded, so a level shift scores at its start and then is
 * learnt as normal; that is the suppression after a detection.
 */
import { envelopeNovelty, newEnvelope, type EnvelopeState } from './envelope.ts';
import {
  bucketOf,
  learnSeasonal,
  newSeasonal,
  seasonalResidual,
  seasonalTrust,
  type SeasonalState,
} from './seasonal.ts';

/** Tunable parameters of the default detector (README explains each default). */
export interface DetectorParams {
  /** Points learnt before any score is emitted (scores are 0 until then). */
  learnPoints: number;
  /** Per-point relaxation of envelope edges toward the mean (memory of ~1/decay points). */
  decay: number;
  /** Points in the short window whose mean is compared with the slow level. */
  shortWindow: number;
  /** EWMA weight of the slow level. */
  slowAlpha: number;
  /** Buckets per day of the seasonal profile. */
  seasonBuckets: number;
  /** EWMA weight of a seasonal bucket. */
  seasonAlpha: number;
  /** Neighbouring buckets on each side that also count as "usual at this time". */
  seasonSpread: number;
  /** Gain on the profile's trust (see `seasonalTrust`). */
  seasonGain: number;
  /** Updates of the seasonal envelope before it may score. */
  seasonLearn: number;
  /** Weights of the five features. */
  wValue: number;
  wJump: number;
  wShift: number;
  wSeason: number;
  wSustained: number;
  /** Novelty (in envelope widths) that maps to a score of 1 − 1/e. */
  tau: number;
  /** A step longer than this many typical intervals is a gap: short-term state restarts. */
  gapFactor: number;
  /**
   * A seasonal residual must leave its envelope by at least this fraction of the value range to
   * count (keeps young, narrow residual envelopes from firing on noise).
   */
  seasonMinWidth: number;
  /**
   * The sustained-shift envelope's width never drops below this fraction of the value range (the
   * feature is 0 most of the time, so its own envelope can be arbitrarily narrow).
   */
  sustainedMinWidth: number;
  /** Points after a high score during which lower scores are damped. */
  refractory: number;
  /** Factor applied to those lower scores. */
  refractoryFactor: number;
}

/** The one default parameter set used for every series (tuned on NAB data kinds, not files). */
export const DEFAULT_DETECTOR_PARAMS: Readonly<DetectorParams> = Object.freeze({
  learnPoints: 150,
  decay: 0.00003,
  shortWindow: 10,
  slowAlpha: 0.01,
  seasonBuckets: 288,
  seasonAlpha: 0.5,
  seasonSpread: 1,
  seasonGain: 2,
  seasonLearn: 0,
  wValue: 1,
  wJump: 1,
  wShift: 1,
  wSeason: 0.75,
  wSustained: 0.25,
  tau: 0.2,
  gapFactor: 10,
  seasonMinWidth: 0.5,
  sustainedMinWidth: 0.2,
  refractory: 10,
  refractoryFactor: 0.3,
});

/** Serialisable state of one detector (what "memory per series" measures). */
export interface DetectorState {
  n: number;
  lastT: number;
  typicalDt: number;
  prev: number;
  slow: number;
  short: Float64Array;
  shortCount: number;
  shortSum: number;
  /** Smallest and largest value in the short window. */
  shortLo: number;
  shortHi: number;
  envValue: EnvelopeState;
  envJump: EnvelopeState;
  envShift: EnvelopeState;
  envSustained: EnvelopeState;
  envSeason: EnvelopeState;
  season: SeasonalState;
  /** Highest score of the current refractory period and points since it. */
  lastHigh: number;
  sinceHigh: number;
}

/** A streaming detector for one series. */
export interface Detector {
  /**
   * Feeds one point and returns its anomaly score in [0, 1], computed before the point is learnt.
   * Non-finite values or timestamps score 0 and leave the state untouched.
   */
  update(timestampMs: number, value: number): number;
  /** The detector's state, for persistence and memory accounting. */
  state(): Readonly<DetectorState>;
}

/** Creates the default detector; `params` overrides individual defaults for one series. */
export function createDetector(params: Partial<DetectorParams> = {}): Detector {
  const p: DetectorParams = { ...DEFAULT_DETECTOR_PARAMS, ...params };
  const s: DetectorState = {
    n: 0,
    lastT: Number.NaN,
    typicalDt: 0,
    prev: 0,
    slow: 0,
    short: new Float64Array(Math.max(1, p.shortWindow)),
    shortCount: 0,
    shortSum: 0,
    shortLo: 0,
    shortHi: 0,
    envValue: newEnvelope(),
    envJump: newEnvelope(),
    envShift: newEnvelope(),
    envSustained: newEnvelope(),
    envSeason: newEnvelope(),
    season: newSeasonal(p.seasonBuckets),
    lastHigh: 0,
    sinceHigh: 0,
  };
  return { update: (t, v) => step(s, p, t, v), state: () => s };
}

function step(s: DetectorState, p: DetectorParams, t: number, value: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(t)) return 0;
  if (s.n === 0) s.prev = s.slow = value;
  // Gaps: a step much longer than usual restarts the short-term features.
  const dt = t - s.lastT;
  let gap = false;
  if (dt > 0) {
    if (s.typicalDt > 0 && dt > p.gapFactor * s.typicalDt) gap = true;
    else s.typicalDt = s.typicalDt === 0 ? dt : s.typicalDt + 0.05 * (dt - s.typicalDt);
  }
  if (gap) {
    s.shortCount = 0;
    s.shortSum = 0;
    s.prev = value;
  }
  s.lastT = Number.isFinite(s.lastT) ? Math.max(s.lastT, t) : t;

  const nv = envelopeNovelty(s.envValue, value, p.decay, 0);
  const nj = envelopeNovelty(s.envJump, value - s.prev, p.decay, 0);
  const w = s.short.length;
  const idx = s.shortCount % w;
  const evicted = s.shortCount >= w ? s.short[idx]! : Number.NaN;
  s.shortSum += value - (s.shortCount >= w ? evicted : 0);
  s.short[idx] = value;
  s.shortCount++;
  // The shift features wait until the short window is full (at the start and after a gap).
  let ns = 0;
  let nsu = 0;
  if (s.shortCount >= w) {
    ns = envelopeNovelty(s.envShift, s.shortSum / w - s.slow, p.decay, 0);
    // Sustained shift: how far the whole window sits beyond the slow level (its nearest point).
    // A spike moves the window's mean but not its minimum, so earlier spikes do not widen this
    // envelope and a later level shift inside their range still scores.
    // Window min/max kept incrementally; rescanned only when the evicted point was an extreme.
    if (s.shortCount === w || evicted === s.shortLo || evicted === s.shortHi) {
      s.shortLo = Infinity;
      s.shortHi = -Infinity;
      for (let k = 0; k < w; k++) {
        const v = s.short[k]!;
        if (v < s.shortLo) s.shortLo = v;
        if (v > s.shortHi) s.shortHi = v;
      }
    } else {
      if (value < s.shortLo) s.shortLo = value;
      if (value > s.shortHi) s.shortHi = value;
    }
    const lo = s.shortLo;
    const hi = s.shortHi;
    const sustained = lo > s.slow ? lo - s.slow : hi < s.slow ? hi - s.slow : 0;
    nsu = envelopeNovelty(
      s.envSustained,
      sustained,
      p.decay,
      0,
      p.sustainedMinWidth * (s.envValue.hi - s.envValue.lo),
    );
  }
  s.season.levelScale += 0.01 * (Math.abs(value - s.slow) - s.season.levelScale);
  s.slow += p.slowAlpha * (value - s.slow);
  const b = bucketOf(t, p.seasonBuckets);
  let nse = 0;
  const res = seasonalResidual(s.season, b, value, p.seasonSpread);
  if (!Number.isNaN(res)) {
    nse = envelopeNovelty(
      s.envSeason,
      res,
      p.decay,
      p.seasonLearn,
      p.seasonMinWidth * (s.envValue.hi - s.envValue.lo),
    );
    s.season.residualScale += 0.01 * (Math.abs(res) - s.season.residualScale);
    nse *= seasonalTrust(s.season, p.seasonGain);
  }
  learnSeasonal(s.season, b, value, p.seasonAlpha);
  s.prev = value;
  s.n++;
  if (s.n <= p.learnPoints) return 0;
  const raw = Math.max(p.wValue * nv, p.wJump * nj, p.wShift * ns, p.wSeason * nse, p.wSustained * nsu);
  let score = raw > 0 ? 1 - Math.exp(-raw / p.tau) : 0; // NaN (overflowed features) scores 0
  // Refractory period: for `refractory` points after a high, only a higher score passes undamped
  // (one event — a spike and its return, a shift settling — raises one alarm, not several).
  if (score > s.lastHigh || s.sinceHigh >= p.refractory) {
    s.lastHigh = score;
    s.sinceHigh = 0;
  } else {
    s.sinceHigh++;
    score *= p.refractoryFactor;
  }
  return score >= 0 && score <= 1 ? score : 0;
}
