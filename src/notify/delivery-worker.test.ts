import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { sampleNotification } from './conformance.ts';
import { createIntegrations, type Integration } from './create-notifier.ts';
import { DeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker.ts';
import { Outbox } from './outbox.ts';
import { createMemoryOutboxStore } from './outbox-memory.ts';
import { openSqliteOutboxStore } from './outbox-sqlite.ts';
import type { OutboxStore } from './outbox-store.ts';
import { startHttpReceiver, type TestReceiver } from './test-receivers.ts';

let receiver: TestReceiver;
let integrations: Integration[];
const dir = mkdtempSync(join(tmpdir(), 'nines-worker-'));

before(async () => {
  receiver = await startHttpReceiver();
  integrations = createIntegrations({
    name: 'team-ml',
    webhook_configs: [{ url: `${receiver.address}/hook`, timeout: '5s' }],
  });
});
after(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  receiver.mode = 'ok';
  receiver.received.length = 0;
});

function setup(store: OutboxStore = createMemoryOutboxStore(), extra: Partial<DeliveryWorkerOptions> = {}) {
  const clock = new ManualClock();
  const outbox = new Outbox(store, clock);
  const byId = new Map(integrations.map((i) => [i.id, i.notifier]));
  const worker = new DeliveryWorker({
    store,
    clock,
    resolve: (id) => byId.get(id),
    random: () => 0.5,
    backoff: { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.2 },
    maxAgeMs: 10 * 60_000,
    ...extra,
  });
  return { clock, outbox, worker, store };
}

describe('DeliveryWorker', () => {
  it('delivers what was enqueued, once, with the idempotency key', async () => {
    const { outbox, worker } = setup();
    assert.equal(await outbox.enqueue(sampleNotification(), integrations), 1);
    assert.equal(await outbox.enqueue(sampleNotification(), integrations), 0, 'same notification, same key');
    assert.equal(outbox.enqueueSync(sampleNotification(), integrations), 0, 'the sync path shares the key');
    assert.deepEqual(await worker.runOnce(), { attempted: 1, delivered: 1, retrying: 0, dead: 0 });
    assert.equal(receiver.received.length, 1);
    const [item] = await outbox.list();
    assert.equal(item?.status, 'delivered');
    assert.equal(receiver.received[0]?.headers['idempotency-key'], item?.idempotencyKey);
  });

  it('retries a retryable failure with exponential backoff, then delivers', async () => {
    const { clock, outbox, worker } = setup();
    await outbox.enqueue(sampleNotification(), integrations);
    receiver.mode = 'unavailable';
    assert.equal((await worker.runOnce()).retrying, 1);
    let [item] = await outbox.list();
    assert.equal(item?.status, 'pending');
    assert.equal(item?.nextAttemptAt, clock.now() + 1000, 'first backoff is initialMs (jitter centred)');
    assert.match(item?.lastError ?? '', /HTTP 503/);
    clock.advance(999);
    assert.equal((await worker.runOnce()).attempted, 0, 'not due yet');
    clock.advance(1);
    assert.equal((await worker.runOnce()).retrying, 1);
    [item] = await outbox.list();
    assert.equal(item?.nextAttemptAt, clock.now() + 2000, 'second backoff doubles');
    receiver.mode = 'ok';
    clock.advance(2000);
    assert.equal((await worker.runOnce()).delivered, 1);
    [item] = await outbox.list();
    assert.equal(item?.status, 'delivered');
    assert.equal(item?.attempts, 3);
  });

  it('marks a permanent failure dead, with the error visible', async () => {
    const { outbox, worker } = setup();
    await outbox.enqueue(sampleNotification(), integrations);
    receiver.mode = 'rejected';
    assert.equal((await worker.runOnce()).dead, 1);
    const [item] = await outbox.list({ status: 'dead' });
    assert.equal(item?.lastErrorCode, 'VALIDATION');
    assert.match(item?.lastError ?? '', /^permanent: receiver answered HTTP 400/);
  });

  it('gives up (dead) on a retryable failure older than maxAge', async () => {
    const { clock, outbox, worker } = setup();
    await outbox.enqueue(sampleNotification(), integrations);
    receiver.mode = 'unavailable';
    for (let i = 0; i < 40; i++) {
      await worker.runOnce();
      clock.advance(60_000);
    }
    const [item] = await outbox.list();
    assert.equal(item?.status, 'dead');
    assert.match(item?.lastError ?? '', /^gave up after \d+ attempts over 10m: /);
  });

  it('marks items of an integration that is no longer configured dead (never a silent drop)', async () => {
    const { outbox, worker } = setup();
    await outbox.enqueue(sampleNotification(), [{ id: 'gone/webhook_configs[0]', receiver: 'gone' }]);
    assert.equal((await worker.runOnce()).dead, 1);
    assert.equal((await outbox.list())[0]?.lastErrorCode, 'NOT_FOUND');
  });

  it('keeps at most `concurrency` sends in flight', async () => {
    const slow = await startHttpReceiver();
    slow.mode = 'slow';
    slow.slowMs = 40;
    let inFlight = 0;
    let peak = 0;
    const [hook] = createIntegrations({ name: 'x', webhook_configs: [{ url: slow.address, timeout: '2s' }] });
    const { outbox, worker } = setup(createMemoryOutboxStore(), {
      concurrency: 3,
      resolve: () => ({
        kind: 'counting',
        async send(n, ctx) {
          peak = Math.max(peak, ++inFlight);
          try {
            return await hook!.notifier.send(n, ctx);
          } finally {
            inFlight--;
          }
        },
      }),
    });
    for (let i = 0; i < 10; i++) {
      const n = sampleNotification();
      n.groupKey = `g${i}`;
      await outbox.enqueue(n, [hook!]);
    }
    assert.equal((await worker.runOnce()).delivered, 10);
    assert.equal(peak, 3);
    await slow.close();
  });

  it('polls on the clock with start() and stops cleanly', async () => {
    const { clock, outbox, worker } = setup();
    worker.start();
    await outbox.enqueue(sampleNotification(), integrations);
    clock.advance(1000);
    await worker.runOnce();
    await worker.stop();
    assert.equal((await outbox.counts()).delivered, 1);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('delivers after a restart: enqueue, crash mid-send, reopen the SQLite file, deliver', async () => {
    const path = join(dir, 'restart.db');
    const first = setup(openSqliteOutboxStore(path));
    const n = sampleNotification();
    await first.outbox.enqueue(n, integrations);
    await first.outbox.enqueue(sampleNotification('resolved'), integrations);
    await first.store.claimDue(first.clock.now(), 1, 120_000); // the "crash": claimed, never sent
    await first.store.close();

    const second = setup(openSqliteOutboxStore(path));
    second.clock.set(first.clock.now());
    assert.equal((await second.worker.runOnce()).delivered, 1, 'the unclaimed one goes at once');
    second.clock.advance(120_000);
    assert.equal((await second.worker.runOnce()).delivered, 1, 'the crashed claim goes after its lease');
    const statuses = receiver.received.map((r) => JSON.parse(r.body).status).sort();
    assert.deepEqual(statuses, ['firing', 'resolved']);
    await second.store.close();
  });
});
