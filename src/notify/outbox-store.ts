/**
 * The persistence the outbox needs, and nothing more (DESIGN rule 2: the consumer defines the
 * interface). Implemented in memory (tests) and on SQLite (`outbox-sqlite.ts`); a PostgreSQL
 * version belongs with src/store/.
 */
import type { Notification } from './notification.ts';

/** Where a delivery stands: waiting (or waiting to retry), being sent, delivered, or given up. */
export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'dead';

/** One notification for one integration (a receiver's channel config), with its delivery record. */
export interface OutboxItem {
  id: number;
  /** Unique per (integration × notification); enqueueing the same key twice is a no-op. */
  idempotencyKey: string;
  receiver: string;
  /** Integration id, e.g. `team-ml/pagerduty_configs[0]`. */
  integration: string;
  notification: Notification;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  createdAt: number;
  /** When the item is next due (pending), in ms since epoch. */
  nextAttemptAt: number;
  /** While `sending`: when the claim expires and another worker may take it (crash recovery). */
  leaseUntil?: number;
  lastAttemptAt?: number;
  lastErrorCode?: string;
  lastError?: string;
  deliveredAt?: number;
  /** Channel detail of the successful send (PagerDuty dedup_key, SMTP message id, "skipped"). */
  detail?: string;
}

/** What `enqueue` takes for one item. */
export interface NewOutboxItem {
  idempotencyKey: string;
  receiver: string;
  integration: string;
  notification: Notification;
  createdAt: number;
}

/** A recorded failure. */
export interface DeliveryError {
  code: string;
  message: string;
}

/** Filter for `list`; newest first. */
export interface OutboxListFilter {
  status?: DeliveryStatus;
  receiver?: string;
  limit?: number;
}

/** Persistence of the outbox. Every method is atomic on its own. */
export interface OutboxStore {
  /** Inserts items, ignoring idempotency keys already present; returns how many were new. */
  enqueue(items: NewOutboxItem[]): Promise<number>;
  /**
   * The same, synchronously, where the backend can (memory, SQLite): lets alert/'s synchronous
   * `send` stage persist before it returns, and throw (stopping the chain) when it cannot.
   */
  enqueueSync?(items: NewOutboxItem[]): number;
  /**
   * Atomically claims up to `limit` items that are due (pending with nextAttemptAt ≤ now, or
   * sending with an expired lease), marks them sending until `now + leaseMs`, and returns them
   * with `attempts` already counting this attempt.
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  /** Records a successful attempt. */
  markDelivered(id: number, now: number, detail?: string): Promise<void>;
  /** Records a failed attempt that will be retried at `nextAttemptAt`. */
  markFailed(id: number, now: number, error: DeliveryError, nextAttemptAt: number): Promise<void>;
  /** Records a failure that will not be retried (permanent, or too old). Stays listed. */
  markDead(id: number, now: number, error: DeliveryError): Promise<void>;
  /** Items, newest first. */
  list(filter?: OutboxListFilter): Promise<OutboxItem[]>;
  /** Counts per status. */
  counts(): Promise<Record<DeliveryStatus, number>>;
  close(): Promise<void>;
}
