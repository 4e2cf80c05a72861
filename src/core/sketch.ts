/**
 * A mergeable quantile sketch for latencies (DDSketch-style, Masson et al. 2019): values fall into
 * logarithmic buckets so that every quantile is answered within a relative error of `ALPHA` (1%),
 * sketches of parts merge exactly into the sketch of the whole, and the binary form is small.
 * Pure and allocation-light: it sits on the ingest path.
 */
import { NinesError } from './errors.ts';

/** Relative accuracy of every quantile answer (1%). Fixed so all serialised sketches merge. */
export const SKETCH_ALPHA = 0.01;
const GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (and negatives) count in the zero bucket; latencies under 1 µs are 0. */
const MIN_VALUE = 1e-3;
/** Version 1: every bin of the run as a varint. Version 2 (written now): runs of zeros collapsed. */
const DENSE_FORMAT = 1;
const FORMAT_VERSION = 2;

/** A log-bucketed quantile sketch with relative accuracy `SKETCH_ALPHA`. */
export class QuantileSketch {
  /** Number of values added (including merged sketches). */
  count = 0;
  private zeroCount = 0;
  private min = Infinity;
  private max = -Infinity;
  /** Dense counts for bucket indexes offset, offset+1, … (a plain array: far cheaper to allocate
   * than a typed array, which matters with thousands of small sketches per batch). */
  private bins: number[] = [];
  private offset = 0;

  /** Adds one value (a latency in ms); NaN is ignored, negatives count as zero. */
  add(value: number): void {
    this.addIndexed(value, QuantileSketch.binOf(value));
  }

  /**
   * The bin `value` falls in, for `addIndexed` (so a value added to several sketches is
   * bucketed once).
   */
  static binOf(value: number): number {
    return value <= MIN_VALUE ? 0 : Math.ceil(Math.log(value) / LOG_GAMMA);
  }

  /** Adds one value whose bin `QuantileSketch.binOf(value)` returned. */
  addIndexed(value: number, bin: number): void {
    if (Number.isNaN(value)) return;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value <= MIN_VALUE) {
      this.zeroCount++;
      return;
    }
    this.addToBin(bin, 1);
  }

  /** Adds every count of `other` into this sketch (the result is the sketch of both inputs). */
  merge(other: QuantileSketch): this {
    if (other.count === 0) return this;
    this.count += other.count;
    this.zeroCount += other.zeroCount;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    const bins = other.bins;
    for (let i = 0; i < bins.length; i++) {
      const c = bins[i]!;
      if (c !== 0) this.addToBin(other.offset + i, c);
    }
    return this;
  }

  /**
   * The value at quantile `q` in [0, 1], within relative error `SKETCH_ALPHA` of the exact
   * (lower) quantile; NaN when the sketch is empty. q=0 and q=1 return the exact min and max.
   * Values in the zero bucket (≤ 1 µs) are reported as 0.
   */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = Math.floor(q * (this.count - 1));
    let seen = this.zeroCount;
    if (rank < seen) return Math.min(this.max, Math.max(this.min, 0));
    const bins = this.bins;
    for (let i = 0; i < bins.length; i++) {
      seen += bins[i]!;
      if (seen > rank) {
        const value = (2 * Math.pow(GAMMA, this.offset + i)) / (GAMMA + 1);
        return Math.min(this.max, Math.max(this.min, value));
      }
    }
    return this.max;
  }

  /**
   * How many added values are at or below `value`, within the sketch's accuracy: a value's bucket
   * counts whole when the bucket's representative value is ≤ `value`. Used for "good events"
   * of latency and TTFT SLIs computed from rollups.
   */
  countAtOrBelow(value: number): number {
    if (this.count === 0 || value < 0) return 0;
    if (value >= this.max) return this.count;
    if (value < this.min) return 0;
    let n = this.zeroCount;
    const bins = this.bins;
    for (let i = 0; i < bins.length; i++) {
      const representative = (2 * Math.pow(GAMMA, this.offset + i)) / (GAMMA + 1);
      if (representative > value) break;
      n += bins[i]!;
    }
    return n;
  }

  /** The smallest value added (Infinity when empty). */
  get minValue(): number {
    return this.min;
  }

  /** The largest value added (-Infinity when empty). */
  get maxValue(): number {
    return this.max;
  }

  /**
   * Compact binary form: version, count of zeros, min, max, the index of the first non-empty bin
   * and the number of bins up to the last non-empty one, then those bins as unsigned varints,
   * where a 0 is followed by a varint k and stands for k + 1 empty bins (version 2; version 1,
   * still read, wrote every empty bin as one 0).
   */
  serialize(): Uint8Array {
    const out = scratch(this.serializedSizeBound());
    return out.slice(0, this.serializeInto(out, 0));
  }

  /** An upper bound of the length of `serialize()`'s output, in bytes. */
  serializedSizeBound(): number {
    return 1 + 10 + 16 + 10 + 10 + this.bins.length * 10;
  }

  /**
   * Writes the form `serialize` returns into `out` at `pos` (which must have
   * `serializedSizeBound()` bytes of room); returns the position after it.
   */
  serializeInto(out: Uint8Array, pos: number): number {
    const bins = this.bins;
    let first = 0;
    let last = bins.length - 1;
    while (first <= last && bins[first] === 0) first++;
    while (last >= first && bins[last] === 0) last--;
    const runLength = last >= first ? last - first + 1 : 0;
    out[pos] = FORMAT_VERSION;
    pos = writeVarint(out, pos + 1, this.zeroCount);
    if (this.count === 0) return pos;
    F64[0] = this.min;
    out.set(F64_BYTES, pos);
    F64[0] = this.max;
    out.set(F64_BYTES, pos + 8);
    pos = writeVarint(out, pos + 16, zigzag(this.offset + first));
    pos = writeVarint(out, pos, runLength);
    for (let i = first; i <= last; i++) {
      const c = bins[i]!;
      if (c !== 0) {
        pos = writeVarint(out, pos, c);
        continue;
      }
      let zeros = 1;
      while (bins[i + 1] === 0) {
        zeros++;
        i++;
      }
      out[pos] = 0;
      pos = writeVarint(out, pos + 1, zeros - 1);
    }
    return pos;
  }

  /** Reads a sketch written by `serialize`; throws VALIDATION on malformed bytes. */
  static deserialize(bytes: Uint8Array): QuantileSketch {
    const sketch = new QuantileSketch();
    sketch.mergeSerialized(bytes);
    return sketch;
  }

  /**
   * Merges a serialised sketch into this one without building an intermediate object (the fast
   * path for reports merging thousands of stored rollups). An empty byte array is an empty sketch.
   */
  mergeSerialized(bytes: Uint8Array): this {
    const n = bytes.length;
    if (n === 0) return this;
    if (this.mergeAt(bytes, 0, true) !== n) throw new NinesError('VALIDATION', 'trailing bytes after sketch');
    return this;
  }

  /**
   * Merges a concatenation of serialised non-empty sketches (each from `serialize`, none of them
   * empty: an empty sketch's 2 bytes cannot be told apart from the next sketch's start). Lets a
   * database hand over all of a target's sketches as one value (SQL `group_concat`), instead of
   * one value per row.
   */
  mergeConcatenated(bytes: Uint8Array): this {
    let pos = 0;
    while (pos < bytes.length) pos = this.mergeAt(bytes, pos, false);
    return this;
  }

  /**
   * Merges the sketch serialised at `bytes[at…]`; returns the position after it. `whole`: the
   * sketch runs to the end of `bytes` (so it may be the 2-byte empty form).
   */
  private mergeAt(bytes: Uint8Array, at: number, whole: boolean): number {
    const n = bytes.length;
    const version = bytes[at];
    if (version !== FORMAT_VERSION && version !== DENSE_FORMAT)
      throw new NinesError('VALIDATION', `unknown sketch format ${version}`);
    let pos = at + 1;
    const zeros = readVarint(bytes, pos);
    pos = VARINT.pos;
    if (whole && pos === n) {
      if (zeros !== 0) throw truncated();
      return pos;
    }
    if (pos + 16 > n) throw truncated();
    for (let k = 0; k < 8; k++) F64_BYTES[k] = bytes[pos + k]!;
    const min = F64[0]!;
    for (let k = 0; k < 8; k++) F64_BYTES[k] = bytes[pos + 8 + k]!;
    const max = F64[0]!;
    pos += 16;
    const start = unzigzag(readVarint(bytes, pos));
    const runLength = readVarint(bytes, VARINT.pos);
    pos = VARINT.pos;
    let total = zeros;
    if (runLength > 0) {
      this.ensureRange(start, start + runLength - 1);
      const binsOut = this.bins;
      const base = start - this.offset;
      pos =
        version === FORMAT_VERSION
          ? addRuns(bytes, pos, binsOut, base, runLength)
          : addVarints(bytes, pos, binsOut, base, runLength);
      total += ADDED.total;
    }
    this.count += total;
    this.zeroCount += zeros;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    return pos;
  }

  private addToBin(index: number, n: number): void {
    const bins = this.bins;
    const i = index - this.offset;
    if (i >= 0 && i < bins.length) {
      bins[i]! += n;
      return;
    }
    this.ensureRange(index, index);
    this.bins[index - this.offset]! += n;
  }

  private ensureRange(lo: number, hi: number): void {
    if (this.bins.length === 0) {
      // A little room around the first value; grows by doubling when later values fall outside.
      this.offset = lo - 8;
      this.bins = zeros(hi - lo + 17);
      return;
    }
    const curLo = this.offset;
    const curHi = this.offset + this.bins.length - 1;
    if (lo >= curLo && hi <= curHi) return;
    const newLo = lo < curLo ? Math.min(lo, curLo - this.bins.length) : curLo;
    const newHi = hi > curHi ? Math.max(hi, curHi + this.bins.length) : curHi;
    const bins = zeros(newHi - newLo + 1);
    const shift = curLo - newLo;
    for (let i = 0; i < this.bins.length; i++) bins[shift + i] = this.bins[i]!;
    this.bins = bins;
    this.offset = newLo;
  }
}

/** Position after the last `readVarint` (a second return value without allocating). */
const VARINT = { pos: 0 };

/** Reads one unsigned LEB128 varint at `bytes[pos]`; leaves the position after it in `VARINT.pos`. */
function readVarint(bytes: Uint8Array, pos: number): number {
  let v = 0;
  let scale = 1;
  let b = 0;
  do {
    if (pos >= bytes.length) throw truncated();
    b = bytes[pos++]!;
    v += (b & 0x7f) * scale;
    scale *= 0x80;
  } while (b >= 0x80);
  VARINT.pos = pos;
  return v;
}

/** Running total of the last `addVarints` call (a second return value without allocating). */
const ADDED = { total: 0 };

/**
 * Adds `count` unsigned varints from `bytes[pos…]` to `bins[base…]`; returns the position after
 * them and leaves their sum in `ADDED.total`. Small and monomorphic so V8 optimises it well: it
 * is the inner loop of every report.
 */
function addVarints(bytes: Uint8Array, pos: number, bins: number[], base: number, count: number): number {
  const n = bytes.length;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (pos >= n) throw truncated();
    const b = bytes[pos++]!;
    // Most bins of a rollup's sketch hold < 128 values: one byte, often zero.
    if (b < 0x80) {
      if (b !== 0) {
        bins[base + i]! += b;
        total += b;
      }
      continue;
    }
    // Rarer: a count of 128 or more, read again whole.
    const v = readVarint(bytes, pos - 1);
    pos = VARINT.pos;
    bins[base + i]! += v;
    total += v;
  }
  ADDED.total = total;
  return pos;
}

/**
 * Like `addVarints`, for the version-2 form: a 0 is followed by a varint k and skips k + 1 bins.
 * Covers exactly `count` bins.
 */
function addRuns(bytes: Uint8Array, pos: number, bins: number[], base: number, count: number): number {
  const n = bytes.length;
  let total = 0;
  let i = 0;
  while (i < count) {
    if (pos >= n) throw truncated();
    let v = bytes[pos++]!;
    if (v >= 0x80) {
      v = readVarint(bytes, pos - 1);
      pos = VARINT.pos;
    }
    if (v !== 0) {
      bins[base + i]! += v;
      total += v;
      i++;
      continue;
    }
    // A run of empty bins: its length - 1 follows.
    i += readVarint(bytes, pos) + 1;
    pos = VARINT.pos;
  }
  if (i !== count) throw new NinesError('VALIDATION', 'sketch run overflows its length');
  ADDED.total = total;
  return pos;
}

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0);
  return a;
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function truncated(): NinesError {
  return new NinesError('VALIDATION', 'truncated sketch');
}

/** Scratch space (floats are stored little-endian: every platform Node supports here is LE) for encoding floats and for building serialised sketches (one copy per serialize). */
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
let SCRATCH = new Uint8Array(4096);

function scratch(size: number): Uint8Array {
  if (SCRATCH.length < size) SCRATCH = new Uint8Array(Math.max(size, SCRATCH.length * 2));
  return SCRATCH;
}

function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[pos++] = n;
  return pos;
}
