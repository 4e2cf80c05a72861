/**
 * Per-minute budgets (requests/min, tokens/min) as a sliding-window counter: the current
 * minute's count plus the previous minute's, weighted by how much of it still overlaps the
 * last 60 s. Pure: every method takes `now`.
 */

const MINUTE = 60_000;

/** One sliding one-minute counter. */
export class RateWindow {
  private bucket = 0;
  private current = 0;
  private previous = 0;

  private roll(now: number): void {
    const b = Math.floor(now / MINUTE);
    if (b === this.bucket) return;
    this.previous = b === this.bucket + 1 ? this.current : 0;
    this.current = 0;
    this.bucket = b;
  }

  /** Estimated usage over the last minute. */
  used(now: number): number {
    this.roll(now);
    const overlap = 1 - (now % MINUTE) / MINUTE;
    return this.current + this.previous * overlap;
  }

  /** Adds `n` units at `now`. */
  add(n: number, now: number): void {
    this.roll(now);
    this.current += n;
  }

  /** Seconds until usage drops below `limit` (rounded up, at least 1). */
  retryAfterS(limit: number, now: number): number {
    const used = this.used(now);
    if (used < limit) return 0;
    // Worst case: wait for the current minute to end.
    return Math.max(1, Math.ceil((MINUTE - (now % MINUTE)) / 1000));
  }
}
