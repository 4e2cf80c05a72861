/**
 * The Numenta Anomaly Benchmark (NAB v1.1) scorer, written from the rules in
 * `shared/nab/README.md`: probationary period, scaled-sigmoid window weights, one threshold per
 * profile chosen over the whole corpus, and the normalised 0–100 score. Pure: rows in, numbers out.
 */

/** Cost weights of one NAB application profile. */
export interface NabProfile {
  readonly tp: number;
  readonly fn: number;
  readonly fp: number;
}

/** The three published NAB profiles. */
export const NAB_PROFILES: Readonly<
  Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', NabProfile>
> = {
  standard: { tp: 1, fn: 1, fp: 0.11 },
  reward_low_FP_rate: { tp: 1, fn: 1, fp: 0.22 },
  reward_low_FN_rate: { tp: 1, fn: 2, fp: 0.11 },
};

/** Name of one of the NAB profiles. */
export type NabProfileName = keyof typeof NAB_PROFILES;

/** One scored file: row scores in file order and its anomaly windows as inclusive row indices. */
export interface NabFile {
  readonly name: string;
  readonly scores: readonly number[];
  /** Inclusive `[firstRow, lastRow]` of each labelled window, in time order. */
  readonly windows: readonly (readonly [number, number])[];
}

/** A scoreable row after the probationary period: its detector score and what a detection there is worth. */
interface SweepPoint {
  score: number;
  /** Weighted value of a detection here, before the "earliest in window" rule. */
  weight: number;
  /** Global window id, or -1 outside every window. */
  window: number;
}

/** NAB's scaled sigmoid: 2/(1+e^(5x)) − 1, and −1 beyond x > 3. */
export function scaledSigmoid(x: number): number {
  if (x > 3) return -1;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

/** Rows at the start of a file of `length` rows that are never scored: min(floor(0.15·N), 750). */
export function probationaryRows(length: number): number {
  return Math.min(Math.floor(0.15 * length), 750);
}

/**
 * Maps window edges given as timestamps onto row indices. Timestamps compare as strings after
 * dropping a fractional-seconds suffix (`.000000`); an edge that is not a data timestamp is an error.
 */
export function windowsToRows(
  timestamps: readonly string[],
  windows: readonly (readonly [string, string])[],
): [number, number][] {
  const norm = (t: string): string => t.replace(/\.\d+$/, '').trim();
  const index = new Map<string, number>();
  timestamps.forEach((t, i) => index.set(norm(t), i));
  return windows.map(([a, b]) => {
    const s = index.get(norm(a));
    const e = index.get(norm(b));
    if (s === undefined || e === undefined)
      throw new Error(`window ${a}..${b} does not match data timestamps`);
    return [s, e];
  });
}

function sweepFile(file: NabFile, profile: NabProfile, windowBase: number, out: SweepPoint[]): number {
  const n = file.scores.length;
  const probation = probationaryRows(n);
  const maxTp = scaledSigmoid(-1);
  let w = 0;
  let cur: readonly [number, number] | undefined;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const next = file.windows[w];
    if (cur === undefined && next !== undefined && i === next[0]) {
      cur = next;
      w++;
    }
    let weight: number;
    if (cur !== undefined) {
      const width = cur[1] - cur[0] + 1;
      weight = (scaledSigmoid(-(cur[1] - i + 1) / width) * profile.tp) / maxTp;
    } else if (prevRight < 0) {
      weight = -profile.fp;
    } else {
      weight = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1)) * profile.fp;
    }
    if (i >= probation) {
      out.push({ score: file.scores[i] ?? 0, weight, window: cur ? windowBase + w - 1 : -1 });
    }
    if (cur !== undefined && i === cur[1]) {
      prevRight = cur[1];
      prevWidth = cur[1] - cur[0] + 1;
      cur = undefined;
    }
  }
  return file.windows.length;
}

/** Result of scoring a corpus under one profile. */
export interface NabProfileResult {
  /** Threshold that maximises the raw score (detections are scores ≥ threshold). */
  threshold: number;
  raw: number;
  /** Score of a detector that never fires. */
  nullScore: number;
  /** windows × tp. */
  perfectScore: number;
  /** 100·(raw − null)/(perfect − null). */
  normalized: number;
  tp: number;
  fp: number;
  fn: number;
}

/**
 * Scores a corpus under one profile: sweeps every distinct score as a threshold (highest first)
 * and keeps the one with the largest total, exactly like NAB's sweeper. With `fixedThreshold`
 * the threshold is not chosen here but given (e.g. chosen on other data: held-out evaluation).
 */
export function scoreCorpus(
  files: readonly NabFile[],
  profile: NabProfile,
  fixedThreshold?: number,
): NabProfileResult {
  const points: SweepPoint[] = [];
  let windowCount = 0;
  for (const f of files) windowCount += sweepFile(f, profile, windowCount, points);
  // A window whose rows all fall in the probationary period never appears (as in NAB).
  const windowBest = new Float64Array(windowCount).fill(-profile.fn);
  const present = new Uint8Array(windowCount);
  for (const p of points) if (p.window >= 0) present[p.window] = 1;
  let live = 0;
  for (let k = 0; k < windowCount; k++) if (present[k]) live++;
  const nullScore = -profile.fn * live;
  points.sort((a, b) => b.score - a.score);
  let windowsSum = nullScore;
  let fpSum = 0;
  let tp = 0;
  let fp = 0;
  let best = { threshold: fixedThreshold ?? 1.1, raw: nullScore, tp: 0, fp: 0 };
  for (let k = 0; k < points.length;) {
    const t = points[k]!.score;
    while (k < points.length && points[k]!.score === t) {
      const p = points[k]!;
      if (p.window < 0) {
        fpSum += p.weight;
        fp++;
      } else {
        const prev = windowBest[p.window]!;
        if (p.weight > prev) {
          windowsSum += p.weight - prev;
          windowBest[p.window] = p.weight;
        }
        tp++;
      }
      k++;
    }
    const raw = windowsSum + fpSum;
    if (fixedThreshold === undefined ? raw > best.raw : t >= fixedThreshold) {
      best = { threshold: fixedThreshold ?? t, raw, tp, fp };
    }
  }
  let detectedWindows = 0;
  // Recount windows detected at the best threshold for the fn figure.
  const hit = new Uint8Array(windowCount);
  for (const p of points) if (p.score >= best.threshold && p.window >= 0) hit[p.window] = 1;
  for (let k = 0; k < windowCount; k++) if (hit[k]) detectedWindows++;
  const perfectScore = windowCount * profile.tp;
  return {
    threshold: best.threshold,
    raw: best.raw,
    nullScore,
    perfectScore,
    normalized: (100 * (best.raw - nullScore)) / (perfectScore - nullScore),
    tp: best.tp,
    fp: best.fp,
    fn: live - detectedWindows,
  };
}

/** Scores a corpus under all three NAB profiles. */
export function scoreAllProfiles(files: readonly NabFile[]): Record<NabProfileName, NabProfileResult> {
  return {
    standard: scoreCorpus(files, NAB_PROFILES.standard),
    reward_low_FP_rate: scoreCorpus(files, NAB_PROFILES.reward_low_FP_rate),
    reward_low_FN_rate: scoreCorpus(files, NAB_PROFILES.reward_low_FN_rate),
  };
}
