import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../core/clock.ts';
import { runStoreConformance } from '../conformance.ts';
import { MIGRATIONS } from '../migrations.ts';
import { openSqliteStore } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'nines-sqlite-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

// Request records of a file go through the writer thread (`request-writer-thread.ts`).
runStoreConformance('sqlite', async () => {
  const store = openSqliteStore({ path: join(dir, `store-${n++}.db`), clock: new ManualClock() });
  assert.equal(store.requestWriter, 'thread');
  return store;
});

// The inline request path: what ':memory:' uses.
runStoreConformance('sqlite, request records inline', async () =>
  openSqliteStore({ path: ':memory:', clock: new ManualClock() }),
);

test('sqlite: WAL journal, NORMAL sync, and migrations recorded once', async () => {
  const store = openSqliteStore({ path: join(dir, 'pragmas.db'), clock: new ManualClock(1234) });
  await store.migrate();
  await store.migrate();
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(store.db.pragma('synchronous', { simple: true }), 1);
  assert.deepEqual(
    store.db.prepare('SELECT id, applied_at FROM schema_migrations ORDER BY id').all(),
    MIGRATIONS.map((m) => ({ id: m.id, applied_at: 1234 })),
  );
  await store.close();
});

test('sqlite: using the store before migrate() is a clear error', async () => {
  const store = openSqliteStore({ path: join(dir, 'early.db') });
  await assert.rejects(store.queryEvents({ from: 0, to: 1 }), /before migrate/);
  await store.close();
});
