/**
 * Notification deliveries from the outbox: what was sent, what is retrying and what was given
 * up on (dead) with its last error — so a failed delivery is never silent.
 */
import { Hono } from 'hono';
import { NinesError } from '../../core/errors.ts';
import type { Outbox } from '../../notify/outbox.ts';
import type { DeliveryStatus } from '../../notify/outbox-store.ts';
import type { AuthVariables } from '../auth.ts';
import { parseLimit } from '../params.ts';

const STATUSES: readonly DeliveryStatus[] = ['pending', 'sending', 'delivered', 'dead'];

/** Routes under /api/v1/deliveries. */
export function deliveryRoutes(outbox: Pick<Outbox, 'list' | 'counts'>): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/deliveries', async (c) => {
    const status = c.req.query('status');
    if (status !== undefined && !STATUSES.includes(status as DeliveryStatus)) {
      throw new NinesError(
        'VALIDATION',
        `query parameter status: "${status}" is not one of ${STATUSES.join(', ')}`,
      );
    }
    const receiver = c.req.query('receiver');
    const limit = parseLimit(c.req.query('limit'), 100, 1000);
    const [items, counts] = await Promise.all([
      outbox.list({
        limit,
        ...(status ? { status: status as DeliveryStatus } : {}),
        ...(receiver ? { receiver } : {}),
      }),
      outbox.counts(),
    ]);
    return c.json({
      counts,
      deliveries: items.map((i) => ({
        id: i.id,
        receiver: i.receiver,
        integration: i.integration,
        status: i.status,
        attempts: i.attempts,
        createdAt: i.createdAt,
        nextAttemptAt: i.nextAttemptAt,
        lastAttemptAt: i.lastAttemptAt,
        deliveredAt: i.deliveredAt,
        lastError: i.lastError,
        lastErrorCode: i.lastErrorCode,
        groupKey: i.notification.groupKey,
        notificationStatus: i.notification.status,
        alerts: i.notification.alerts.length,
      })),
    });
  });
  return app;
}
