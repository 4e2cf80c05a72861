/** Incident routes: list, one with its timeline, lifecycle actions, notes, postmortem export. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { IncidentService } from '../../incident/service.ts';
import { renderPostmortem } from '../../incident/postmortem.ts';
import type { Clock } from '../../core/clock.ts';
import { NinesError } from '../../core/errors.ts';
import type { AuthVariables } from '../auth.ts';
import { readJson } from '../body.ts';
import { parseLimit, parseRange } from '../params.ts';

const STATES = ['open', 'acknowledged', 'mitigated', 'resolved'] as const;
const actionBody = z.object({ note: z.string().max(10_000).optional() }).strict();
const noteBody = z.object({ text: z.string().min(1).max(10_000), public: z.boolean().optional() }).strict();

/** Routes under /api/v1/incidents. */
export function incidentRoutes(incidents: IncidentService, clock: Clock): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/incidents', async (c) => {
    const { from, to } = parseRange(c.req.query(), clock.now(), 90 * 86_400_000);
    const states = c.req.query('state')?.split(',').filter(Boolean);
    for (const s of states ?? []) {
      if (!(STATES as readonly string[]).includes(s))
        throw new NinesError(
          'VALIDATION',
          `query parameter state: "${s}" is not one of ${STATES.join(', ')}`,
        );
    }
    const limit = parseLimit(c.req.query('limit'), 200, 1000);
    const list = await incidents.list({
      from,
      to,
      limit,
      ...(states ? { states: states as (typeof STATES)[number][] } : {}),
    });
    return c.json({ incidents: list });
  });

  app.get('/incidents/:id', async (c) => c.json(await incidents.get(c.req.param('id'))));

  app.get('/incidents/:id/postmortem', async (c) => {
    const { incident, timeline } = await incidents.get(c.req.param('id'));
    c.header('content-type', 'text/markdown; charset=utf-8');
    c.header('content-disposition', `attachment; filename="postmortem-${incident.id}.md"`);
    return c.body(renderPostmortem(incident, timeline, clock.now()));
  });

  for (const action of ['acknowledge', 'mitigate', 'resolve', 'reopen'] as const) {
    app.post(`/incidents/:id/${action}`, async (c) => {
      const body = await readJson(c, actionBody);
      const incident = await incidents.act(c.req.param('id'), action, c.get('principal').name, body.note);
      return c.json({ incident });
    });
  }

  app.post('/incidents/:id/notes', async (c) => {
    const body = await readJson(c, noteBody);
    const entry = await incidents.addNote(
      c.req.param('id'),
      body.text,
      c.get('principal').name,
      body.public ?? false,
    );
    return c.json({ entry }, 201);
  });

  return app;
}
