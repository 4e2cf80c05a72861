/**
 * Migration `day_rollups`: databases written before the `day` tier existed get day rollups
 * folded from their hour rollups, so reports over old data read the same through
 * `summarizeWindow`. SQLite does it in SQL with the rollup functions registered on the
 * connection; PostgreSQL has no sketch functions, so its store runs `backfillDayRollupsPg`
 * (registered in postgres/migrate.ts by the migration's name) after this entry's (empty) SQL.
 */

/** The migration's name, the key PostgreSQL's backfill hook is registered under. */
export const DAY_ROLLUPS_MIGRATION = 'day_rollups';

/** SQLite: one day row per target and UTC day that has hour rows (existing day rows kept). */
export const DAY_ROLLUPS_SQLITE = `
INSERT OR IGNORE INTO rollups (target, tier, bucket, total, ok, degraded, failed, latency_sum_ms,
  latency_sketch, ttft_count, ttft_sketch, errors)
SELECT target, 'day', (bucket / 86400000) * 86400000, SUM(total), SUM(ok), SUM(degraded), SUM(failed),
  SUM(latency_sum_ms), nines_sketch_agg(latency_sketch), SUM(ttft_count),
  nines_sketch_agg(CASE WHEN ttft_count > 0 THEN ttft_sketch END),
  nines_counts_agg(CASE WHEN failed > 0 THEN errors END)
FROM rollups WHERE tier = 'hour' GROUP BY target, bucket / 86400000
`;

/** PostgreSQL: a statement that does nothing; the work is done by the registered backfill. */
export const DAY_ROLLUPS_POSTGRES = 'SELECT 1';
