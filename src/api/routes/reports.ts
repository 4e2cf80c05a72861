/** Reliability reports: availability, MTBF, MTTR, outages and percentiles per target. */
import { Hono } from 'hono';
import { NinesError } from '../../core/errors.ts';
import type { ApiServices } from '../services.ts';
import type { AuthVariables } from '../auth.ts';
import { parseWindow } from '../params.ts';

/** Routes under /api/v1/reports. */
export function reportRoutes(s: ApiServices): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/reports', async (c) => {
    const windowMs = parseWindow(c.req.query('window'), '30d');
    const names = c.req.query('target')?.split(',').filter(Boolean);
    for (const n of names ?? [])
      if (!s.targets.get(n)) throw new NinesError('NOT_FOUND', `no target named "${n}"`);
    const now = s.clock.now();
    const reports = await s.reports.targetReports(windowMs, now, names);
    return c.json({ window: c.req.query('window') ?? '30d', windowMs, generatedAt: now, reports });
  });
  app.get('/uptime', async (c) => {
    const days = Number(c.req.query('days') ?? '90');
    if (!Number.isInteger(days) || days < 1 || days > 400) {
      throw new NinesError(
        'VALIDATION',
        `query parameter days: "${c.req.query('days')}" must be a whole number from 1 to 400`,
      );
    }
    const names = c.req.query('target')?.split(',').filter(Boolean);
    return c.json({ days: await s.reports.dailyUptime(days, s.clock.now(), names) });
  });
  return app;
}
