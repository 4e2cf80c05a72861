/**
 * A stand-in for the alerting API (`/api/v1/alerts`, `/api/v1/silences`) following the contract
 * in issue 6, used by the end-to-end tests until the real routes are wired into the app.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AuthVariables } from '../../src/api/auth.ts';
import { readJson } from '../../src/api/body.ts';
import { NinesError } from '../../src/core/errors.ts';

const silenceBody = z.object({
  matchers: z.array(z.object({ name: z.string().min(1), value: z.string(), isRegex: z.boolean().optional(), isEqual: z.boolean().optional() }).strict()).min(1),
  startsAt: z.number().optional(),
  endsAt: z.number(),
  comment: z.string().min(1),
});

interface Silence {
  id: string;
  matchers: { name: string; value: string }[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
}

/** Mounts in-memory alerts and silences on the API. */
export function alertingStandIn(alerts: { fingerprint: string; labels: Record<string, string>; annotations: Record<string, string> }[]) {
  const silences: Silence[] = [];
  return (api: Hono<{ Variables: AuthVariables }>) => {
    const app = new Hono<{ Variables: AuthVariables }>();
    const active = (s: Silence) => s.startsAt <= Date.now() && s.endsAt > Date.now();
    app.get('/alerts', (c) =>
      c.json({
        alerts: alerts.map((a) => ({
          ...a,
          state: 'firing',
          startsAt: Date.now() - 300_000,
          receiver: 'oncall',
          groupKey: `{alertname="${a.labels.alertname}"}`,
          silencedBy: silences.filter((s) => active(s) && s.matchers.every((m) => a.labels[m.name] === m.value)).map((s) => s.id),
          inhibitedBy: [],
        })),
      }),
    );
    app.get('/silences', (c) => c.json({ silences }));
    app.post('/silences', async (c) => {
      const b = await readJson(c, silenceBody);
      const s: Silence = { id: randomUUID(), matchers: b.matchers, startsAt: b.startsAt ?? Date.now(), endsAt: b.endsAt, comment: b.comment, createdBy: c.get('principal').name };
      silences.push(s);
      return c.json({ silence: s }, 201);
    });
    app.delete('/silences/:id', (c) => {
      const s = silences.find((x) => x.id === c.req.param('id'));
      if (!s) throw new NinesError('NOT_FOUND', `no silence "${c.req.param('id')}"`);
      s.endsAt = Math.min(s.endsAt, Date.now());
      return c.json({ silence: s });
    });
    api.route('/', app);
  };
}
