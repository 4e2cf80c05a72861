/**
 * `OutboxStore` on SQLite (better-sqlite3) in its own table `notify_outbox`. The table is made
 * here with CREATE TABLE IF NOT EXISTS; it should move under src/store/ migrations.
 */
import Database from 'better-sqlite3';
import type {
  DeliveryError,
  DeliveryStatus,
  NewOutboxItem,
  OutboxItem,
  OutboxListFilter,
  OutboxStore,
} from './outbox-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS notify_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  receiver TEXT NOT NULL,
  integration TEXT NOT NULL,
  notification TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_attempt_at INTEGER,
  last_error_code TEXT,
  last_error TEXT,
  delivered_at INTEGER,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS notify_outbox_receiver ON notify_outbox (receiver, id);
`;

interface Row {
  id: number;
  idempotency_key: string;
  receiver: string;
  integration: string;
  notification: string;
  status: DeliveryStatus;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_attempt_at: number | null;
  last_error_code: string | null;
  last_error: string | null;
  delivered_at: number | null;
  detail: string | null;
}

function toItem(r: Row): OutboxItem {
  const item: OutboxItem = {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    receiver: r.receiver,
    integration: r.integration,
    notification: JSON.parse(r.notification) as OutboxItem['notification'],
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
  };
  if (r.lease_until !== null) item.leaseUntil = r.lease_until;
  if (r.last_attempt_at !== null) item.lastAttemptAt = r.last_attempt_at;
  if (r.last_error_code !== null) item.lastErrorCode = r.last_error_code;
  if (r.last_error !== null) item.lastError = r.last_error;
  if (r.delivered_at !== null) item.deliveredAt = r.delivered_at;
  if (r.detail !== null) item.detail = r.detail;
  return item;
}

/** Opens (creating if needed) the outbox table in the SQLite file at `path`. */
export function openSqliteOutboxStore(path: string): OutboxStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  const insert = db.prepare(
    `INSERT OR IGNORE INTO notify_outbox (idempotency_key, receiver, integration, notification, status, created_at, next_attempt_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
  );
  const enqueueAll = db.transaction((items: NewOutboxItem[]) => {
    let added = 0;
    for (const i of items) {
      added += insert.run(
        i.idempotencyKey,
        i.receiver,
        i.integration,
        JSON.stringify(i.notification),
        i.createdAt,
        i.createdAt,
      ).changes;
    }
    return added;
  });
  const selectDue = db.prepare(
    `SELECT id FROM notify_outbox
     WHERE (status = 'pending' AND next_attempt_at <= @now) OR (status = 'sending' AND lease_until <= @now)
     ORDER BY next_attempt_at, id LIMIT @limit`,
  );
  const claimOne = db.prepare(
    `UPDATE notify_outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1, last_attempt_at = ?
     WHERE id = ? RETURNING *`,
  );
  const claim = db.transaction((now: number, limit: number, leaseMs: number) => {
    const ids = selectDue.all({ now, limit }) as { id: number }[];
    return ids.map(({ id }) => toItem(claimOne.get(now + leaseMs, now, id) as Row));
  });
  const delivered = db.prepare(
    `UPDATE notify_outbox SET status = 'delivered', delivered_at = ?, lease_until = NULL, detail = ? WHERE id = ?`,
  );
  const failed = db.prepare(
    `UPDATE notify_outbox SET status = 'pending', next_attempt_at = ?, lease_until = NULL, last_error_code = ?, last_error = ?
     WHERE id = ?`,
  );
  const dead = db.prepare(
    `UPDATE notify_outbox SET status = 'dead', lease_until = NULL, last_error_code = ?, last_error = ? WHERE id = ?`,
  );
  const countAll = db.prepare(`SELECT status, COUNT(*) AS n FROM notify_outbox GROUP BY status`);
  return {
    async enqueue(items) {
      return enqueueAll(items);
    },
    enqueueSync(items) {
      return enqueueAll(items);
    },
    async claimDue(now, limit, leaseMs) {
      return claim(now, limit, leaseMs);
    },
    async markDelivered(id, now, detail) {
      delivered.run(now, detail ?? null, id);
    },
    async markFailed(id, _now, error: DeliveryError, nextAttemptAt) {
      failed.run(nextAttemptAt, error.code, error.message, id);
    },
    async markDead(id, _now, error: DeliveryError) {
      dead.run(error.code, error.message, id);
    },
    async list(filter: OutboxListFilter = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: filter.limit ?? -1 };
      if (filter.status) {
        where.push('status = @status');
        params['status'] = filter.status;
      }
      if (filter.receiver) {
        where.push('receiver = @receiver');
        params['receiver'] = filter.receiver;
      }
      const sql = `SELECT * FROM notify_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as Row[]).map(toItem);
    },
    async counts() {
      const out: Record<DeliveryStatus, number> = { pending: 0, sending: 0, delivered: 0, dead: 0 };
      for (const r of countAll.all() as { status: DeliveryStatus; n: number }[]) out[r.status] = r.n;
      return out;
    },
    async close() {
      db.close();
    },
  };
}
