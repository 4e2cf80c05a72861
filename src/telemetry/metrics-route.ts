/**
 * `GET /metrics` in the Prometheus text format. Mount it at the root of the server app:
 * `app.route('/', metricsRoute(telemetry))`.
 *
 * Open by default, as Prometheus exporters are: the series hold target, route and SLO names and
 * label values, never secrets or prompts. Where those names are private, pass `token` (meant to
 * come from config later, e.g. `server.metricsToken: ${NINES_METRICS_TOKEN}`) and set
 * `authorization: { credentials: … }` (Bearer) in the Prometheus scrape config.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';

/** What the route needs: the rendered metrics and their Content-Type (a `Telemetry` fits). */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

/** Options of the route. */
export interface MetricsRouteOptions {
  /** When set, scrapes must send `Authorization: Bearer <token>`; others get 401. */
  token?: string;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** The Hono app serving `GET /metrics` from `source`. */
export function metricsRoute(source: MetricsSource, options: MetricsRouteOptions = {}): Hono {
  const app = new Hono();
  const expected = options.token !== undefined ? digest(`Bearer ${options.token}`) : undefined;
  app.get('/metrics', async (c) => {
    if (expected && !timingSafeEqual(digest(c.req.header('authorization') ?? ''), expected)) {
      return c.text('unauthorized\n', 401, { 'WWW-Authenticate': 'Bearer realm="nines metrics"' });
    }
    try {
      const body = await source.metrics();
      return c.body(body, 200, { 'Content-Type': source.contentType, 'Cache-Control': 'no-store' });
    } catch (err) {
      return c.text(`metrics collection failed: ${(err as Error).message}\n`, 500);
    }
  });
  return app;
}
