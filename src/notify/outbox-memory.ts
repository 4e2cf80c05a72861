/** An in-memory `OutboxStore` for unit tests and the bench; same contract as the SQLite one. */
import type {
  DeliveryError,
  DeliveryStatus,
  NewOutboxItem,
  OutboxItem,
  OutboxListFilter,
  OutboxStore,
} from './outbox-store.ts';

/** Creates an empty in-memory outbox store. */
export function createMemoryOutboxStore(): OutboxStore {
  const items: OutboxItem[] = [];
  const keys = new Set<string>();
  const byId = (id: number) => {
    const item = items[id - 1];
    if (!item) throw new Error(`outbox item ${id} not found`);
    return item;
  };
  const copy = (i: OutboxItem): OutboxItem => structuredClone(i);
  const enqueueSync = (newItems: NewOutboxItem[]): number => {
    let added = 0;
    for (const n of newItems) {
      if (keys.has(n.idempotencyKey)) continue;
      keys.add(n.idempotencyKey);
      items.push({
        ...structuredClone(n),
        id: items.length + 1,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: n.createdAt,
      });
      added++;
    }
    return added;
  };
  return {
    async enqueue(newItems: NewOutboxItem[]) {
      return enqueueSync(newItems);
    },
    enqueueSync,
    async claimDue(now, limit, leaseMs) {
      const due = items
        .filter(
          (i) =>
            (i.status === 'pending' && i.nextAttemptAt <= now) ||
            (i.status === 'sending' && (i.leaseUntil ?? 0) <= now),
        )
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id)
        .slice(0, limit);
      for (const i of due) {
        i.status = 'sending';
        i.leaseUntil = now + leaseMs;
        i.attempts++;
        i.lastAttemptAt = now;
      }
      return due.map(copy);
    },
    async markDelivered(id, now, detail) {
      const i = byId(id);
      Object.assign(i, { status: 'delivered', deliveredAt: now, leaseUntil: undefined, detail });
    },
    async markFailed(id, _now, error: DeliveryError, nextAttemptAt) {
      const i = byId(id);
      Object.assign(i, {
        status: 'pending',
        nextAttemptAt,
        leaseUntil: undefined,
        lastErrorCode: error.code,
        lastError: error.message,
      });
    },
    async markDead(id, _now, error: DeliveryError) {
      const i = byId(id);
      Object.assign(i, {
        status: 'dead',
        leaseUntil: undefined,
        lastErrorCode: error.code,
        lastError: error.message,
      });
    },
    async list(filter: OutboxListFilter = {}) {
      return items
        .filter(
          (i) =>
            (!filter.status || i.status === filter.status) &&
            (!filter.receiver || i.receiver === filter.receiver),
        )
        .sort((a, b) => b.id - a.id)
        .slice(0, filter.limit ?? Infinity)
        .map(copy);
    },
    async counts() {
      const out: Record<DeliveryStatus, number> = { pending: 0, sending: 0, delivered: 0, dead: 0 };
      for (const i of items) out[i.status]++;
      return out;
    },
    async close() {},
  };
}
