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
  matchers: z
    .array(
      z
        .object({
          name: z.string().min(1),
          value: z.string(),
          isRegex: z.boolean().optional(),
          isEqual: z.boolean().optional(),
        })
        .strict(),
    )
    .min(1),
  startsAt: z.number().optional(),
  endsAt: z.number(),
  comment: z.string().min(1),
});

interface Silence {
  id: string;
  matchers: { name: string; op: string; value: string }[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
}

/** Mounts in-memory alerts and silences on the API. */
export function alertingStandIn(
  alerts: { fingerprint: string; labels: Record<string, string>; annotations: Record<string, string> }[],
) {
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
          ...(() => {
            const s = silences.find(
              (x) => active(x) && x.matchers.every((m) => a.labels[m.name] === m.value),
            );
            return s ? { mutedBy: { by: 'silence', id: s.id } } : {};
          })(),
        })),
      }),
    );
    app.get('/silences', (c) => c.json({ silences }));
    app.post('/silences', async (c) => {
      const b = await readJson(c, silenceBody);
      const s: Silence = {
        id: randomUUID(),
        matchers: b.matchers.map((m) => ({
          name: m.name,
          op: m.isRegex ? '=~' : m.isEqual === false ? '!=' : '=',
          value: m.value,
        })),
        startsAt: b.startsAt ?? Date.now(),
        endsAt: b.endsAt,
        comment: b.comment,
        createdBy: c.get('principal').name,
      };
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

/** Stand-ins for `GET /api/v1/slos[/:name]` and `GET /api/v1/gateway` in the contract's shapes. */
export function sloAndGatewayStandIn(api: Hono<{ Variables: AuthVariables }>): void {
  const now = Date.now();
  const slo = {
    name: 'chat-availability',
    objective: 0.999,
    window: '30d',
    target: 'chat-flaky',
    sli: { kind: 'availability', target: 'chat-flaky' },
    budgetRemaining: 0.18,
    budgetConsumed: 0.82,
    burnRates: { '5m': 14.2, '1h': 6.1, '6h': 2.3, '3d': 0.9 },
    firingTiers: ['1h/5m'],
    tiers: [
      {
        name: '1h/5m',
        severity: 'page',
        budgetPercent: 2,
        factor: 14.4,
        longBurn: 6.1,
        shortBurn: 14.2,
        state: 'firing',
      },
      {
        name: '3d/6h',
        severity: 'ticket',
        budgetPercent: 10,
        factor: 1,
        longBurn: 0.9,
        shortBurn: 2.3,
        state: 'inactive',
      },
    ],
    timeToExhaustionMs: 5 * 3_600_000,
    good: 99_120,
    total: 99_300,
  };
  const latency = {
    ...slo,
    name: 'chat-latency <p95>',
    objective: 0.99,
    target: 'chat-east',
    budgetRemaining: 0.93,
    budgetConsumed: 0.07,
    burnRates: { '5m': 0.2, '1h': 0.4 },
    firingTiers: [] as string[],
    timeToExhaustionMs: null,
  };
  const burnDown = Array.from({ length: 30 }, (_, i) => ({
    at: now - (29 - i) * 86_400_000,
    budgetRemaining: 1 - (0.82 * i) / 29,
  }));
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/slos', (c) => c.json({ slos: [slo, latency] }));
  app.get('/slos/:name', (c) => {
    const found = [slo, latency].find((s) => s.name === c.req.param('name'));
    if (!found) throw new NinesError('NOT_FOUND', `no SLO named "${c.req.param('name')}"`);
    return c.json({ slo: { ...found, burnDown } });
  });
  app.get('/gateway', (c) =>
    c.json({
      enabled: true,
      routes: [
        {
          name: 'chat',
          strategy: 'priority-failover',
          deployments: [
            { name: 'east', provider: 'openai', breaker: { state: 'closed', opens: 0 }, health: 'up' },
            { name: 'west', provider: 'openai', breaker: { state: 'open', opens: 3 }, health: 'down' },
          ],
        },
      ],
      traffic: [
        {
          route: 'chat',
          deployment: 'east',
          total: 12_040,
          errors: 31,
          latencyP50Ms: 180,
          latencyP95Ms: 620,
          ttftP95Ms: 140,
          failovers: 212,
          cached: 1_900,
        },
        {
          route: 'chat',
          deployment: 'west',
          total: 2_310,
          errors: 540,
          latencyP50Ms: 210,
          latencyP95Ms: 2_400,
          ttftP95Ms: 900,
          failovers: 0,
          cached: 120,
        },
      ],
    }),
  );
  api.route('/', app);
}
