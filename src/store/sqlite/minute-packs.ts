/**
 * The SQLite layout of the minute tier of result rollups: one row per target and hour
 * (`minute_packs`), holding that hour's minute buckets packed into one blob. A probe that runs
 * once a minute has one result per minute bucket, so a row per minute would cost a row write
 * per result; a pack is rewritten once per rollup checkpoint instead (`result-rollups.ts`).
 *
 * A pack is `PACK_VERSION`, then entries in minute order, each:
 * `u8 minute-of-hour · varint total, ok, degraded, failed · f64 latency sum ·
 * varint length + latency sketch · varint ttft count · varint length + ttft sketch ·
 * varint length + errors JSON (0 = none)`.
 */
import { NinesError } from '../../core/errors.ts';
import type { QuantileSketch } from '../../core/sketch.ts';
import { emptyResultAcc, resultAccFromRollup, type ResultAcc } from '../rollup-agg.ts';
import type { Rollup } from '../types.ts';

/** Format version written as a pack's first byte. */
export const PACK_VERSION = 1;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The start of the hour holding minute bucket `bucket`. */
export function packHour(bucket: number): number {
  return Math.floor(bucket / HOUR_MS) * HOUR_MS;
}

/** A growable byte buffer, reused by every encode (encoding is synchronous). */
class ByteWriter {
  buf = new Uint8Array(4096);
  pos = 0;

  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  varint(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  f64(x: number): void {
    this.room(8);
    F64[0] = x;
    this.buf.set(F64_BYTES, this.pos);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A length-prefixed serialised sketch (the length takes 2 bytes, so it can be written after). */
  sketch(s: QuantileSketch): void {
    this.room(2 + s.serializedSizeBound());
    const start = this.pos + 2;
    const end = s.serializeInto(this.buf, start);
    const n = end - start;
    if (n >= 0x4000) {
      // Rare (a sketch over 16 KiB): fall back to a copy with a varint of its real length.
      const bytes = this.buf.slice(start, end);
      this.bytes(bytes);
      return;
    }
    this.buf[this.pos] = (n & 0x7f) | 0x80;
    this.buf[this.pos + 1] = n >> 7;
    this.pos = end;
  }

  /** The bytes written since `reset`, copied out. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

const WRITER = new ByteWriter();

/** Encodes one minute accumulator as a pack entry (its minute-of-hour comes from `acc.bucket`). */
export function encodeMinuteEntry(acc: ResultAcc): Uint8Array {
  WRITER.pos = 0;
  writeEntry(WRITER, acc);
  return WRITER.take();
}

/**
 * A pack of `prefix` (a pack, or empty for none) followed by `accs` encoded, which must all be of
 * later minutes than the prefix's entries and in minute order.
 */
export function appendToPack(prefix: Uint8Array, accs: readonly ResultAcc[]): Uint8Array {
  const w = WRITER;
  w.pos = 0;
  if (prefix.length > 0) {
    w.room(prefix.length);
    w.buf.set(prefix, 0);
    w.pos = prefix.length;
  } else w.byte(PACK_VERSION);
  for (const acc of accs) writeEntry(w, acc);
  return w.take();
}

function writeEntry(w: ByteWriter, acc: ResultAcc): void {
  w.byte(Math.floor((acc.bucket % HOUR_MS) / MINUTE_MS));
  w.varint(acc.total);
  w.varint(acc.ok);
  w.varint(acc.degraded);
  w.varint(acc.failed);
  w.f64(acc.latencySumMs);
  w.sketch(acc.latency);
  w.varint(acc.ttftCount);
  if (acc.ttftCount > 0) w.sketch(acc.ttft);
  else w.varint(0);
  let errors = false;
  for (const _ in acc.errors) {
    errors = true;
    break;
  }
  if (errors) w.bytes(utf8.encode(JSON.stringify(acc.errors)));
  else w.varint(0);
}

/** Joins encoded entries (in minute order) into a pack. */
export function joinPack(entries: readonly Uint8Array[]): Uint8Array {
  let n = 1;
  for (const e of entries) n += e.length;
  const out = new Uint8Array(n);
  out[0] = PACK_VERSION;
  let pos = 1;
  for (const e of entries) {
    out.set(e, pos);
    pos += e.length;
  }
  return out;
}

/** Reads packs; positions are checked so a corrupt pack is an error, not garbage. */
class ByteReader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}

  get more(): boolean {
    return this.pos < this.b.length;
  }

  byte(): number {
    if (this.pos >= this.b.length) throw corrupt();
    return this.b[this.pos++]!;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    let b = 0;
    do {
      b = this.byte();
      v += (b & 0x7f) * scale;
      scale *= 0x80;
    } while (b >= 0x80);
    return v;
  }

  f64(): number {
    if (this.pos + 8 > this.b.length) throw corrupt();
    for (let k = 0; k < 8; k++) F64_BYTES[k] = this.b[this.pos + k]!;
    this.pos += 8;
    return F64[0]!;
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.b.length) throw corrupt();
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function corrupt(): NinesError {
  return new NinesError('INTERNAL', 'corrupt minute rollup pack');
}

/**
 * Splits a pack into its entries, keyed by minute bucket start (each value is the entry's
 * encoded bytes, a view into `pack`).
 */
export function splitPack(hour: number, pack: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  if (pack.length === 0) return out;
  if (pack[0] !== PACK_VERSION) throw new NinesError('INTERNAL', `unknown minute pack format ${pack[0]}`);
  const r = new ByteReader(pack);
  r.pos = 1;
  while (r.more) {
    const start = r.pos;
    const minute = r.byte();
    r.varint();
    r.varint();
    r.varint();
    r.varint();
    r.f64();
    r.bytes();
    r.varint();
    r.bytes();
    r.bytes();
    out.set(hour + minute * MINUTE_MS, pack.subarray(start, r.pos));
  }
  return out;
}

/**
 * Decodes a pack into the public `Rollup`s of its minutes in [from, to), oldest first. Sketches
 * are views into `pack`.
 */
export function decodePack(
  target: string,
  hour: number,
  pack: Uint8Array,
  from: number,
  to: number,
): Rollup[] {
  const out: Rollup[] = [];
  if (pack.length === 0) return out;
  if (pack[0] !== PACK_VERSION) throw new NinesError('INTERNAL', `unknown minute pack format ${pack[0]}`);
  const r = new ByteReader(pack);
  r.pos = 1;
  while (r.more) {
    const bucket = hour + r.byte() * MINUTE_MS;
    const total = r.varint();
    const ok = r.varint();
    const degraded = r.varint();
    const failed = r.varint();
    const latencySumMs = r.f64();
    const latencySketch = r.bytes();
    const ttftCount = r.varint();
    const ttftSketch = r.bytes();
    const errors = r.bytes();
    if (bucket < from || bucket >= to) continue;
    out.push({
      target,
      tier: 'minute',
      bucket,
      total,
      ok,
      degraded,
      failed,
      latencySumMs,
      latencySketch,
      ttftCount,
      ttftSketch,
      errors: errors.length > 0 ? (JSON.parse(fromUtf8.decode(errors)) as Rollup['errors']) : {},
    });
  }
  return out;
}

/** One encoded entry back as an accumulator (to merge late results into it). */
export function accFromEntry(target: string, bucket: number, entry: Uint8Array): ResultAcc {
  const [r] = decodePack(target, packHour(bucket), joinPack([entry]), bucket, bucket + 1);
  return r ? resultAccFromRollup(r) : emptyResultAcc(target, 'minute', bucket);
}
