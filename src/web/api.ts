/**
 * The dashboard's only way to the server: JSON over `/api/v1`, with the session's CSRF token on
 * state-changing requests, and errors turned into `ApiError` with the server's message.
 */

/** An error answer from the API: HTTP status, NinesError code, message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

/** Sets the CSRF token sent with POST/PUT/DELETE (from GET /api/v1/session). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (401); set by main.ts. */
export const onUnauthorized: { handler: (message: string) => void } = { handler: () => undefined };

/** Sends a request to `/api/v1<path>` and returns the parsed JSON body. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'UNAVAILABLE', 'cannot reach the nines server; check that it is running');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const e = new ApiError(
      res.status,
      err?.code ?? 'INTERNAL',
      err?.message ?? `request failed with HTTP ${res.status}`,
    );
    if (res.status === 401 && path !== '/session') onUnauthorized.handler(e.message);
    throw e;
  }
  return body as T;
}

/** Like `api`, but resolves to undefined when the endpoint or item does not exist (404). */
export async function optional<T>(path: string): Promise<T | undefined> {
  try {
    return await api<T>(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}
