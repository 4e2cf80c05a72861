/**
 * The send stage: builds the notification and hands it to `send` (the outbox, which persists and
 * retries). Resolved alerts are left out for receivers with `send_resolved: false`. If `send`
 * throws, the chain stops before `recordSent`, so the next flush tries again.
 */
import { buildNotification } from './notification.ts';
import type { Stage } from './stage.ts';
import type { Notification } from './types.ts';

/** A stage that delivers the flush through `send` and passes all alerts on for recording. */
export function sendStage(send: (n: Notification) => void, extra: Partial<Notification> = {}): Stage {
  return (ctx, alerts) => {
    const out = ctx.sendResolved ? alerts : alerts.filter((a) => a.state === 'firing');
    if (out.length > 0) send({ ...buildNotification(ctx, out), ...extra });
    return alerts;
  };
}
