/**
 * Forwarding to real Alertmanager(s): POST /api/v2/alerts with the alerts' labels,
 * annotations, startsAt, endsAt and generatorURL. Every URL gets every alert (HA pairs dedup
 * among themselves); the send succeeds when at least one Alertmanager took it, as Prometheus does.
 */
import { parseDuration } from '../core/duration.ts';
import type { AlertmanagerConfig } from './channel-config.ts';
import { failureForHttpStatus, type DeliveryFailure, type DeliveryResult } from './delivery-result.ts';
import { postJson } from './http-post.ts';
import { isoTime, type Notification } from './notification.ts';
import type { Notifier, SendContext } from './notifier.ts';

/** One alert of Alertmanager's `postableAlert` schema. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/** The body of POST /api/v2/alerts for a notification; resolved alerts carry their endsAt. */
export function buildPostableAlerts(n: Notification): PostableAlert[] {
  return n.alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: isoTime(a.startsAt),
    ...(a.state === 'resolved' && a.endsAt !== undefined ? { endsAt: isoTime(a.endsAt) } : {}),
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
  }));
}

/** `http://am:9093` or `http://am:9093/` → `http://am:9093/api/v2/alerts`. */
export function alertsEndpoint(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v2/alerts`;
}

/** Creates an Alertmanager forwarding notifier from a parsed config. */
export function createAlertmanagerNotifier(config: AlertmanagerConfig): Notifier {
  const timeoutMs = parseDuration(config.timeout);
  return {
    kind: 'alertmanager',
    async send(n: Notification, ctx: SendContext): Promise<DeliveryResult> {
      const body = buildPostableAlerts(n);
      const results = await Promise.all(
        config.urls.map(async (url): Promise<DeliveryResult> => {
          const reply = await postJson(alertsEndpoint(url), body, {
            headers: config.http_headers,
            timeoutMs,
            signal: ctx.signal,
          });
          if ('ok' in reply) return reply;
          if (reply.status >= 200 && reply.status < 300) return { ok: true, status: reply.status };
          return failureForHttpStatus(reply.status, reply.body);
        }),
      );
      const success = results.find((r) => r.ok);
      if (success) return success;
      const failures = results as DeliveryFailure[];
      const first = failures.find((f) => f.retryable) ?? failures[0]!;
      return {
        ...first,
        retryable: failures.some((f) => f.retryable),
        message: failures.map((f, i) => `${config.urls[i]}: ${f.message}`).join('; '),
      };
    },
  };
}
