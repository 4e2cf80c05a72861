/**
 * Session routes for the dashboard: `POST /api/v1/session` (login, throttled), `GET` (who am I,
 * plus the CSRF token) and `DELETE` (logout). They sit in front of the API's auth middleware,
 * since logging in needs no credentials yet.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { z } from 'zod';
import { NinesError } from '../../core/errors.ts';
import { readJson } from '../body.ts';
import { CSRF_HEADER, checkCsrf } from '../csrf.ts';
import { LoginThrottle, SESSION_COOKIE } from '../session.ts';
import type { SessionAuthenticator } from '../session-auth.ts';
import type { UserService } from '../users.ts';

const loginBody = z
  .object({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) })
  .strict();

/** What the session routes need. */
export interface SessionRouteDeps {
  users: UserService;
  auth: SessionAuthenticator;
  now: () => number;
  throttle?: LoginThrottle;
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Routes under /api/v1/session (mount at /api/v1 before the authenticated API). */
export function sessionRoutes(deps: SessionRouteDeps): Hono {
  const app = new Hono();
  const throttle = deps.throttle ?? new LoginThrottle();

  app.post('/session', async (c) => {
    const body = await readJson(c, loginBody);
    const now = deps.now();
    const keys = [`user:${body.name}`, `ip:${clientAddress(c)}`];
    const wait = throttle.retryAfter(keys, now);
    if (wait > 0) {
      c.header('retry-after', String(Math.ceil(wait / 1000)));
      throw new NinesError(
        'RATE_LIMITED',
        `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`,
      );
    }
    const user = await deps.users.verify(body.name, body.password);
    if (!user) {
      throttle.fail(keys, now);
      throw new NinesError('UNAUTHORIZED', 'wrong user name or password');
    }
    throttle.clear(keys[0]!);
    const { id, session } = deps.auth.sessions.create(user.name, user.role, now);
    setCookie(c, SESSION_COOKIE, id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: Math.floor(deps.auth.sessions.absoluteMs / 1000),
    });
    return c.json(
      {
        user: { name: user.name, role: user.role },
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
      },
      201,
    );
  });

  app.get('/session', (c) => {
    const found = deps.auth.session(c);
    if (!found) throw new NinesError('UNAUTHORIZED', 'not logged in, or the session has expired');
    const s = found.session;
    return c.json({
      user: { name: s.user, role: s.role },
      csrfToken: s.csrfToken,
      expiresAt: s.expiresAt,
      idleTimeoutMs: deps.auth.sessions.idleMs,
    });
  });

  app.delete('/session', (c) => {
    const found = deps.auth.session(c);
    if (found) {
      checkCsrf(c.req.method, found.session.csrfToken, c.req.header(CSRF_HEADER));
      deps.auth.sessions.delete(found.id);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  return app;
}
