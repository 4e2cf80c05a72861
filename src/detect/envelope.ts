/**
 * The envelope of one feature's history: how far a new value falls outside everything the series
 * has done so far, in units of the envelope's width. The edges relax slowly toward the running
 * mean so a series that calms down becomes sensitive again. Constant memory (four numbers).
 */

/** Mutable state of an envelope (plain numbers, serialisable). */
export interface EnvelopeState {
  lo: number;
  hi: number;
  mean: number;
  n: number;
}

/** Creates an empty envelope state. */
export function newEnvelope(): EnvelopeState {
  return { lo: 0, hi: 0, mean: 0, n: 0 };
}

/**
 * Novelty of `x` against the envelope so far (0 inside, else the distance beyond the nearer edge
 * divided by the width), then widens the envelope to include `x`. Widths never drop below a
 * thousandth of the running mean's magnitude, so flat series do not divide by zero.
 */
export function envelopeNovelty(
  e: EnvelopeState,
  x: number,
  decay: number,
  minCount: number,
  minWidth = 0,
): number {
  if (!Number.isFinite(x)) return 0; // overflowed feature (|values| near 1e308): not learnt
  if (e.n === 0) {
    e.lo = e.hi = e.mean = x;
    e.n = 1;
    return 0;
  }
  const w = Math.max(e.hi - e.lo, 1e-9, 1e-3 * Math.abs(e.mean), minWidth);
  const nov = e.n < minCount ? 0 : x > e.hi ? (x - e.hi) / w : x < e.lo ? (e.lo - x) / w : 0;
  e.n++;
  e.mean += (x - e.mean) / Math.min(e.n, 1 / decay);
  e.hi = x > e.hi ? x : e.hi - decay * (e.hi - e.mean);
  e.lo = x < e.lo ? x : e.lo + decay * (e.mean - e.lo);
  return nov;
}
