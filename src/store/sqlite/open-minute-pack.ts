/**
 * One target's hour of minute rollups while it is cached by `result-rollups.ts`: the pack as last
 * written (`encoded`) plus the minutes changed since, as live accumulators. New minutes (later
 * than everything encoded: the usual case) are appended at the next checkpoint without decoding
 * the pack; a change to an encoded minute (a late result, or the current minute continuing after
 * a checkpoint) takes that entry out of the pack first.
 */
import { emptyResultAcc, type ResultAcc } from '../rollup-agg.ts';
import { accFromEntry, appendToPack, encodeMinuteEntry, joinPack, splitPack } from './minute-packs.ts';

/** An hour of minute buckets in memory. */
export class OpenMinutePack {
  /** The pack as last written, without the minutes now in `live` (empty: none). */
  private encoded: Uint8Array;
  /** Number of entries in `encoded`. */
  private encodedCount: number;
  /** Newest minute bucket in `encoded` (-Infinity when none). */
  private encodedThrough: number;
  private readonly live = new Map<number, ResultAcc>();
  /** True when `live` holds changes not yet written. */
  dirty = false;

  private constructor(
    private readonly target: string,
    private readonly hour: number,
    stored: Uint8Array | undefined,
  ) {
    this.encoded = stored ?? new Uint8Array(0);
    const entries = stored ? splitPack(hour, stored) : new Map<number, Uint8Array>();
    this.encodedCount = entries.size;
    this.encodedThrough = entries.size > 0 ? Math.max(...entries.keys()) : -Infinity;
  }

  /** A pack for an hour with nothing stored. */
  static empty(target: string, hour: number): OpenMinutePack {
    return new OpenMinutePack(target, hour, undefined);
  }

  /** A pack continuing the stored one. */
  static fromStored(target: string, hour: number, stored: Uint8Array): OpenMinutePack {
    return new OpenMinutePack(target, hour, stored);
  }

  /** Minute buckets in the pack. */
  get minutes(): number {
    return this.encodedCount + this.live.size;
  }

  /** The live accumulator of `bucket`; `created` tells whether it was not live before. */
  acc(bucket: number): { acc: ResultAcc; created: boolean } {
    const live = this.live.get(bucket);
    if (live) return { acc: live, created: false };
    let acc: ResultAcc | undefined;
    if (bucket <= this.encodedThrough) acc = this.takeEncoded(bucket);
    acc ??= emptyResultAcc(this.target, 'minute', bucket);
    this.live.set(bucket, acc);
    this.dirty = true;
    return { acc, created: true };
  }

  /** The whole pack, encoded; the live minutes become part of `encoded`. */
  encode(): Uint8Array {
    const buckets = [...this.live.keys()].sort((a, b) => a - b);
    const accs = buckets.map((b) => this.live.get(b)!);
    if (buckets.length > 0 && buckets[0]! > this.encodedThrough) {
      this.encoded = appendToPack(this.encoded, accs);
    } else if (buckets.length > 0) {
      // Rare: a minute older than the newest encoded one (a late result): merge in order.
      const parts = splitPack(this.hour, this.encoded);
      for (const acc of accs) parts.set(acc.bucket, encodeMinuteEntry(acc));
      this.encoded = joinPack([...parts.keys()].sort((a, b) => a - b).map((b) => parts.get(b)!));
    }
    this.encodedCount += this.live.size;
    if (buckets.length > 0) this.encodedThrough = Math.max(this.encodedThrough, buckets[buckets.length - 1]!);
    this.live.clear();
    this.dirty = false;
    return this.encoded;
  }

  /** Removes `bucket`'s entry from `encoded` and returns it as an accumulator (undefined: none). */
  private takeEncoded(bucket: number): ResultAcc | undefined {
    const entries = splitPack(this.hour, this.encoded);
    const entry = entries.get(bucket);
    if (!entry) return undefined;
    const acc = accFromEntry(this.target, bucket, entry);
    entries.delete(bucket);
    this.encoded = entries.size > 0 ? joinPack([...entries.values()]) : new Uint8Array(0);
    this.encodedCount = entries.size;
    return acc;
  }
}
