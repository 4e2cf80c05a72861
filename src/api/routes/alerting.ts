/**
 * Alerting routes: firing alerts (with why each is muted), silences (list, create, expire) and
 * SLOs (budget, burn rates, firing tiers, burn-down over the period).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { parseDuration } from '../../core/duration.ts';
import { NinesError } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import { formatDuration } from '../../core/duration.ts';
import { parseMatcher } from '../../config/alerting.ts';
import type { Alert, Silence } from '../../alert/types.ts';
import type { SilenceInput } from '../../alert/pipeline.ts';
import type { SloEvaluation } from '../../slo/evaluate.ts';
import { budgetFigures } from '../../slo/budget.ts';
import type { SliSelector, SloDefinition } from '../../slo/types.ts';
import type { AuthVariables } from '../auth.ts';
import { readJson } from '../body.ts';

/** What the alerting routes need (implemented by the alerting runtime). */
export interface AlertingApi {
  alerts(): (Alert & { mutedBy?: { by: string; id: string } })[];
  silences(): Silence[];
  addSilence(input: SilenceInput): Silence;
  expireSilence(id: string): Silence;
  sloEvaluations(): SloEvaluation[];
  sliCounts(selector: SliSelector, from: number, to: number): { good: number; total: number };
}

const matcherInput = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      value: z.string(),
      isRegex: z.boolean().default(false),
      isEqual: z.boolean().default(true),
    })
    .strict(),
]);

const silenceBody = z
  .object({
    matchers: z.array(matcherInput).min(1, 'a silence needs at least one matcher'),
    startsAt: z.union([z.string(), z.number()]).optional(),
    endsAt: z.union([z.string(), z.number()]),
    comment: z.string().min(1, 'say why (comment)').max(2000),
  })
  .strict();

function instant(name: string, v: string | number | undefined, now: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (/^\+?\d+(\.\d+)?(ms|s|m|h|d|w)/.test(v)) return now + parseDuration(v.replace(/^\+/, ''));
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new NinesError(
      'VALIDATION',
      `${name}: "${v}" is not a time (ISO 8601, epoch ms, or a duration from now like 2h)`,
    );
  return t;
}

/** `30d` rather than `4w2d`: SLO windows read in days. */
function windowLabel(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : formatDuration(ms);
}

function sloView(slo: SloDefinition | undefined, e: SloEvaluation) {
  return {
    name: e.slo,
    /** The objective as a fraction (0.999); `objectivePercent` is the configured 99.9. */
    objective: slo ? slo.objective / 100 : null,
    objectivePercent: slo?.objective ?? null,
    sli: slo?.selector.kind ?? null,
    source: slo?.selector.source ?? null,
    targets: slo?.selector.source === 'probe' ? (slo.selector.targets ?? []) : [],
    route: slo?.selector.source === 'gateway' ? slo.selector.route : null,
    window: slo
      ? slo.window.type === 'rolling'
        ? windowLabel(slo.window.durationMs)
        : `calendar ${slo.window.unit}`
      : null,
    period: e.period,
    good: e.events.good,
    total: e.events.total,
    sliValue: e.budget.sli,
    budgetRemaining: e.budget.remaining,
    budgetConsumed: e.budget.consumed,
    currentBurn: e.currentBurn,
    burnRates: Object.fromEntries(e.burn.map((b) => [formatDuration(b.windowMs), b.burnRate])),
    tiers: e.tiers.map((t) => ({
      name: `${formatDuration(t.tier.longWindowMs)}/${formatDuration(t.tier.shortWindowMs)}`,
      severity: t.tier.severity,
      budgetPercent: t.tier.budgetPercent,
      factor: t.factor,
      longBurn: t.longBurn,
      shortBurn: t.shortBurn,
      state: t.state,
    })),
    firingTiers: e.firing.map((t) => `${formatDuration(t.longWindowMs)}/${formatDuration(t.shortWindowMs)}`),
    timeToExhaustionMs: e.timeToExhaustionMs,
    evaluatedAt: e.at,
  };
}

/** Routes under /api/v1/alerts, /silences and /slos. */
export function alertingRoutes(
  a: AlertingApi,
  slos: () => readonly SloDefinition[],
  clock: Clock,
): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const def = (name: string) => slos().find((s) => s.name === name);

  app.get('/alerts', (c) => c.json({ alerts: a.alerts() }));
  app.get('/silences', (c) => c.json({ silences: a.silences() }));
  app.post('/silences', async (c) => {
    const body = await readJson(c, silenceBody);
    const now = clock.now();
    const matchers = body.matchers.map((m, i) => {
      if (typeof m !== 'string')
        return {
          name: m.name,
          op: (m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=') as '=' | '!=' | '=~' | '!~',
          value: m.value,
        };
      try {
        return parseMatcher(m);
      } catch (err) {
        throw new NinesError('VALIDATION', `matchers[${i}]: ${(err as Error).message}`);
      }
    });
    const startsAt = instant('startsAt', body.startsAt, now) ?? now;
    const endsAt = instant('endsAt', body.endsAt, now)!;
    const silence = a.addSilence({
      matchers,
      startsAt,
      endsAt,
      comment: body.comment,
      createdBy: c.get('principal').name,
    });
    return c.json({ silence }, 201);
  });
  app.delete('/silences/:id', (c) => c.json({ silence: a.expireSilence(c.req.param('id')) }));

  app.get('/slos', (c) => c.json({ slos: a.sloEvaluations().map((e) => sloView(def(e.slo), e)) }));
  app.get('/slos/:name', (c) => {
    const name = c.req.param('name');
    const e = a.sloEvaluations().find((x) => x.slo === name);
    const slo = def(name);
    if (!e || !slo) throw new NinesError('NOT_FOUND', `no SLO named "${name}"`);
    const points = 60;
    const step = Math.max(60_000, Math.floor((e.at - e.period.from) / points));
    const burnDown: { at: number; budgetRemaining: number }[] = [];
    for (let t = e.period.from + step; t <= e.at; t += step) {
      burnDown.push({
        at: t,
        budgetRemaining: budgetFigures(a.sliCounts(slo.selector, e.period.from, t), slo.objective).remaining,
      });
    }
    return c.json({ slo: { ...sloView(slo, e), burnDown } });
  });
  return app;
}
