/**
 * CSRF protection for cookie-authenticated requests: every state-changing request (anything but
 * GET, HEAD, OPTIONS) must carry the session's token in `x-csrf-token`. Bearer-token requests
 * are exempt (a browser never adds an Authorization header on its own).
 */
import { timingSafeEqual } from 'node:crypto';
import { NinesError } from '../core/errors.ts';

/** The request header that carries the CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/** True for methods that do not change state. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** Throws FORBIDDEN unless `sent` equals the session's token (or the method is safe). */
export function checkCsrf(method: string, expected: string, sent: string | undefined): void {
  if (isSafeMethod(method)) return;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent ?? '');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new NinesError(
      'FORBIDDEN',
      `missing or invalid CSRF token: send the token from GET /api/v1/session in the ${CSRF_HEADER} header`,
    );
  }
}
