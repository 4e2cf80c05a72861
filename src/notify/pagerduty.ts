/**
 * PagerDuty Events API v2: `trigger` on firing, `resolve` on resolved, `acknowledge` when the
 * incident is acknowledged in nines. The dedup_key is the SHA-256 of the group key (as
 * Alertmanager does), so retries and re-sends land on the same PagerDuty alert.
 *
 * Contract: 202 with JSON `{ status: 'success', dedup_key }` is delivered. Any other 2xx body is
 * a retryable failure (we cannot tell the event was taken; the dedup_key makes a retry safe).
 */
import { createHash } from 'node:crypto';
import { parseDuration } from '../core/duration.ts';
import type { PagerDutyConfig } from './channel-config.ts';
import { PAGERDUTY_SEVERITIES } from './channel-config.ts';
import { deliveryFailure, failureForHttpStatus, type DeliveryResult } from './delivery-result.ts';
import { postJson } from './http-post.ts';
import { isoTime, type ChannelOptions, type Notification } from './notification.ts';
import type { Notifier, SendContext } from './notifier.ts';
import { defaultTitle, renderTemplate } from './template.ts';

/** PagerDuty's event actions. */
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/** PagerDuty caps the summary at 1024 characters. */
const MAX_SUMMARY = 1024;

/** The stable dedup_key of an alert group: hex SHA-256 of its group key. */
export function pagerDutyDedupKey(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

/** Picks the PagerDuty severity of a notification from its common labels and the config. */
export function pagerDutySeverity(n: Notification, config: PagerDutyConfig): string {
  const value = n.commonLabels[config.severity_label] ?? n.alerts[0]?.labels[config.severity_label];
  if (value === undefined) return config.severity;
  const mapped = config.severity_map[value];
  if (mapped) return mapped;
  return (PAGERDUTY_SEVERITIES as readonly string[]).includes(value) ? value : config.severity;
}

/** Builds the Events API v2 body for a notification. */
export function buildPagerDutyEvent(
  n: Notification,
  config: PagerDutyConfig,
  externalURL = '',
): Record<string, unknown> {
  const action: PagerDutyAction = n.status === 'firing' ? 'trigger' : 'resolve';
  const base = {
    routing_key: config.routing_key,
    event_action: action,
    dedup_key: pagerDutyDedupKey(n.groupKey),
  };
  if (action === 'resolve') return base;
  const summary = (config.summary ? renderTemplate(config.summary, n, externalURL) : defaultTitle(n)).slice(
    0,
    MAX_SUMMARY,
  );
  return {
    ...base,
    client: config.client,
    ...(config.client_url || externalURL ? { client_url: config.client_url ?? externalURL } : {}),
    payload: {
      summary: summary || n.groupKey.slice(0, MAX_SUMMARY),
      source: (config.source ? renderTemplate(config.source, n, externalURL) : '') || config.client,
      severity: pagerDutySeverity(n, config),
      ...(n.alerts[0] ? { timestamp: isoTime(n.alerts[0].startsAt) } : {}),
      ...(n.commonLabels['alertname'] ? { class: n.commonLabels['alertname'] } : {}),
      custom_details: {
        firing: n.alerts.filter((a) => a.state === 'firing').map((a) => a.labels),
        resolved: n.alerts.filter((a) => a.state === 'resolved').map((a) => a.labels),
        num_firing: n.alerts.filter((a) => a.state === 'firing').length,
        num_resolved: n.alerts.filter((a) => a.state === 'resolved').length,
        common_annotations: n.commonAnnotations,
      },
    },
    links: n.alerts
      .filter((a) => a.generatorURL)
      .slice(0, 5)
      .map((a) => ({ href: a.generatorURL, text: a.labels['alertname'] ?? 'source' })),
  };
}

async function postEvent(
  config: PagerDutyConfig,
  event: Record<string, unknown>,
  ctx: SendContext,
): Promise<DeliveryResult> {
  const reply = await postJson(config.url, event, {
    timeoutMs: parseDuration(config.timeout),
    signal: ctx.signal,
  });
  if ('ok' in reply) return reply;
  if (reply.status < 200 || reply.status >= 300) return failureForHttpStatus(reply.status, reply.body);
  let parsed: { status?: unknown; dedup_key?: unknown } | undefined;
  try {
    parsed = JSON.parse(reply.body) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (parsed?.status !== 'success') {
    return deliveryFailure(
      'UPSTREAM',
      `PagerDuty answered ${reply.status} without {"status":"success"}: ${reply.body.slice(0, 120)}`,
      true,
      reply.status,
    );
  }
  return { ok: true, status: reply.status, detail: String(parsed.dedup_key ?? event['dedup_key']) };
}

/**
 * Sends `acknowledge` for the alert group `groupKey` (call when the incident is acknowledged).
 * Resolves with the delivery result; never rejects.
 */
export function pagerDutyAcknowledge(
  config: PagerDutyConfig,
  groupKey: string,
  ctx: SendContext,
): Promise<DeliveryResult> {
  const event = {
    routing_key: config.routing_key,
    event_action: 'acknowledge',
    dedup_key: pagerDutyDedupKey(groupKey),
  };
  return postEvent(config, event, ctx);
}

/** Creates a PagerDuty notifier from a parsed (env-expanded) config. */
export function createPagerDutyNotifier(config: PagerDutyConfig, options: ChannelOptions = {}): Notifier {
  return {
    kind: 'pagerduty',
    async send(n: Notification, ctx: SendContext): Promise<DeliveryResult> {
      if (n.status === 'resolved' && !config.send_resolved) return { ok: true, skipped: true };
      return postEvent(config, buildPagerDutyEvent(n, config, options.externalURL), ctx);
    },
  };
}
