/**
 * The API authenticator for both kinds of caller: a bearer token (scripts, the CLI) or the
 * dashboard's session cookie (with its CSRF token on state-changing requests). It plugs into
 * `createApiApp({ auth })`; `authenticate(header, c?)` takes the Hono context when the auth
 * middleware passes it, and otherwise finds it in `requestScope` (set by `withSessions`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Principal } from './auth.ts';
import { CSRF_HEADER, checkCsrf } from './csrf.ts';
import { SESSION_COOKIE, type Session, type SessionManager } from './session.ts';

/** The request being served, for code that is not handed the Hono context. */
export const requestScope = new AsyncLocalStorage<Context>();

/** Anything that can check a bearer Authorization header (the existing TokenAuthenticator). */
export interface BearerAuthenticator {
  authenticate(header: string | undefined): Principal | undefined;
}

/** Accepts a bearer token, or a session cookie plus (for writes) its CSRF token. */
export class SessionAuthenticator {
  constructor(
    private readonly tokens: BearerAuthenticator,
    readonly sessions: SessionManager,
    private readonly now: () => number,
  ) {}

  /** The session of a request's cookie, if it is live. */
  session(c: Context): { id: string; session: Session } | undefined {
    const id = getCookie(c, SESSION_COOKIE);
    const session = this.sessions.get(id, this.now());
    return id && session ? { id, session } : undefined;
  }

  /**
   * The principal of a request. A bearer header is checked against tokens only (never falls
   * back to the cookie); a cookie session must send its CSRF token on unsafe methods (FORBIDDEN).
   */
  authenticate(header: string | undefined, c?: Context): Principal | undefined {
    if (header && header.trim() !== '') return this.tokens.authenticate(header);
    const ctx = c ?? requestScope.getStore();
    if (!ctx) return undefined;
    const found = this.session(ctx);
    if (!found) return undefined;
    checkCsrf(ctx.req.method, found.session.csrfToken, ctx.req.header(CSRF_HEADER));
    return { name: found.session.user, role: found.session.role };
  }
}
