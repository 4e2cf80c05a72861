/**
 * Puts the dashboard's session layer in front of the API app without changing it: the request
 * is made available to `SessionAuthenticator` through `requestScope`, and the session routes
 * (login needs no credentials) answer before the API's auth middleware runs.
 */
import { Hono } from 'hono';
import { NinesError } from '../core/errors.ts';
import { handleApiError } from './errors.ts';
import { sessionRoutes, type SessionRouteDeps } from './routes/session.ts';
import { requestScope } from './session-auth.ts';

/** Wraps `apiApp` (from createApiApp) with the session routes and request scope. */
export function withSessions(apiApp: Hono, deps: SessionRouteDeps): Hono {
  const outer = new Hono();
  outer.onError(handleApiError);
  outer.notFound((c) => handleApiError(new NinesError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), c));
  outer.use('*', (c, next) => requestScope.run(c, next));
  outer.route('/api/v1', sessionRoutes(deps));
  outer.route('/', apiApp);
  return outer;
}
