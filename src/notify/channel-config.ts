/**
 * Zod schemas of every channel's config, in Alertmanager's snake_case vocabulary. Objects are
 * strict: an unknown field is an error at load, not a silently ignored typo.
 */
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';
import { templateProblem } from './template.ts';

/** The default PagerDuty Events API v2 endpoint (overridable per config, e.g. for tests). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** PagerDuty's severities; anything else is refused by the Events API. */
export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

const duration = z.string().refine(
  (s) => {
    try {
      return parseDuration(s) > 0;
    } catch {
      return false;
    }
  },
  { message: 'must be a positive duration such as 500ms, 10s, 1m' },
);

const template = z.string().superRefine((s, ctx) => {
  const problem = templateProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** An http(s) URL, or text holding a `${NAME}` reference that expands to one (checked again after expansion). */
const httpUrl = z.string().refine((s) => /^https?:\/\/\S+$/.test(s) || /\$\{[A-Za-z_]/.test(s), {
  message: 'must be an http(s) URL',
});
const headers = z.record(z.string(), z.string());

/** Generic webhook: POSTs the Alertmanager webhook payload (version 4). */
export const webhookConfigSchema = z.strictObject({
  url: httpUrl,
  http_headers: headers.optional(),
  /** Most alerts per payload; 0 = all. Extra alerts are dropped and counted in truncatedAlerts. */
  max_alerts: z.number().int().min(0).default(0),
  send_resolved: z.boolean().default(true),
  timeout: duration.default('10s'),
});

/** Slack incoming webhook. */
export const slackConfigSchema = z.strictObject({
  /** The incoming-webhook URL; usually `${SLACK_WEBHOOK_URL}` so the secret stays out of the file. */
  api_url: httpUrl,
  channel: z.string().optional(),
  username: z.string().optional(),
  icon_emoji: z.string().optional(),
  title: template.optional(),
  text: template.optional(),
  send_resolved: z.boolean().default(false),
  timeout: duration.default('10s'),
});

const severity = z.enum(PAGERDUTY_SEVERITIES);

/** PagerDuty Events API v2. */
export const pagerDutyConfigSchema = z.strictObject({
  routing_key: z.string().min(1, 'must not be empty'),
  url: httpUrl.default(PAGERDUTY_EVENTS_URL),
  /** Label whose value picks the severity through `severity_map`. */
  severity_label: z.string().default('severity'),
  /** Label value → PagerDuty severity, e.g. `{ page: critical, ticket: warning }`. */
  severity_map: z.record(z.string(), severity).default({}),
  /** Severity when the label is absent or unmapped (a label already named critical/error/warning/info maps to itself). */
  severity: severity.default('error'),
  client: z.string().default('nines'),
  client_url: z.string().optional(),
  source: template.optional(),
  summary: template.optional(),
  send_resolved: z.boolean().default(true),
  timeout: duration.default('10s'),
});

/** Email over SMTP (nodemailer). */
export const emailConfigSchema = z.strictObject({
  to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  from: z.string().min(1),
  /** `host:port` of the SMTP server. */
  smarthost: z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port'),
  auth_username: z.string().optional(),
  auth_password: z.string().optional(),
  /** Implicit TLS from the first byte (usually port 465). */
  tls: z.boolean().default(false),
  /** STARTTLS: `required` refuses plaintext, `opportunistic` upgrades when offered, `disabled` never. */
  starttls: z.enum(['required', 'opportunistic', 'disabled']).default('opportunistic'),
  tls_insecure_skip_verify: z.boolean().default(false),
  subject: template.optional(),
  text: template.optional(),
  html: template.optional(),
  headers: headers.optional(),
  send_resolved: z.boolean().default(false),
  timeout: duration.default('15s'),
});

/** Forwarding to real Alertmanager(s): POST /api/v2/alerts on each. */
export const alertmanagerConfigSchema = z.strictObject({
  /** Base URLs, e.g. `http://alertmanager:9093`; every one receives every alert (HA pairs). */
  urls: z.array(httpUrl).min(1, 'needs at least one URL'),
  http_headers: headers.optional(),
  timeout: duration.default('10s'),
});

/** A receiver: a name and any number of channel configs (Alertmanager's receiver layout). */
export const receiverConfigSchema = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  /** Receiver-level settings owned by src/config and src/alert (the pipeline applies them). */
  send_resolved: z.boolean().optional(),
  rate_limit: z.unknown().optional(),
  webhook_configs: z.array(webhookConfigSchema).optional(),
  slack_configs: z.array(slackConfigSchema).optional(),
  pagerduty_configs: z.array(pagerDutyConfigSchema).optional(),
  email_configs: z.array(emailConfigSchema).optional(),
  alertmanager_configs: z.array(alertmanagerConfigSchema).optional(),
});

/** Parsed webhook config (defaults applied). */
export type WebhookConfig = z.output<typeof webhookConfigSchema>;
/** Parsed Slack config. */
export type SlackConfig = z.output<typeof slackConfigSchema>;
/** Parsed PagerDuty config. */
export type PagerDutyConfig = z.output<typeof pagerDutyConfigSchema>;
/** Parsed email config. */
export type EmailConfig = z.output<typeof emailConfigSchema>;
/** Parsed Alertmanager forwarding config. */
export type AlertmanagerConfig = z.output<typeof alertmanagerConfigSchema>;
/** Parsed receiver. */
export type ReceiverConfig = z.output<typeof receiverConfigSchema>;
/** The channel lists a receiver may hold, in a fixed order. */
export const CHANNEL_KEYS = [
  'webhook_configs',
  'slack_configs',
  'pagerduty_configs',
  'email_configs',
  'alertmanager_configs',
] as const;
/** One of `CHANNEL_KEYS`. */
export type ChannelKey = (typeof CHANNEL_KEYS)[number];
