/**
 * From a receiver's config to notifiers: one `Integration` per channel config (the unit the
 * outbox delivers and retries), and `createNotifier` for a receiver as a whole.
 */
import type { ReceiverConfig } from './channel-config.ts';
import { createAlertmanagerNotifier } from './alertmanager.ts';
import { deliveryFailure, type DeliveryResult } from './delivery-result.ts';
import { createEmailNotifier } from './email.ts';
import type { Notification } from './notification.ts';
import type { Notifier, SendContext } from './notifier.ts';
import { createPagerDutyNotifier } from './pagerduty.ts';
import { createSlackNotifier } from './slack.ts';
import { parseReceiver } from './validate.ts';
import { createWebhookNotifier } from './webhook.ts';

/** One channel config of a receiver, ready to send: id `team-ml/pagerduty_configs[0]`. */
export interface Integration {
  id: string;
  receiver: string;
  notifier: Notifier;
}

/** Options for building notifiers. */
export interface CreateOptions {
  /** Environment for `${NAME}` references; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Link back to nines in payloads and messages (Alertmanager's `--web.external-url`). */
  externalURL?: string;
}

/** Builds one integration per channel config of a receiver (validated; throws VALIDATION). */
export function createIntegrations(receiverConfig: unknown, options: CreateOptions = {}): Integration[] {
  const r: ReceiverConfig = parseReceiver(receiverConfig, { env: options.env ?? process.env });
  const ch = { externalURL: options.externalURL };
  const out: Integration[] = [];
  const add = (key: string, i: number, notifier: Notifier) =>
    out.push({ id: `${r.name}/${key}[${i}]`, receiver: r.name, notifier });
  r.webhook_configs?.forEach((c, i) => add('webhook_configs', i, createWebhookNotifier(c, ch)));
  r.slack_configs?.forEach((c, i) => add('slack_configs', i, createSlackNotifier(c, ch)));
  r.pagerduty_configs?.forEach((c, i) => add('pagerduty_configs', i, createPagerDutyNotifier(c, ch)));
  r.email_configs?.forEach((c, i) => add('email_configs', i, createEmailNotifier(c, ch)));
  r.alertmanager_configs?.forEach((c, i) => add('alertmanager_configs', i, createAlertmanagerNotifier(c)));
  return out;
}

/**
 * A notifier for a whole receiver: sends to every channel config in parallel and succeeds only
 * when all did (a failure is retryable if every failing channel's is). Prefer the outbox, which
 * retries each integration on its own so one channel's outage does not repeat the others.
 */
export function createNotifier(receiverConfig: unknown, options: CreateOptions = {}): Notifier {
  const integrations = createIntegrations(receiverConfig, options);
  return {
    kind: 'receiver',
    async send(n: Notification, ctx: SendContext): Promise<DeliveryResult> {
      const results = await Promise.all(integrations.map((i) => i.notifier.send(n, ctx)));
      const failed = results.flatMap((r, i) => (r.ok ? [] : [{ r, id: integrations[i]!.id }]));
      if (failed.length === 0) return { ok: true };
      return deliveryFailure(
        failed[0]!.r.code,
        failed.map((f) => `${f.id}: ${f.r.message}`).join('; '),
        failed.every((f) => f.r.retryable),
      );
    },
  };
}
