/**
 * Applies `MIGRATIONS` to PostgreSQL in one transaction, under an advisory lock so several nines
 * instances starting together migrate once. Idempotent.
 */
import type pg from 'pg';
import { MIGRATIONS, assertMigrationsOrdered, splitStatements, type Migration } from '../migrations.ts';
import { DAY_ROLLUPS_MIGRATION } from '../day-rollups-backfill.ts';
import { backfillDayRollupsPg } from './day-rollups-backfill.ts';

/**
 * Data steps that SQL alone cannot do in PostgreSQL (sketch merges), run right after the
 * statements of the migration with that name, in the same transaction.
 */
const BACKFILLS: Record<string, (client: pg.PoolClient) => Promise<void>> = {
  [DAY_ROLLUPS_MIGRATION]: backfillDayRollupsPg,
};

/** Advisory lock key reserved for nines schema migrations. */
const MIGRATION_LOCK = 7_363_201;

/**
 * Runs every migration not yet recorded in `schema_migrations`; returns the ids it applied.
 * `schema` (already validated as an identifier) is created first, under the same lock.
 */
export async function migratePostgres(
  client: pg.PoolClient,
  now: number,
  schema?: string,
  list: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  assertMigrationsOrdered(list);
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const done = new Set(
      (await client.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id),
    );
    for (const m of list) {
      if (done.has(m.id)) continue;
      for (const stmt of splitStatements(m.postgres)) await client.query(stmt);
      await BACKFILLS[m.name]?.(client);
      await client.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [
        m.id,
        m.name,
        now,
      ]);
      applied.push(m.id);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return applied;
}
