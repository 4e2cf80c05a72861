/** Translates every error to one JSON shape and status, once, at the API edge (DESIGN rule 7). */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { HTTP_STATUS_BY_CODE, NinesError, toNinesError } from '../core/errors.ts';

/** The JSON body of every API error: `{ error: { code, message, details? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Hono onError handler: NinesError → its status; anything else → 500 without internals. */
export function handleApiError(err: Error, c: Context): Response {
  let e: NinesError;
  if (err instanceof HTTPException) {
    e = new NinesError(err.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION', err.message || 'bad request');
  } else {
    e = toNinesError(err);
  }
  if (e.code === 'INTERNAL') console.error('api: internal error', err);
  const body: ApiErrorBody = {
    error: {
      code: e.code,
      message: e.code === 'INTERNAL' ? 'internal error' : e.message,
      ...(Object.keys(e.details).length ? { details: e.details } : {}),
    },
  };
  return c.json(body, HTTP_STATUS_BY_CODE[e.code] as 400);
}
