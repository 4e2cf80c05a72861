/**
 * The auth and limits stages: virtual keys are looked up by the sha256 of the presented
 * bearer token (keys are stored hashed), then checked against their allowed routes and their
 * requests/min and tokens/min budgets.
 */
import { createHash } from 'node:crypto';
import type { VirtualKeyConfig } from '../config/gateway.ts';
import { NinesError } from '../core/errors.ts';
import { RateWindow } from './rate-window.ts';
import { expandSecret, type Env } from './route.ts';

/** A virtual key at run time, with its usage windows. */
export interface KeyRuntime {
  id: string;
  routes: Set<string>;
  allRoutes: boolean;
  rpm: number | undefined;
  tpm: number | undefined;
  requests: RateWindow;
  tokens: RateWindow;
}

/** sha256 hex of a key, the form keys are stored in. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Builds the hash → key table. With `previous` (a reload), a key with the same hash and id keeps
 * its usage windows, so a reload does not hand out a fresh minute of budget.
 */
export function buildKeys(
  keys: readonly VirtualKeyConfig[],
  env: Env,
  previous?: Map<string, KeyRuntime>,
): Map<string, KeyRuntime> {
  const out = new Map<string, KeyRuntime>();
  keys.forEach((k, i) => {
    const hash = k.hash?.toLowerCase() ?? hashKey(expandSecret(k.key ?? '', env, `gateway.keys[${i}].key`));
    const old = previous?.get(hash);
    const same = old?.id === k.id;
    out.set(hash, {
      id: k.id,
      routes: new Set(k.routes),
      allRoutes: k.routes.includes('*'),
      rpm: k.rpm,
      tpm: k.tpm,
      requests: same ? old.requests : new RateWindow(),
      tokens: same ? old.tokens : new RateWindow(),
    });
  });
  return out;
}

/** The bearer token of a request (`Authorization: Bearer …` or `api-key`), if any. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ')
    return auth.slice(7).trim();
  const alt = headers['api-key'];
  return typeof alt === 'string' && alt !== '' ? alt : undefined;
}

/** The key for a presented token, if it is one. */
export function lookupKey(keys: Map<string, KeyRuntime>, token: string): KeyRuntime | undefined {
  return keys.get(hashKey(token));
}

/** Auth stage: the key for the presented token; throws UNAUTHORIZED. */
export function authenticate(keys: Map<string, KeyRuntime>, token: string | undefined): KeyRuntime {
  if (token === undefined)
    throw new NinesError('UNAUTHORIZED', 'missing API key: send Authorization: Bearer <nines virtual key>');
  const key = keys.get(hashKey(token));
  if (!key) throw new NinesError('UNAUTHORIZED', 'invalid API key');
  return key;
}

/** True when `key` may use route `model`. */
export function mayUse(key: KeyRuntime, model: string): boolean {
  return key.allRoutes || key.routes.has(model);
}

/** Limits stage: counts the request, or throws RATE_LIMITED with retry-after seconds. */
export function admit(key: KeyRuntime, now: number): void {
  if (key.rpm !== undefined && key.requests.used(now) >= key.rpm) {
    const retryAfterS = key.requests.retryAfterS(key.rpm, now);
    throw new NinesError('RATE_LIMITED', `key ${key.id} is over its ${key.rpm} requests per minute`, {
      details: { retryAfterMs: retryAfterS * 1000, code: 'rate_limit_exceeded' },
    });
  }
  if (key.tpm !== undefined && key.tokens.used(now) >= key.tpm) {
    const retryAfterS = key.tokens.retryAfterS(key.tpm, now);
    throw new NinesError('RATE_LIMITED', `key ${key.id} is over its ${key.tpm} tokens per minute`, {
      details: { retryAfterMs: retryAfterS * 1000, code: 'tokens_exceeded' },
    });
  }
  key.requests.add(1, now);
}
