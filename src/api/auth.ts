/**
 * Bearer-token authentication and role checks for the API. Tokens come from config (normally
 * `${ENV}` references); they are compared by SHA-256 digest in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { NinesError } from '../core/errors.ts';
import type { Role } from '../config/sections.ts';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** The authenticated caller of a request. */
export interface Principal {
  name: string;
  role: Role;
}

/** A token as the API keeps it: its digest, never the token itself. */
interface TokenEntry {
  name: string;
  role: Role;
  digest: Buffer;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Checks bearer tokens against the configured set. */
export class TokenAuthenticator {
  private readonly entries: TokenEntry[];

  constructor(tokens: readonly { name: string; role: Role; token: string }[]) {
    this.entries = tokens
      .filter((t) => t.token.length > 0)
      .map((t) => ({ name: t.name, role: t.role, digest: digest(t.token) }));
  }

  /** The principal for an Authorization header value, or undefined when it matches no token. */
  authenticate(header: string | undefined): Principal | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return undefined;
    const d = digest(m[1]!);
    let found: TokenEntry | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.digest, d)) found = e;
    return found && { name: found.name, role: found.role };
  }
}

/** True when `role` is at least `required` (viewer < operator < admin). */
export function hasRole(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

/** Hono variables set by the auth middleware. */
export type AuthVariables = { principal: Principal };

/**
 * Middleware: requires a valid bearer token; reads need `viewer`, other methods `operator`
 * unless a route asks for more with `requireRole`.
 */
export function authMiddleware(auth: {
  authenticate(header: string | undefined): Principal | undefined;
}): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const principal = auth.authenticate(c.req.header('authorization'));
    if (!principal)
      throw new NinesError(
        'UNAUTHORIZED',
        'a valid bearer token is required (Authorization: Bearer <token>)',
      );
    const needed: Role = c.req.method === 'GET' || c.req.method === 'HEAD' ? 'viewer' : 'operator';
    if (!hasRole(principal.role, needed)) {
      throw new NinesError(
        'FORBIDDEN',
        `role ${principal.role} may not ${c.req.method} ${c.req.path} (needs ${needed})`,
      );
    }
    c.set('principal', principal);
    await next();
  };
}

/** Middleware for routes that need more than the method's default role (e.g. admin-only). */
export function requireRole(required: Role): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p || !hasRole(p.role, required)) {
      throw new NinesError(
        'FORBIDDEN',
        `this action needs role ${required}${p ? ` (you are ${p.role})` : ''}`,
      );
    }
    await next();
  };
}
