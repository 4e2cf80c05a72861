/**
 * The HTTP control plane: one Hono app with `/healthz` (anonymous) and `/api/v1/*` (bearer
 * tokens with roles). Handlers stay thin: parse, call a service, return JSON.
 */
import { Hono } from 'hono';
import { NinesError } from '../core/errors.ts';
import { authMiddleware, type AuthVariables, type Principal } from './auth.ts';
import { handleApiError } from './errors.ts';
import type { ApiServices } from './services.ts';
import { targetRoutes } from './routes/targets.ts';
import { reportRoutes } from './routes/reports.ts';

/** Extra route modules other parts of nines mount under /api/v1 (alerts, gateway, …). */
export type ApiExtension = (api: Hono<{ Variables: AuthVariables }>) => void;

/** Options for the API app. */
export interface ApiAppOptions {
  services: ApiServices;
  auth: { authenticate(header: string | undefined): Principal | undefined };
  extensions?: ApiExtension[];
  /** Extra anonymous routes at the root (the dashboard's static files, the status page). */
  publicRoutes?: (app: Hono) => void;
}

/** Builds the API app. */
export function createApiApp(options: ApiAppOptions): Hono {
  const app = new Hono();
  app.onError(handleApiError);
  app.notFound((c) =>
    handleApiError(new NinesError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), c),
  );
  app.get('/healthz', (c) =>
    c.json({ status: 'ok', time: new Date(options.services.clock.now()).toISOString() }),
  );

  const api = new Hono<{ Variables: AuthVariables }>();
  api.use('*', authMiddleware(options.auth));
  api.route('/', targetRoutes(options.services));
  api.route('/', reportRoutes(options.services));
  for (const extend of options.extensions ?? []) extend(api);
  app.route('/api/v1', api);
  options.publicRoutes?.(app);
  return app;
}
