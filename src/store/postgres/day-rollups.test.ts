/** Migration `day_rollups` on PostgreSQL: the app-side backfill of day rows from hour rows. */
import { after, test } from 'node:test';
import pg from 'pg';
import { ManualClock } from '../../core/clock.ts';
import { checkDayRollupsBackfill } from '../day-rollups-check.ts';
import { openPostgresStore } from './store.ts';

const URL = process.env.NINES_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `nines_test_${process.pid}_${Date.now().toString(36)}_days`;

after(async () => {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  } finally {
    await client.end();
  }
});

test('postgres: migration day_rollups folds stored hours into days', async () => {
  const store = openPostgresStore({ url: URL, schema: SCHEMA, clock: new ManualClock() });
  try {
    await store.migrate();
    await checkDayRollupsBackfill(store, (sql) => store.pool.query(sql));
  } finally {
    await store.close();
  }
});
