/**
 * Generic webhook: POSTs Alertmanager's webhook payload (version 4), so any receiver written
 * for Alertmanager works unchanged. Any 2xx is success; the body is not read for meaning.
 */
import { parseDuration } from '../core/duration.ts';
import type { WebhookConfig } from './channel-config.ts';
import { failureForHttpStatus, type DeliveryResult } from './delivery-result.ts';
import { postJson } from './http-post.ts';
import { isoTime, type ChannelOptions, type Notification } from './notification.ts';
import type { Notifier, SendContext } from './notifier.ts';

/** Go's zero time, which Alertmanager sends as endsAt of an alert that is still firing. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert of the webhook payload. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook payload, version 4. */
export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

/** Builds the version-4 payload, keeping at most `maxAlerts` alerts (0 = all) and counting the rest. */
export function buildWebhookPayload(n: Notification, maxAlerts = 0, externalURL = ''): WebhookPayload {
  const kept = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: (n.truncatedAlerts ?? 0) + (n.alerts.length - kept.length),
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL,
    alerts: kept.map((a) => ({
      status: a.state === 'firing' ? 'firing' : 'resolved',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: isoTime(a.startsAt),
      endsAt: a.endsAt === undefined ? ZERO_TIME : isoTime(a.endsAt),
      generatorURL: a.generatorURL ?? '',
      fingerprint: a.fingerprint,
    })),
  };
}

/** Creates a webhook notifier from a parsed config. */
export function createWebhookNotifier(config: WebhookConfig, options: ChannelOptions = {}): Notifier {
  const timeoutMs = parseDuration(config.timeout);
  return {
    kind: 'webhook',
    async send(n: Notification, ctx: SendContext): Promise<DeliveryResult> {
      if (n.status === 'resolved' && !config.send_resolved) return { ok: true, skipped: true };
      const reply = await postJson(
        config.url,
        buildWebhookPayload(n, config.max_alerts, options.externalURL),
        {
          headers: config.http_headers,
          timeoutMs,
          signal: ctx.signal,
          idempotencyKey: ctx.idempotencyKey,
        },
      );
      if ('ok' in reply) return reply;
      if (reply.status >= 200 && reply.status < 300) return { ok: true, status: reply.status };
      return failureForHttpStatus(reply.status, reply.body);
    },
  };
}
