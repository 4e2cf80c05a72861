/**
 * Retention for the minute tier's packs (`minute-packs.ts`): whole packs before the cutoff are
 * deleted, and the one pack that straddles it is rewritten without its older minutes, so minute
 * retention stays exact to the minute. Counts are of minute buckets, as for row-per-minute tiers.
 */
import type Database from 'better-sqlite3';
import { joinPack, packHour, splitPack } from './minute-packs.ts';

const HOUR_MS = 3_600_000;

/** Deletes minute buckets older than a cutoff from `minute_packs`. */
export class MinutePackRetention {
  private readonly countWhole: Database.Statement;
  private readonly deleteWhole: Database.Statement;
  private readonly straddling: Database.Statement;
  private readonly rewrite: Database.Statement;
  private readonly deleteOne: Database.Statement;

  constructor(db: Database.Database) {
    this.countWhole = db.prepare('SELECT COALESCE(SUM(minutes), 0) AS n FROM minute_packs WHERE hour <= ?');
    this.deleteWhole = db.prepare('DELETE FROM minute_packs WHERE hour <= ?');
    this.straddling = db.prepare('SELECT target, data FROM minute_packs WHERE hour = ?');
    this.rewrite = db.prepare('UPDATE minute_packs SET minutes = ?, data = ? WHERE target = ? AND hour = ?');
    this.deleteOne = db.prepare('DELETE FROM minute_packs WHERE target = ? AND hour = ?');
  }

  /** Deletes every minute bucket that starts before `cutoff`; returns how many (call in a transaction). */
  deleteBefore(cutoff: number): number {
    // Packs of hours that end by the cutoff go whole.
    const lastWhole = cutoff - HOUR_MS;
    let deleted = (this.countWhole.get(lastWhole) as { n: number }).n;
    this.deleteWhole.run(lastWhole);
    const hour = packHour(cutoff);
    if (hour === cutoff) return deleted;
    for (const p of this.straddling.all(hour) as { target: string; data: Uint8Array }[]) {
      const entries = splitPack(hour, p.data);
      const kept: Uint8Array[] = [];
      for (const [bucket, bytes] of [...entries].sort((a, b) => a[0] - b[0])) {
        if (bucket >= cutoff) kept.push(bytes);
        else deleted++;
      }
      if (kept.length === entries.size) continue;
      if (kept.length === 0) this.deleteOne.run(p.target, hour);
      else this.rewrite.run(kept.length, Buffer.from(joinPack(kept)), p.target, hour);
    }
    return deleted;
  }
}
