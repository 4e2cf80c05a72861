/**
 * PostgreSQL half of migration `day_rollups` (see ../day-rollups-backfill.ts): folds each
 * target's hour rollups into day rollups in the app, one target at a time, inside the migration's
 * transaction.
 */
import type pg from 'pg';
import { bucketOf, emptyResultAcc, mergeResultAcc, resultAccFromRow } from '../rollup-agg.ts';
import type { ResultAcc, RollupRow } from '../rollup-agg.ts';

/** Writes the day rollups of every target that has hour rollups (existing day rows kept). */
export async function backfillDayRollupsPg(client: pg.PoolClient): Promise<void> {
  const targets = await client.query<{ target: string }>(
    "SELECT DISTINCT target FROM rollups WHERE tier = 'hour' ORDER BY target",
  );
  for (const { target } of targets.rows) {
    const hours = await client.query<RollupRow>(
      "SELECT * FROM rollups WHERE tier = 'hour' AND target = $1 ORDER BY bucket",
      [target],
    );
    const days = new Map<number, ResultAcc>();
    for (const row of hours.rows) {
      const bucket = bucketOf(Number(row.bucket), 'day');
      let day = days.get(bucket);
      if (!day) days.set(bucket, (day = emptyResultAcc(target, 'day', bucket)));
      mergeResultAcc(day, resultAccFromRow(row));
    }
    const accs = [...days.values()];
    await client.query(
      `INSERT INTO rollups (target, tier, bucket, total, ok, degraded, failed, latency_sum_ms, latency_sketch,
         ttft_count, ttft_sketch, errors)
       SELECT $1, 'day', v.* FROM unnest($2::bigint[], $3::int[], $4::int[], $5::int[], $6::int[], $7::float8[],
         $8::bytea[], $9::int[], $10::bytea[], $11::text[]) AS v
       ON CONFLICT DO NOTHING`,
      [
        target,
        accs.map((a) => a.bucket),
        accs.map((a) => a.total),
        accs.map((a) => a.ok),
        accs.map((a) => a.degraded),
        accs.map((a) => a.failed),
        accs.map((a) => a.latencySumMs),
        accs.map((a) => Buffer.from(a.latency.serialize())),
        accs.map((a) => a.ttftCount),
        accs.map((a) => Buffer.from(a.ttft.serialize())),
        accs.map((a) => JSON.stringify(a.errors)),
      ],
    );
  }
}
