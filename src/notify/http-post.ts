/**
 * One HTTP POST with a deadline, shared by the HTTP channels. Network errors, timeouts and
 * cancellation become `DeliveryFailure` values; a response (any status) comes back as data.
 */
import { deliveryFailure, type DeliveryFailure } from './delivery-result.ts';

/** A response that arrived: status, headers and (at most `MAX_BODY_BYTES` of) the body text. */
export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

/** Longest response body kept; receivers answering with megabytes are cut here. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Options for `postJson`. */
export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  idempotencyKey?: string;
}

/**
 * POSTs `payload` as JSON and reads the reply within `timeoutMs` (headers and body together).
 * Returns the reply, or a retryable failure for timeouts, refused connections and resets.
 */
export async function postJson(
  url: string,
  payload: unknown,
  options: PostOptions,
): Promise<HttpReply | DeliveryFailure> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  timer.unref?.();
  const signal = AbortSignal.any([options.signal, timeout.signal]);
  try {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'nines-notify/0.1',
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      ...options.headers,
    };
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      signal,
      redirect: 'manual',
    });
    const body = await readCapped(res);
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
  } catch (err) {
    if (timeout.signal.aborted) {
      return deliveryFailure(
        'TIMEOUT',
        `no complete reply from ${redact(url)} within ${options.timeoutMs}ms`,
        true,
      );
    }
    if (options.signal.aborted) return deliveryFailure('UNAVAILABLE', 'send cancelled (shutting down)', true);
    return deliveryFailure('UNAVAILABLE', `cannot reach ${redact(url)}: ${networkReason(err)}`, true);
  } finally {
    clearTimeout(timer);
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    text += decoder.decode(chunk, { stream: true });
    if (size >= MAX_BODY_BYTES) break;
  }
  return text;
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Hides credentials and query strings (Slack webhook secrets live in the path; keep only origin). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? '/…' : '/'}`;
  } catch {
    return '<invalid url>';
  }
}
