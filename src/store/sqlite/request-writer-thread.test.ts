import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isNinesError } from '../../core/errors.ts';
import { HOUR, MIN, T0, request } from '../conformance-fixtures.ts';
import type { RequestRecord } from '../types.ts';
import { decodeRequestBatch, encodeRequestBatch } from './request-writer-protocol.ts';
import { RequestWriterThread } from './request-writer-thread.ts';
import { openSqliteStore, type SqliteStore } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'nines-request-writer-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

async function open(mode?: 'thread' | 'inline', path = join(dir, `r-${n++}.db`)): Promise<SqliteStore> {
  const store = openSqliteStore({ path, ...(mode ? { requestWriter: mode } : {}) });
  await store.migrate();
  return store;
}

/** `count` varied records from `at`, one every `stepMs`, over two routes and three deployments. */
function batch(prefix: string, at: number, count: number, stepMs = 1000): RequestRecord[] {
  return Array.from({ length: count }, (_, i) =>
    request(`${prefix}-${i}`, at + i * stepMs, {
      route: i % 5 === 0 ? 'embed' : 'chat-default',
      endpoint: i % 5 === 0 ? 'embeddings' : 'chat',
      ...(i % 3 === 0 ? {} : { deployment: i % 3 === 1 ? 'azure-east' : 'openai-main' }),
      ...(i % 4 === 0 ? { ttftMs: 20 + i } : {}),
      ...(i % 7 === 0 ? { status: 502, outcome: 'error' as const, errorType: 'upstream_error' } : {}),
      latencyMs: 50 + ((i * 37) % 900),
      inputTokens: i,
      outputTokens: 2 * i,
      failovers: i % 9 === 0 ? 1 : 0,
      cached: i % 11 === 0,
      stream: i % 2 === 0,
    }),
  );
}

const count = (store: SqliteStore) =>
  (store.db.prepare('SELECT count(*) AS n FROM request_records').get() as { n: number }).n;

test('request writer: thread for a file, inline for :memory:, thread with :memory: refused', async () => {
  const file = await open();
  const memory = openSqliteStore({ path: ':memory:' });
  assert.equal(file.requestWriter, 'thread');
  assert.equal(memory.requestWriter, 'inline');
  assert.throws(
    () => openSqliteStore({ path: ':memory:', requestWriter: 'thread' }),
    /needs a database file/,
  );
  await file.close();
  await memory.close();
});

test('request writer: a batch travels whole (every field, absent ones stay absent)', () => {
  const full: Required<RequestRecord> = {
    id: 'a',
    at: 2,
    keyId: 'k',
    route: 'r',
    endpoint: 'chat',
    deployment: 'd',
    provider: 'p',
    upstreamModel: 'm',
    status: 503,
    outcome: 'error',
    errorType: 'e',
    latencyMs: 3.5,
    ttftMs: 4,
    inputTokens: 5,
    outputTokens: 6,
    attempts: 7,
    failovers: 8,
    stream: true,
    cached: false,
    prompt: 'q',
    answer: '',
  };
  const bare = request('b', 9);
  assert.deepEqual(decodeRequestBatch(structuredClone(encodeRequestBatch([full, bare]))), [full, bare]);
});

test('request writer: rows and rollups are readable as soon as the write resolves, equal to inline', async () => {
  const inline = await open('inline');
  const threaded = await open();
  const batches = [
    batch('a', T0, 250),
    batch('b', T0 + 30_000, 250, 700), // same minutes and hours again: rollups merge
    batch('c', T0 + HOUR - MIN, 120, 2000), // across an hour boundary
  ];
  let written = 0;
  for (const b of batches) {
    await inline.insertRequests(b);
    await threaded.insertRequests(b);
    written += b.length;
    assert.equal((await threaded.queryRequests({ from: 0, to: T0 + 2 * HOUR })).length, written);
  }
  const range = { from: T0 - HOUR, to: T0 + 2 * HOUR };
  assert.deepEqual(await threaded.queryRequests(range), await inline.queryRequests(range));
  for (const tier of ['minute', 'hour'] as const) {
    const rollups = await threaded.queryRequestRollups({ ...range, tier });
    assert.ok(rollups.length > 0);
    assert.deepEqual(rollups, await inline.queryRequestRollups({ ...range, tier }));
  }
  await inline.close();
  await threaded.close();
});

test('request writer: close lets the batches in flight commit, then ends the worker', async () => {
  const store = await open('inline');
  const thread = new RequestWriterThread(store.db.name);
  await thread.close(); // never started: nothing to wait for
  const again = new RequestWriterThread(store.db.name);
  const writes = [again.write(batch('a', T0, 100)), again.write(batch('b', T0, 100))];
  assert.equal(again.running, true);
  await again.close();
  await Promise.all(writes);
  assert.equal(again.running, false);
  assert.equal(count(store), 200);
  await assert.rejects(again.write(batch('c', T0, 1)), /closed/);
  await store.close();
});

test('request writer: a killed worker fails the batch in flight (retryable); the next batch restarts it', async () => {
  const store = await open('inline');
  const thread = new RequestWriterThread(store.db.name);
  await thread.write(batch('a', T0, 50));
  const lost = thread.write(batch('b', T0, 50));
  await thread.killWorker();
  await assert.rejects(lost, (err) => {
    assert.ok(isNinesError(err, 'UNAVAILABLE') && err.retryable, String(err));
    assert.match(err.message, /thread stopped/);
    return true;
  });
  assert.equal(thread.running, false);
  await thread.write(batch('c', T0, 50));
  assert.equal(thread.running, true);
  const ids = (prefix: string) =>
    (
      store.db.prepare('SELECT count(*) AS n FROM request_records WHERE id LIKE ?').get(`${prefix}-%`) as {
        n: number;
      }
    ).n;
  assert.equal(ids('a'), 50);
  assert.ok([0, 50].includes(ids('b')), 'the killed batch is all or nothing');
  assert.equal(ids('c'), 50);
  await thread.close();
  await store.close();
});

test('request writer: a worker that cannot open its database fails the batch with the reason', async () => {
  const thread = new RequestWriterThread(join(dir, 'no-such-dir', 'x.db'));
  await assert.rejects(thread.write([request('a', T0)]), (err) => {
    assert.ok(isNinesError(err, 'UNAVAILABLE') && err.retryable, String(err));
    assert.match(err.message, /cannot open SQLite database .*x\.db/);
    return true;
  });
  assert.equal(thread.running, false);
  await thread.close();
});

test('request writer: a bad record fails its batch with the SQLite error; the writer keeps working', async () => {
  const inline = await open('inline');
  const threaded = await open();
  const bad = [request('ok-1', T0), { ...request('bad', T0), route: null as unknown as string }];
  const inlineErr = await inline.insertRequests(bad).then(
    () => undefined,
    (err: unknown) => err,
  );
  const threadErr = await threaded.insertRequests(bad).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(inlineErr instanceof Error && threadErr instanceof Error);
  assert.match(threadErr.message, /NOT NULL constraint failed: request_records.route/);
  assert.equal(threadErr.message, inlineErr.message);
  assert.equal(threadErr.name, inlineErr.name);
  assert.equal((threadErr as { code?: string }).code, (inlineErr as { code?: string }).code);
  assert.equal(count(threaded), 0, 'rolled back whole');
  await threaded.insertRequests([request('ok-2', T0)]);
  assert.equal(count(threaded), 1);
  await inline.close();
  await threaded.close();
});

test('request writer: a batch waits for the store connection to release its write lock', async () => {
  const store = await open();
  await store.insertRequests([request('warm-up', T0)]);
  store.db.exec('BEGIN IMMEDIATE');
  let resolvedAt: number | undefined;
  const write = store.insertRequests([request('late', T0)]).then(() => (resolvedAt = Date.now()));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(resolvedAt, undefined, 'still waiting for the lock');
  const committedAt = Date.now();
  store.db.exec('COMMIT');
  await write;
  assert.ok(resolvedAt !== undefined && resolvedAt >= committedAt);
  assert.equal(count(store), 2);
  await store.close();
});

/** Runs a child that writes through the thread and never closes its store; returns its exit. */
function runUnclosed(loader: 'import' | 'register', path: string) {
  const storeUrl = pathToFileURL(join(import.meta.dirname, 'store.ts')).href;
  const fixturesUrl = pathToFileURL(join(import.meta.dirname, '..', 'conformance-fixtures.ts')).href;
  const code = `
    ${loader === 'register' ? "const { register } = await import('tsx/esm/api'); register();" : ''}
    const { openSqliteStore } = await import(${JSON.stringify(storeUrl)});
    const { request, T0 } = await import(${JSON.stringify(fixturesUrl)});
    const store = openSqliteStore({ path: ${JSON.stringify(path)} });
    await store.migrate();
    await store.insertRequests([request('awaited', T0)]);
    store.insertRequests([request('not-awaited', T0)]); // in flight when the script ends
  `;
  const args = [...(loader === 'import' ? ['--import', 'tsx'] : []), '--input-type=module', '-e', code];
  const child = spawn(process.execPath, args, {
    cwd: join(import.meta.dirname, '..', '..', '..'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = Date.now();
  return new Promise<{ code: number | null; ms: number; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, ms: Date.now() - started, stderr });
    });
  });
}

for (const loader of ['import', 'register'] as const) {
  test(`request writer: a store never closed does not keep the process alive (tsx via ${loader})`, async () => {
    const path = join(dir, `unclosed-${loader}.db`);
    const exit = await runUnclosed(loader, path);
    assert.equal(exit.code, 0, exit.stderr);
    assert.ok(exit.ms < 10_000, `exited after ${exit.ms} ms`);
    const store = await open('inline', path);
    assert.deepEqual((await store.queryRequests({ from: T0, to: T0 + 1 })).map((r) => r.id).sort(), [
      'awaited',
      'not-awaited',
    ]);
    await store.close();
  });
}
