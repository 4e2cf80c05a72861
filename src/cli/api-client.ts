/**
 * A small client of the nines HTTP API for CLI commands that act on a running server
 * (`nines incident`, `nines silence`). The server and token come from --server/--token or the
 * NINES_URL / NINES_TOKEN environment variables.
 */
import { NinesError } from '../core/errors.ts';

/** Where the API is and how to authenticate. */
export interface ApiTarget {
  server: string;
  token: string;
}

/** Reads --server and --token (or NINES_URL / NINES_TOKEN); throws VALIDATION when the token is missing. */
export function apiTargetFrom(
  flags: { server?: string | undefined; token?: string | undefined },
  env = process.env,
): ApiTarget {
  const server = (flags.server ?? env.NINES_URL ?? 'http://127.0.0.1:9190').replace(/\/+$/, '');
  const token = flags.token ?? env.NINES_TOKEN;
  if (!token) throw new NinesError('VALIDATION', 'an API token is needed: pass --token or set NINES_TOKEN');
  return { server, token };
}

/** Calls the API and returns the parsed JSON (or text); API errors become NinesErrors with their message. */
export async function callApi(t: ApiTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${t.server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${t.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new NinesError(
      'UNAVAILABLE',
      `cannot reach the nines server at ${t.server}: ${(err as Error).message}`,
    );
  }
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.includes('json');
  const parsed: unknown = isJson && text ? JSON.parse(text) : text;
  if (!res.ok) {
    const msg = (parsed as { error?: { message?: string } })?.error?.message ?? `HTTP ${res.status}`;
    throw new NinesError(
      res.status === 404
        ? 'NOT_FOUND'
        : res.status === 403
          ? 'FORBIDDEN'
          : res.status === 401
            ? 'UNAUTHORIZED'
            : 'UPSTREAM',
      msg,
    );
  }
  return parsed;
}
