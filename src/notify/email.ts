/**
 * Email over SMTP with nodemailer. SMTP 4xx replies, refused connections and timeouts are
 * retryable; 5xx replies (bad recipient, refused auth) are permanent. The whole send, from
 * connect to the server's final reply, must finish within `timeout`.
 */
import nodemailer from 'nodemailer';
import { parseDuration } from '../core/duration.ts';
import type { EmailConfig } from './channel-config.ts';
import { deliveryFailure, type DeliveryResult } from './delivery-result.ts';
import { isoTime, type ChannelOptions, type Notification } from './notification.ts';
import type { Notifier, SendContext } from './notifier.ts';
import { defaultTitle, renderTemplate } from './template.ts';

/** Subject, plain text and (optional) HTML of the email for a notification. */
export function buildEmail(
  n: Notification,
  config: EmailConfig,
  externalURL = '',
): { subject: string; text: string; html?: string } {
  const subject = config.subject ? renderTemplate(config.subject, n, externalURL) : defaultTitle(n);
  const lines = n.alerts.map((a) => {
    const labels = Object.entries(a.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const summary = a.annotations['summary'] ?? a.annotations['description'] ?? '';
    return `- [${a.state}] ${labels}${summary ? ` — ${summary}` : ''} (since ${isoTime(a.startsAt)})`;
  });
  const text = config.text
    ? renderTemplate(config.text, n, externalURL)
    : [subject, '', ...lines, '', externalURL].join('\n').trim();
  return config.html
    ? { subject, text, html: renderTemplate(config.html, n, externalURL) }
    : { subject, text };
}

/** Maps a nodemailer error to a delivery failure using its SMTP reply code or socket error code. */
export function failureForSmtpError(err: unknown): DeliveryResult {
  const e = err as { responseCode?: number; code?: string; message?: string };
  const message = `SMTP: ${e.message ?? String(err)}`;
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 400 && e.responseCode < 500)
      return deliveryFailure('UNAVAILABLE', message, true, e.responseCode);
    const code = e.code === 'EAUTH' ? 'UNAUTHORIZED' : 'VALIDATION';
    return deliveryFailure(code, message, false, e.responseCode);
  }
  if (e.code === 'ETIMEDOUT') return deliveryFailure('TIMEOUT', message, true);
  if (e.code === 'EAUTH') return deliveryFailure('UNAUTHORIZED', message, false);
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return deliveryFailure('VALIDATION', message, false);
  return deliveryFailure('UNAVAILABLE', message, true);
}

/** Creates an email notifier from a parsed (env-expanded) config. */
export function createEmailNotifier(config: EmailConfig, options: ChannelOptions = {}): Notifier {
  const timeoutMs = parseDuration(config.timeout);
  const colon = config.smarthost.lastIndexOf(':');
  const host = config.smarthost.slice(0, colon);
  const port = Number(config.smarthost.slice(colon + 1));
  return {
    kind: 'email',
    async send(n: Notification, ctx: SendContext): Promise<DeliveryResult> {
      if (n.status === 'resolved' && !config.send_resolved) return { ok: true, skipped: true };
      const transport = nodemailer.createTransport({
        host,
        port,
        secure: config.tls,
        requireTLS: config.starttls === 'required',
        ignoreTLS: config.starttls === 'disabled',
        tls: { rejectUnauthorized: !config.tls_insecure_skip_verify },
        auth: config.auth_username
          ? { user: config.auth_username, pass: config.auth_password ?? '' }
          : undefined,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const deadline = new Promise<DeliveryResult>((resolve) => {
        timer = setTimeout(
          () =>
            resolve(
              deliveryFailure('TIMEOUT', `SMTP send to ${config.smarthost} took over ${timeoutMs}ms`, true),
            ),
          timeoutMs,
        );
        onAbort = () => resolve(deliveryFailure('UNAVAILABLE', 'send cancelled (shutting down)', true));
        if (ctx.signal.aborted) onAbort();
        else ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
      const message = buildEmail(n, config, options.externalURL);
      const sending = transport
        .sendMail({
          from: config.from,
          to: config.to,
          ...message,
          headers: {
            ...config.headers,
            ...(ctx.idempotencyKey ? { 'X-Nines-Idempotency-Key': ctx.idempotencyKey } : {}),
          },
        })
        .then(
          (info): DeliveryResult => ({ ok: true, detail: info.messageId }),
          (err: unknown) => failureForSmtpError(err),
        );
      try {
        return await Promise.race([sending, deadline]);
      } finally {
        clearTimeout(timer);
        if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
        transport.close();
      }
    },
  };
}
