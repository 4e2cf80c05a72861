/** Read-only routes about targets: list, one target, its results, rollups and state events. */
import { Hono } from 'hono';
import { NinesError } from '../../core/errors.ts';
import type { ApiServices } from '../services.ts';
import type { AuthVariables } from '../auth.ts';
import { parseLimit, parseRange } from '../params.ts';
import { rollupView } from '../rollup-view.ts';

const HOUR = 3_600_000;

/** Routes under /api/v1/targets and /api/v1/events. */
export function targetRoutes(s: ApiServices): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  const mustGet = (name: string) => {
    const t = s.targets.get(name);
    if (!t) throw new NinesError('NOT_FOUND', `no target named "${name}"`);
    return t;
  };

  app.get('/targets', (c) => c.json({ targets: s.targets.list() }));

  app.get('/targets/:name', (c) => c.json({ target: mustGet(c.req.param('name')) }));

  app.get('/targets/:name/results', async (c) => {
    const t = mustGet(c.req.param('name'));
    const { from, to } = parseRange(c.req.query(), s.clock.now(), HOUR);
    const limit = parseLimit(c.req.query('limit'), 500, 10_000);
    const onlyFailures = c.req.query('failures') === 'true';
    const results = await s.store.queryResults({ target: t.name, from, to, limit, onlyFailures });
    return c.json({ target: t.name, from, to, results });
  });

  app.get('/targets/:name/rollups', async (c) => {
    const t = mustGet(c.req.param('name'));
    const tier = c.req.query('tier') ?? 'minute';
    if (tier !== 'minute' && tier !== 'hour') {
      throw new NinesError('VALIDATION', `query parameter tier: "${tier}" must be minute or hour`);
    }
    const { from, to } = parseRange(
      c.req.query(),
      s.clock.now(),
      tier === 'minute' ? 6 * HOUR : 7 * 24 * HOUR,
    );
    const rollups = await s.store.queryRollups({ tier, from, to, targets: [t.name] });
    return c.json({ target: t.name, tier, from, to, rollups: rollups.map(rollupView) });
  });

  app.get('/events', async (c) => {
    const target = c.req.query('target');
    if (target) mustGet(target);
    const { from, to } = parseRange(c.req.query(), s.clock.now(), 7 * 24 * HOUR);
    const limit = parseLimit(c.req.query('limit'), 1000, 10_000);
    const events = await s.store.queryEvents({ from, to, limit, ...(target ? { target } : {}) });
    return c.json({ from, to, events });
  });

  return app;
}
