/**
 * Slack incoming webhooks. The message is a short attachment (colour by status, title, text).
 * Contract: any 2xx is delivered (incoming webhooks answer `ok`); a JSON body `{ ok: false }`
 * (the Web API's way of failing with 200) is a permanent failure with Slack's error string.
 */
import { parseDuration } from '../core/duration.ts';
import type { SlackConfig } from './channel-config.ts';
import { deliveryFailure, failureForHttpStatus, type DeliveryResult } from './delivery-result.ts';
import { postJson } from './http-post.ts';
import type { ChannelOptions, Notification } from './notification.ts';
import type { Notifier, SendContext } from './notifier.ts';
import { defaultTitle, renderTemplate } from './template.ts';

/** Slack's message body for one notification. */
export function buildSlackMessage(
  n: Notification,
  config: SlackConfig,
  externalURL = '',
): Record<string, unknown> {
  const title = config.title ? renderTemplate(config.title, n, externalURL) : defaultTitle(n);
  const text = config.text
    ? renderTemplate(config.text, n, externalURL)
    : n.alerts
        .map((a) => `• ${a.annotations['summary'] ?? a.labels['alertname'] ?? a.fingerprint} (${a.state})`)
        .join('\n');
  return {
    ...(config.channel ? { channel: config.channel } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.icon_emoji ? { icon_emoji: config.icon_emoji } : {}),
    text: title,
    attachments: [
      {
        color: n.status === 'firing' ? 'danger' : 'good',
        title,
        ...(externalURL ? { title_link: externalURL } : {}),
        text,
        fallback: `${title}\n${text}`,
        mrkdwn_in: ['text'],
      },
    ],
  };
}

/** Creates a Slack notifier from a parsed (env-expanded) config. */
export function createSlackNotifier(config: SlackConfig, options: ChannelOptions = {}): Notifier {
  const timeoutMs = parseDuration(config.timeout);
  return {
    kind: 'slack',
    async send(n: Notification, ctx: SendContext): Promise<DeliveryResult> {
      if (n.status === 'resolved' && !config.send_resolved) return { ok: true, skipped: true };
      const reply = await postJson(config.api_url, buildSlackMessage(n, config, options.externalURL), {
        timeoutMs,
        signal: ctx.signal,
      });
      if ('ok' in reply) return reply;
      if (reply.status < 200 || reply.status >= 300) return failureForHttpStatus(reply.status, reply.body);
      const apiError = slackApiError(reply.body);
      if (apiError)
        return deliveryFailure('UPSTREAM', `Slack refused the message: ${apiError}`, false, reply.status);
      return { ok: true, status: reply.status };
    },
  };
}

function slackApiError(body: string): string | undefined {
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(body) as { ok?: unknown; error?: unknown };
    return parsed.ok === false ? String(parsed.error ?? 'unknown error') : undefined;
  } catch {
    return undefined;
  }
}
