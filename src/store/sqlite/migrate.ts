/**
 * Applies `MIGRATIONS` to a SQLite database: each pending entry in its own transaction, recorded
 * in `schema_migrations`. Idempotent.
 */
import type Database from 'better-sqlite3';
import { MIGRATIONS, assertMigrationsOrdered, splitStatements, type Migration } from '../migrations.ts';
import { MINUTE_PACKS_MIGRATION, packLegacyMinuteRollups } from './minute-packs-migration.ts';

/**
 * Data steps that SQL alone cannot do in SQLite (binary packing), run right after the statements
 * of the migration with that name, in the same transaction.
 */
const DATA_STEPS: Record<string, (db: Database.Database) => void> = {
  [MINUTE_PACKS_MIGRATION]: packLegacyMinuteRollups,
};

/** Runs every migration not yet recorded; returns the ids it applied. */
export function migrateSqlite(
  db: Database.Database,
  now: number,
  list: readonly Migration[] = MIGRATIONS,
): number[] {
  assertMigrationsOrdered(list);
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const done = new Set(
    (db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((r) => r.id),
  );
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of list) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      for (const stmt of splitStatements(m.sqlite)) db.exec(stmt);
      DATA_STEPS[m.name]?.(db);
      record.run(m.id, m.name, now);
    }).immediate();
    applied.push(m.id);
  }
  return applied;
}
