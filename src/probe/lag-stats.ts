/** A bounded window of recent samples (schedule lag, queue wait) with percentiles on demand. */

/** Percentile summary of a sample window, in ms. */
export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Ring buffer of the last `capacity` samples. */
export class SampleWindow {
  private readonly buf: Float64Array;
  private n = 0;
  private next = 0;

  constructor(capacity = 20_000) {
    this.buf = new Float64Array(capacity);
  }

  /** Records one sample. */
  add(v: number): void {
    this.buf[this.next] = v;
    this.next = (this.next + 1) % this.buf.length;
    if (this.n < this.buf.length) this.n++;
  }

  /** Forgets every sample. */
  reset(): void {
    this.n = 0;
    this.next = 0;
  }

  /** p50/p99/max of the samples in the window (zeros when empty). */
  summary(): Percentiles {
    if (this.n === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
    const sorted = this.buf.slice(0, this.n).sort();
    const at = (q: number) => sorted[Math.min(this.n - 1, Math.floor(q * this.n))]!;
    return { count: this.n, p50: at(0.5), p99: at(0.99), max: sorted[this.n - 1]! };
  }
}
