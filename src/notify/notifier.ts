/**
 * The one interface every channel implements (DESIGN rule 3): send one notification, get a
 * `DeliveryResult` back, never an exception.
 */
import type { DeliveryResult } from './delivery-result.ts';
import type { Notification } from './notification.ts';

/** Per-send context: cancellation, and the outbox's idempotency key for receivers that dedup. */
export interface SendContext {
  signal: AbortSignal;
  /** Stable key of this (notification × integration); sent as `Idempotency-Key` where HTTP allows. */
  idempotencyKey?: string;
}

/** A delivery channel (webhook, Slack, PagerDuty, email, Alertmanager). */
export interface Notifier {
  /** Channel kind, e.g. `webhook`, for records and logs. */
  readonly kind: string;
  /** Delivers one notification. Resolves with a result; never rejects. */
  send(notification: Notification, ctx: SendContext): Promise<DeliveryResult>;
}
