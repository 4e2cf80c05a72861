/**
 * The outbox: alerting hands notifications here, one row per (integration × notification) is
 * written before anything is sent, and the delivery worker takes it from there. Nothing is
 * delivered that was not first recorded, so a crash loses nothing (at-least-once).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Notification } from './notification.ts';
import { NinesError } from '../core/errors.ts';
import type {
  DeliveryStatus,
  NewOutboxItem,
  OutboxItem,
  OutboxListFilter,
  OutboxStore,
} from './outbox-store.ts';

/** Where a notification goes: an integration id and its receiver (see `createIntegrations`). */
export interface IntegrationRef {
  id: string;
  receiver: string;
}

/**
 * The idempotency key of a notification for an integration: a hash of the integration, the
 * group, the status and each alert's identity and times. The same notification enqueued twice
 * (a retried pipeline run, say) is stored once; a changed one is a new delivery.
 */
export function idempotencyKey(integration: string, n: Notification): string {
  const alerts = n.alerts
    .map((a) => `${a.fingerprint}|${a.state}|${a.startsAt}|${a.endsAt ?? ''}`)
    .sort()
    .join(',');
  return createHash('sha256')
    .update(`${integration}\n${n.groupKey}\n${n.status}\n${alerts}`)
    .digest('hex')
    .slice(0, 32);
}

/** The write side and the read side (API, dashboard) of the outbox. */
export class Outbox {
  private readonly store: OutboxStore;
  private readonly clock: Clock;

  constructor(store: OutboxStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Records the notification for each integration; returns how many rows were new. */
  enqueue(notification: Notification, integrations: readonly IntegrationRef[]): Promise<number> {
    return this.store.enqueue(this.rows(notification, integrations));
  }

  /**
   * `enqueue`, persisted before returning; throws when the store cannot (then, or on a write
   * error), so a synchronous caller (alert/'s send stage) stops and retries on its next flush.
   */
  enqueueSync(notification: Notification, integrations: readonly IntegrationRef[]): number {
    if (!this.store.enqueueSync)
      throw new NinesError('INTERNAL', 'this outbox store has no synchronous enqueue');
    return this.store.enqueueSync(this.rows(notification, integrations));
  }

  /** Deliveries with their status, attempts and last error, newest first. */
  list(filter?: OutboxListFilter): Promise<OutboxItem[]> {
    return this.store.list(filter);
  }

  private rows(notification: Notification, integrations: readonly IntegrationRef[]): NewOutboxItem[] {
    const createdAt = this.clock.now();
    return integrations.map((i) => ({
      idempotencyKey: idempotencyKey(i.id, notification),
      receiver: i.receiver,
      integration: i.id,
      notification,
      createdAt,
    }));
  }

  /** How many deliveries are pending, sending, delivered and dead. */
  counts(): Promise<Record<DeliveryStatus, number>> {
    return this.store.counts();
  }
}
