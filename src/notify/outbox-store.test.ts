import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sampleNotification } from './conformance.ts';
import { createMemoryOutboxStore } from './outbox-memory.ts';
import { openSqliteOutboxStore } from './outbox-sqlite.ts';
import type { NewOutboxItem, OutboxStore } from './outbox-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'nines-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const item = (key: string, createdAt = 1000): NewOutboxItem => ({
  idempotencyKey: key,
  receiver: 'team-ml',
  integration: 'team-ml/webhook_configs[0]',
  notification: sampleNotification(),
  createdAt,
});

for (const [name, make] of [
  ['memory', () => createMemoryOutboxStore()],
  ['sqlite', () => openSqliteOutboxStore(join(dir, `outbox-${files++}.db`))],
] as const) {
  describe(`OutboxStore conformance: ${name}`, () => {
    const withStore = async (fn: (s: OutboxStore) => Promise<void>) => {
      const s = make();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    };

    it('ignores a repeated idempotency key', () =>
      withStore(async (s) => {
        assert.equal(await s.enqueue([item('a'), item('b')]), 2);
        assert.equal(await s.enqueue([item('a')]), 0);
        assert.equal(s.enqueueSync?.([item('a'), item('c')]), 1, 'both backends enqueue synchronously too');
        assert.deepEqual(await s.counts(), { pending: 3, sending: 0, delivered: 0, dead: 0 });
        const [latest] = await s.list({ limit: 1 });
        assert.equal(latest?.idempotencyKey, 'c');
        assert.deepEqual(latest?.notification, sampleNotification());
      }));

    it('claims only due items, once, and counts the attempt', () =>
      withStore(async (s) => {
        await s.enqueue([item('a', 1000), item('b', 5000)]);
        const claimed = await s.claimDue(2000, 10, 60_000);
        assert.deepEqual(
          claimed.map((c) => [c.idempotencyKey, c.status, c.attempts, c.leaseUntil]),
          [['a', 'sending', 1, 62_000]],
        );
        assert.equal((await s.claimDue(2000, 10, 60_000)).length, 0, 'a claimed item is not claimed again');
      }));

    it('re-offers a claimed item whose lease expired (a worker crashed mid-send)', () =>
      withStore(async (s) => {
        await s.enqueue([item('a')]);
        await s.claimDue(1000, 10, 60_000);
        assert.equal((await s.claimDue(60_999, 10, 60_000)).length, 0);
        const again = await s.claimDue(61_000, 10, 60_000);
        assert.equal(again[0]?.attempts, 2);
      }));

    it('records delivered, failed (with next attempt) and dead', () =>
      withStore(async (s) => {
        await s.enqueue([item('a'), item('b'), item('c')]);
        const [a, b, c] = await s.claimDue(1000, 10, 60_000);
        await s.markDelivered(a!.id, 1100, 'dedup-1');
        await s.markFailed(b!.id, 1100, { code: 'UPSTREAM', message: 'HTTP 503' }, 3000);
        await s.markDead(c!.id, 1100, { code: 'VALIDATION', message: 'HTTP 400' });
        const byKey = Object.fromEntries((await s.list()).map((i) => [i.idempotencyKey, i]));
        assert.equal(byKey['a']?.status, 'delivered');
        assert.equal(byKey['a']?.detail, 'dedup-1');
        assert.equal(byKey['a']?.deliveredAt, 1100);
        assert.equal(byKey['b']?.status, 'pending');
        assert.equal(byKey['b']?.nextAttemptAt, 3000);
        assert.equal(byKey['b']?.lastError, 'HTTP 503');
        assert.equal(byKey['c']?.status, 'dead');
        assert.equal(byKey['c']?.lastErrorCode, 'VALIDATION');
        assert.deepEqual(
          (await s.list({ status: 'dead' })).map((i) => i.idempotencyKey),
          ['c'],
        );
        assert.equal((await s.claimDue(2999, 10, 60_000)).length, 0);
        assert.equal((await s.claimDue(3000, 10, 60_000))[0]?.idempotencyKey, 'b');
      }));
  });
}

describe('SQLite outbox survives a restart', () => {
  it('keeps pending items across close and reopen', async () => {
    const path = join(dir, 'restart.db');
    const first = openSqliteOutboxStore(path);
    await first.enqueue([item('a'), item('b')]);
    await first.close();
    const second = openSqliteOutboxStore(path);
    assert.equal((await second.claimDue(1000, 10, 1000)).length, 2);
    await second.close();
  });
});
