/**
 * A daily seasonal profile on timestamp buckets: the recent value at each time of day, so a point
 * can be compared with what the series usually does at that hour. Works for any sampling rate
 * (points fall into fixed-width buckets of the day) and keeps a fixed number of buckets.
 */

const DAY_MS = 86_400_000;

/** Mutable state of a seasonal profile (typed arrays of `buckets` entries plus two scales). */
export interface SeasonalState {
  values: Float64Array;
  seen: Uint8Array;
  /** EWMA of |residual| against the profile. */
  residualScale: number;
  /** EWMA of |value − slow level|, the spread the profile has to beat to be trusted. */
  levelScale: number;
}

/** Creates an empty profile with `buckets` buckets per day. */
export function newSeasonal(buckets: number): SeasonalState {
  return {
    values: new Float64Array(buckets),
    seen: new Uint8Array(buckets),
    residualScale: 0,
    levelScale: 0,
  };
}

/** Bucket of the day (UTC) that `timestampMs` falls in. */
export function bucketOf(timestampMs: number, buckets: number): number {
  const inDay = ((timestampMs % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.min(buckets - 1, Math.floor((inDay * buckets) / DAY_MS));
}

/**
 * Residual of `value` against the profile at `bucket`: the distance outside the range of the
 * bucket and its `spread` neighbours on each side (0 inside), or NaN when the bucket is new.
 */
export function seasonalResidual(s: SeasonalState, bucket: number, value: number, spread: number): number {
  if (!s.seen[bucket]) return Number.NaN;
  const B = s.values.length;
  let lo = s.values[bucket]!;
  let hi = lo;
  for (let k = 1; k <= spread; k++) {
    const l = (bucket - k + B) % B;
    const r = (bucket + k) % B;
    if (s.seen[l]) {
      const v = s.values[l]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (s.seen[r]) {
      const v = s.values[r]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return value > hi ? value - hi : value < lo ? value - lo : 0;
}

/**
 * How much to trust the profile, in [0, 1]: 1 − residual spread / level spread, times `gain`.
 * A series with no daily pattern has residuals as wide as its level swings and gets ~0.
 */
export function seasonalTrust(s: SeasonalState, gain: number): number {
  const strength = 1 - s.residualScale / Math.max(s.levelScale, 1e-12);
  return Math.min(1, Math.max(0, strength * gain));
}

/** Learns `value` at `bucket` (EWMA with weight `alpha`; the first visit copies the value). */
export function learnSeasonal(s: SeasonalState, bucket: number, value: number, alpha: number): void {
  if (s.seen[bucket]) s.values[bucket] = s.values[bucket]! + alpha * (value - s.values[bucket]!);
  else {
    s.values[bucket] = value;
    s.seen[bucket] = 1;
  }
}
