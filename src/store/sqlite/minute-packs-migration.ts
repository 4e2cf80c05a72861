/**
 * Migration `minute_packs` (SQLite only): the minute tier of result rollups moves from one
 * `rollups` row per target and minute to one `minute_packs` row per target and hour, and the
 * rollup watermark starts at the newest raw result (before this migration every batch wrote its
 * rollups in its own transaction, so every stored result is already rolled up). PostgreSQL keeps
 * its row-per-minute layout; its part of the migration is empty.
 */
import type Database from 'better-sqlite3';
import { resultAccFromRow, type RollupRow } from '../rollup-agg.ts';
import { encodeMinuteEntry, joinPack, packHour } from './minute-packs.ts';

/** The migration's name, the key its data step is registered under. */
export const MINUTE_PACKS_MIGRATION = 'minute_packs';

/** SQLite: the pack table and the watermark. */
export const MINUTE_PACKS_SQLITE = `
CREATE TABLE IF NOT EXISTS minute_packs (
  target TEXT NOT NULL,
  hour INTEGER NOT NULL,
  minutes INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (target, hour)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS minute_packs_hour ON minute_packs (hour);
CREATE TABLE IF NOT EXISTS result_rollup_watermark (id INTEGER PRIMARY KEY, raw_id INTEGER NOT NULL);
INSERT OR IGNORE INTO result_rollup_watermark (id, raw_id) SELECT 1, COALESCE(MAX(id), 0) FROM probe_results
`;

/** PostgreSQL: nothing to do. */
export const MINUTE_PACKS_POSTGRES = 'SELECT 1';

/** Moves every minute row of `rollups` into packs, target by target (run inside the migration's transaction). */
export function packLegacyMinuteRollups(db: Database.Database): void {
  const targets = db
    .prepare("SELECT DISTINCT target FROM rollups WHERE tier = 'minute'")
    .pluck()
    .all() as string[];
  const rowsOf = db.prepare("SELECT * FROM rollups WHERE tier = 'minute' AND target = ? ORDER BY bucket");
  const insert = db.prepare('INSERT INTO minute_packs (target, hour, minutes, data) VALUES (?, ?, ?, ?)');
  for (const target of targets) {
    let hour = NaN;
    let entries: Uint8Array[] = [];
    const flush = () => {
      if (entries.length > 0) insert.run(target, hour, entries.length, Buffer.from(joinPack(entries)));
      entries = [];
    };
    for (const row of rowsOf.all(target) as RollupRow[]) {
      const acc = resultAccFromRow(row);
      const h = packHour(acc.bucket);
      if (h !== hour) {
        flush();
        hour = h;
      }
      entries.push(encodeMinuteEntry(acc));
    }
    flush();
  }
  db.exec("DELETE FROM rollups WHERE tier = 'minute'");
}
