import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { ManualClock } from '../../core/clock.ts';
import { runStoreConformance } from '../conformance.ts';
import { MIGRATIONS } from '../migrations.ts';
import { openPostgresStore } from './store.ts';

/** The local test server (override with NINES_TEST_PG_URL). */
const URL = process.env.NINES_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `nines_test_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];

function nextSchema(): string {
  const name = `${RUN}_${schemas.length}`;
  schemas.push(name);
  return name;
}

after(async () => {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await client.end();
  }
});

runStoreConformance('postgres', async () =>
  openPostgresStore({ url: URL, schema: nextSchema(), maxConnections: 2, clock: new ManualClock() }),
);

test('postgres: migrations recorded once, in the store schema', async () => {
  const schema = nextSchema();
  const store = openPostgresStore({ url: URL, schema, clock: new ManualClock(1234) });
  try {
    await Promise.all([store.migrate(), store.migrate()]);
    const { rows } = await store.pool.query('SELECT id, applied_at FROM schema_migrations ORDER BY id');
    assert.deepEqual(
      rows,
      MIGRATIONS.map((m) => ({ id: m.id, applied_at: 1234 })),
    );
    const tables = await store.pool.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    assert.ok(tables.rows.some((r: { table_name: string }) => r.table_name === 'rollups'));
  } finally {
    await store.close();
  }
});

test('postgres: concurrent batches into the same buckets lose nothing', async () => {
  const store = openPostgresStore({ url: URL, schema: nextSchema(), maxConnections: 4 });
  try {
    await store.migrate();
    const at = Date.UTC(2026, 0, 1);
    const batch = (n: number) =>
      Array.from({ length: 50 }, (_, i) => ({
        target: `t${i % 5}`,
        at: at + n * 10 + i,
        outcome: 'ok' as const,
        latencyMs: 10 + i,
        timings: { totalMs: 10 + i },
      }));
    await Promise.all([0, 1, 2, 3].map((n) => store.insertResults(batch(n))));
    const hours = await store.queryRollups({ from: at, to: at + 3_600_000, tier: 'hour' });
    assert.equal(
      hours.reduce((s, h) => s + h.total, 0),
      200,
    );
  } finally {
    await store.close();
  }
});

test('postgres: an unreachable server is UNAVAILABLE', async () => {
  const store = openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none' });
  await assert.rejects(store.migrate(), (err: Error & { code?: string }) => err.code === 'UNAVAILABLE');
  await store.close();
});
