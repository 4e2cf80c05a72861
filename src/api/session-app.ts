/**
 * The dashboard's server side in one place, for main.ts: the session layer in front of the API
 * app (the request is made available to `SessionAuthenticator` through `requestScope`, and the
 * session routes answer before the API's auth middleware, since login needs no credentials),
 * the users API extension, the bundled web app and the public status pages.
 */
import { Hono } from 'hono';
import { NinesError } from '../core/errors.ts';
import type { StatusPageConfig } from '../config/status-pages.ts';
import type { ApiExtension } from './app.ts';
import { handleApiError } from './errors.ts';
import { sessionRoutes, type SessionRouteDeps } from './routes/session.ts';
import { statusPageRoutes, type StatusPageData } from './routes/status-page.ts';
import { usersExtension } from './routes/users.ts';
import { buildWebAssets, staticRoutes } from './static.ts';
import { SessionManager, type SessionOptions } from './session.ts';
import { SessionAuthenticator, requestScope, type BearerAuthenticator } from './session-auth.ts';
import { UserService, type UserStore } from './users.ts';

/** Wraps `apiApp` (from createApiApp) with the session routes and request scope. */
export function withSessions(apiApp: Hono, deps: SessionRouteDeps): Hono {
  const outer = new Hono();
  outer.onError(handleApiError);
  outer.notFound((c) =>
    handleApiError(new NinesError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), c),
  );
  outer.use('*', (c, next) => requestScope.run(c, next));
  outer.route('/api/v1', sessionRoutes(deps));
  outer.route('/', apiApp);
  return outer;
}

/** Options of `createWebLayer`. */
export interface WebLayerOptions {
  /** The bearer-token authenticator (the existing TokenAuthenticator). */
  tokens: BearerAuthenticator;
  users: UserStore;
  now: () => number;
  sessions?: SessionOptions;
  /** Current status pages (a getter, so a config reload applies). */
  statusPages?: () => readonly StatusPageConfig[];
  statusData?: StatusPageData;
  /** Initial admin password (NINES_ADMIN_PASSWORD); without it a one-time password is printed. */
  adminPassword?: string;
  log?: (line: string) => void;
}

/** Everything main.ts plugs into createApiApp and listenApp. */
export interface WebLayer {
  /** Pass as `createApiApp({ auth })`. */
  auth: SessionAuthenticator;
  /** Add to `createApiApp({ extensions })` (users API). */
  extension: ApiExtension;
  /** Pass as `createApiApp({ publicRoutes })` (dashboard files, status pages). */
  publicRoutes: (app: Hono) => void;
  /** Wrap the app from createApiApp before listenApp. */
  wrap(apiApp: Hono): Hono;
  userService: UserService;
}

/** Builds the dashboard's server side: bundles the web app and makes sure an admin exists. */
export async function createWebLayer(o: WebLayerOptions): Promise<WebLayer> {
  const userService = new UserService(o.users, o.now);
  const admin = await userService.ensureAdmin(o.adminPassword);
  if (admin.created) {
    (o.log ?? console.log)(
      admin.password
        ? `dashboard: created user "admin" with one-time password ${admin.password} (set NINES_ADMIN_PASSWORD to choose it; change it after logging in)`
        : 'dashboard: created user "admin" with the password from NINES_ADMIN_PASSWORD',
    );
  }
  const sessions = new SessionManager(o.sessions);
  const auth = new SessionAuthenticator(o.tokens, sessions, o.now);
  const assets = await buildWebAssets();
  const statusRoutes =
    o.statusPages && o.statusData ? statusPageRoutes(o.statusPages, o.statusData) : undefined;
  return {
    auth,
    extension: usersExtension(userService, sessions),
    publicRoutes: (app) => {
      staticRoutes(assets)(app);
      statusRoutes?.(app);
    },
    wrap: (apiApp) => withSessions(apiApp, { users: userService, auth, now: o.now }),
    userService,
  };
}
