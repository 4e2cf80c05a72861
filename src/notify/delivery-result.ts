/**
 * What a delivery attempt returns. Notifiers never throw: every outcome is a value that says
 * whether a retry can help (Alertmanager's `Notify → (retryable, error)`, DESIGN rule 7).
 */
import type { ErrorCode } from '../core/errors.ts';

/** A successful delivery (or a deliberate skip, e.g. a resolved notification with send_resolved off). */
export interface DeliverySuccess {
  ok: true;
  /** HTTP status (or SMTP reply code) the receiver answered with, when there was one. */
  status?: number;
  /** True when nothing was sent on purpose (send_resolved: false). */
  skipped?: boolean;
  /** Channel-specific detail worth recording (PagerDuty dedup_key, SMTP message id). */
  detail?: string;
}

/** A failed delivery: a NinesError code, a message, and whether retrying can help. */
export interface DeliveryFailure {
  ok: false;
  retryable: boolean;
  code: ErrorCode;
  message: string;
  status?: number;
}

/** Outcome of `Notifier.send`. */
export type DeliveryResult = DeliverySuccess | DeliveryFailure;

/** Builds a failure value. */
export function deliveryFailure(
  code: ErrorCode,
  message: string,
  retryable: boolean,
  status?: number,
): DeliveryFailure {
  return status === undefined
    ? { ok: false, retryable, code, message }
    : { ok: false, retryable, code, message, status };
}

/**
 * Classifies a non-2xx HTTP status: 5xx and 429 are retryable (the receiver may recover),
 * every other 4xx is permanent (the request itself is wrong; retrying sends the same thing).
 */
export function failureForHttpStatus(status: number, body: string): DeliveryFailure {
  const snippet = body.length > 200 ? `${body.slice(0, 200)}…` : body;
  const message = `receiver answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  if (status === 429) return deliveryFailure('RATE_LIMITED', message, true, status);
  if (status >= 500) return deliveryFailure('UPSTREAM', message, true, status);
  if (status === 401) return deliveryFailure('UNAUTHORIZED', message, false, status);
  if (status === 403) return deliveryFailure('FORBIDDEN', message, false, status);
  if (status === 404) return deliveryFailure('NOT_FOUND', message, false, status);
  if (status === 413) return deliveryFailure('PAYLOAD_TOO_LARGE', message, false, status);
  return deliveryFailure('VALIDATION', message, false, status);
}

/** Turns anything thrown during a send into a failure; unknown errors are treated as retryable. */
export function failureFromError(err: unknown, what: string): DeliveryFailure {
  const message = err instanceof Error ? err.message : String(err);
  return deliveryFailure('INTERNAL', `${what}: ${message}`, true);
}
