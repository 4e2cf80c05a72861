import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../core/clock.ts';
import { isNinesError } from '../core/errors.ts';
import { openSqliteStore } from './sqlite/store.ts';
import type { ProbeResult, Store } from './types.ts';
import { BufferedWriter } from './writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'nines-writer-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 1);
const result = (i: number): ProbeResult => ({
  target: `t${i % 3}`,
  at: T0 + i,
  outcome: 'ok',
  latencyMs: 10,
  timings: { totalMs: 10 },
});

async function realStore(): Promise<Store> {
  const store = openSqliteStore({ path: join(dir, `w-${n++}.db`) });
  await store.migrate();
  return store;
}

/** The real store, with the next `failures` writes rejected as an outage would. */
function flaky(store: Store, failures: { left: number }): Store {
  const guard =
    <A extends unknown[]>(fn: (...a: A) => Promise<void>) =>
    async (...a: A) => {
      if (failures.left > 0) {
        failures.left--;
        throw new Error('database is locked');
      }
      return fn(...a);
    };
  return {
    ...store,
    insertResults: guard(store.insertResults),
    insertEvents: guard(store.insertEvents),
    insertRequests: guard(store.insertRequests),
  };
}

const count = async (store: Store) => (await store.queryResults({ from: 0, to: T0 + 1e9 })).length;

test('writer flushes on its interval, not before', async () => {
  const store = await realStore();
  const clock = new ManualClock(T0);
  const writer = new BufferedWriter({ store, clock, flushIntervalMs: 1000 });
  writer.write(result(0));
  writer.writeEvent({ target: 't0', at: T0, from: 'unknown', to: 'up', reason: 'first' });
  clock.advance(999);
  await writer.idle();
  assert.equal(await count(store), 0);
  clock.advance(1);
  await writer.idle();
  assert.equal(await count(store), 1);
  assert.equal((await store.queryEvents({ from: 0, to: T0 + 1 })).length, 1);
  assert.deepEqual(writer.stats(), { pending: 0, written: 2, failedFlushes: 0, refused: 0 });
  await writer.close();
  await store.close();
});

test('writer flushes early once a batch is full', async () => {
  const store = await realStore();
  const writer = new BufferedWriter({
    store,
    clock: new ManualClock(T0),
    flushIntervalMs: 60_000,
    batchSize: 10,
  });
  for (let i = 0; i < 25; i++) writer.write(result(i));
  await writer.idle();
  assert.equal(await count(store), 20);
  assert.equal(writer.pending, 5);
  await writer.close();
  assert.equal(await count(store), 25);
  await store.close();
});

test('a failed flush keeps the batch and retries with backoff; nothing is lost or doubled', async () => {
  const real = await realStore();
  const failures = { left: 2 };
  const errors: unknown[] = [];
  const clock = new ManualClock(T0);
  const writer = new BufferedWriter({
    store: flaky(real, failures),
    clock,
    flushIntervalMs: 100,
    retryDelayMs: 1000,
    onError: (e) => errors.push(e),
  });
  for (let i = 0; i < 5; i++) writer.write(result(i));
  clock.advance(100);
  await writer.idle();
  assert.equal(errors.length, 1);
  assert.equal(writer.pending, 5);
  writer.write(result(5)); // accepted while retrying
  clock.advance(999);
  await writer.idle();
  assert.equal(errors.length, 1);
  clock.advance(1); // first retry after 1 s fails too
  await writer.idle();
  assert.equal(errors.length, 2);
  clock.advance(1999);
  await writer.idle();
  assert.equal(await count(real), 0);
  clock.advance(1); // second retry after 2 s succeeds
  await writer.idle();
  assert.equal(await count(real), 6);
  assert.deepEqual(writer.stats(), { pending: 0, written: 6, failedFlushes: 2, refused: 0 });
  await writer.close();
  await real.close();
});

test('back-pressure: a full writer refuses new items with a retryable UNAVAILABLE', async () => {
  const real = await realStore();
  const failures = { left: 1 };
  const writer = new BufferedWriter({
    store: flaky(real, failures),
    clock: new ManualClock(T0),
    flushIntervalMs: 100,
    maxPending: 3,
  });
  for (let i = 0; i < 3; i++) writer.write(result(i));
  assert.throws(
    () => writer.write(result(3)),
    (err) => isNinesError(err, 'UNAVAILABLE') && err.retryable,
  );
  assert.equal(writer.stats().refused, 1);
  await assert.rejects(writer.flush(), /database is locked/);
  assert.equal(writer.pending, 3);
  await writer.close();
  assert.equal(await count(real), 3);
  assert.throws(() => writer.write(result(9)), /closed/);
  await real.close();
});
