/**
 * The `slos:` section: one entry per service level objective. Each entry names its SLI source
 * (`target`, `targets`, `selector` labels, or a gateway `route`), the SLI kind, the objective,
 * the compliance window, the budgeting method and its burn-rate alert tiers. It parses into the
 * shape src/slo/ evaluates (`SloDefinition` in src/slo/types.ts), checked by a type test.
 *
 * ```yaml
 * slos:
 *   - name: chat-availability
 *     target: chat-a
 *     sli: availability            # or { kind: latency, threshold: 2s }
 *     objective: 99.9              # percent, 0 < objective < 100
 *     window: 30d                  # rolling duration, or month / week (calendar, UTC)
 *     budgeting: occurrences       # or { method: timeslices, slice: 5m, sliceGoal: 95 }
 * ```
 */
import { z } from 'zod';
import { parseDuration, formatDuration } from '../core/duration.ts';
import { positiveDurationSchema } from './duration-schema.ts';

const H = 3_600_000;
const M = 60_000;
const DAY = 24 * H;

/**
 * The default alert tiers: the SRE Workbook's multi-window, multi-burn-rate table (ch. 5,
 * table 5-8). Over 30 days their factors are 14.4, 6, 3 and 1.
 */
export const DEFAULT_ALERT_TIERS = [
  { severity: 'page', budgetPercent: 2, longWindowMs: 1 * H, shortWindowMs: 5 * M },
  { severity: 'page', budgetPercent: 5, longWindowMs: 6 * H, shortWindowMs: 30 * M },
  { severity: 'ticket', budgetPercent: 10, longWindowMs: 1 * DAY, shortWindowMs: 2 * H },
  { severity: 'ticket', budgetPercent: 10, longWindowMs: 3 * DAY, shortWindowMs: 6 * H },
] as const satisfies readonly {
  severity: 'page' | 'ticket';
  budgetPercent: number;
  longWindowMs: number;
  shortWindowMs: number;
}[];

/** SLI kinds: available, under a latency or time-to-first-token threshold, or passing assertions. */
export const SLI_KINDS = ['availability', 'latency', 'ttft', 'correctness'] as const;

const sliSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { kind: v } : v),
  z
    .object({
      kind: z.enum(SLI_KINDS),
      /** latency / ttft: events faster than this are good. */
      threshold: positiveDurationSchema.optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
      const needs = s.kind === 'latency' || s.kind === 'ttft';
      if (needs && s.threshold === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['threshold'],
          message: `sli kind ${s.kind} needs a threshold (e.g. 2s)`,
        });
      }
      if (!needs && s.threshold !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['threshold'],
          message: `threshold applies only to latency and ttft, not ${s.kind}`,
        });
      }
    }),
);

const windowSchema = z.string().transform((v, ctx) => {
  if (v === 'month' || v === 'week') return { type: 'calendar' as const, unit: v as 'month' | 'week' };
  try {
    return { type: 'rolling' as const, durationMs: parseDuration(v) };
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `window "${v}": use a rolling duration such as 30d, 28d, 7d, or month / week`,
    });
    return z.NEVER;
  }
});

const budgetingSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { method: v } : v),
  z.discriminatedUnion('method', [
    z.object({ method: z.literal('occurrences') }).strict(),
    z
      .object({
        method: z.literal('timeslices'),
        slice: positiveDurationSchema,
        /** Percent of good events a slice needs to be a good slice. */
        sliceGoal: z
          .number({
            error:
              'timeslices need a sliceGoal: the percent of good events that makes a good slice (e.g. 95)',
          })
          .gt(0, 'sliceGoal is a percentage above 0')
          .max(100, 'sliceGoal is at most 100'),
      })
      .strict(),
    z.object({ method: z.literal('ratioTimeslices'), slice: positiveDurationSchema }).strict(),
  ]),
);

const alertTierSchema = z
  .object({
    severity: z.enum(['page', 'ticket']),
    /** Percent of the period's budget this tier alerts on (2 = page when 2% is spent in `long`). */
    budget: z.number().gt(0, 'budget is a percentage above 0').max(100, 'budget is at most 100'),
    long: positiveDurationSchema,
    short: positiveDurationSchema,
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.short >= t.long) {
      ctx.addIssue({
        code: 'custom',
        path: ['short'],
        message: `short window ${formatDuration(t.short)} must be shorter than long window ${formatDuration(t.long)}`,
      });
    }
  })
  .transform((t) => ({
    severity: t.severity,
    budgetPercent: t.budget,
    longWindowMs: t.long,
    shortWindowMs: t.short,
  }));

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

const sloInputSchema = z
  .object({
    name: z.string().regex(NAME_RE, 'names start with a letter or digit and use letters, digits, _ . : -'),
    description: z.string().optional(),
    target: z.string().min(1).optional(),
    targets: z.array(z.string().min(1)).min(1).optional(),
    selector: z.record(z.string(), z.string()).optional(),
    route: z.string().min(1).optional(),
    sli: sliSchema,
    objective: z.number(),
    window: windowSchema.default({ type: 'rolling', durationMs: 30 * DAY }),
    budgeting: budgetingSchema.default({ method: 'occurrences' }),
    /** Fewer events than this in an alert's long window means insufficient data: no alert. */
    minEvents: z.number().int().min(0).default(10),
    alerts: z
      .array(alertTierSchema)
      .min(1)
      .default(DEFAULT_ALERT_TIERS.map((t) => ({ ...t }))),
    /** Leave events inside maintenance windows out of the SLI. */
    excludeMaintenance: z.boolean().default(false),
  })
  .strict();

type SloInput = z.infer<typeof sloInputSchema>;

function nominalMs(w: SloInput['window']): number {
  if (w.type === 'rolling') return w.durationMs;
  return w.unit === 'month' ? 30 * DAY : 7 * DAY;
}

function checkSlo(s: SloInput, ctx: z.RefinementCtx): void {
  const sources = (['target', 'targets', 'selector', 'route'] as const).filter((k) => s[k] !== undefined);
  if (sources.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: sources.length > 1 ? [sources[1]!] : [],
      message:
        sources.length > 1
          ? `use only one of target, targets, selector, route (found ${sources.join(', ')})`
          : 'needs an SLI source: target, targets, selector or route',
    });
  }
  if (!(s.objective > 0 && s.objective < 100)) {
    ctx.addIssue({
      code: 'custom',
      path: ['objective'],
      message: `objective ${s.objective} must be a percentage above 0 and below 100 (e.g. 99.9)`,
    });
  }
  if (s.route !== undefined && s.sli.kind === 'correctness') {
    ctx.addIssue({
      code: 'custom',
      path: ['sli'],
      message: 'correctness (assertions) applies only to probe targets, not to a route',
    });
  }
  const periodMs = nominalMs(s.window);
  s.alerts.forEach((t, i) => {
    if (t.longWindowMs > periodMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['window'],
        message: `window ${formatDuration(periodMs)} is shorter than alerts[${i}] long window ${formatDuration(t.longWindowMs)}`,
      });
    }
  });
  if (s.budgeting.method !== 'occurrences' && s.budgeting.slice > periodMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['budgeting', 'slice'],
      message: `slice ${formatDuration(s.budgeting.slice)} is longer than the window ${formatDuration(periodMs)}`,
    });
  }
}

function toDefinition(s: SloInput) {
  const thresholdMs = s.sli.threshold;
  const source =
    s.route !== undefined
      ? { source: 'gateway' as const, route: s.route }
      : {
          source: 'probe' as const,
          ...(s.target !== undefined ? { targets: [s.target] } : {}),
          ...(s.targets !== undefined ? { targets: s.targets } : {}),
          ...(s.selector !== undefined ? { labels: s.selector } : {}),
        };
  const b = s.budgeting;
  return {
    name: s.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    selector: {
      ...source,
      kind: s.sli.kind,
      ...(thresholdMs !== undefined ? { thresholdMs } : {}),
      excludeMaintenance: s.excludeMaintenance,
    },
    objective: s.objective,
    window: s.window,
    budgeting:
      b.method === 'occurrences'
        ? { method: 'occurrences' as const }
        : b.method === 'timeslices'
          ? { method: 'timeslices' as const, sliceMs: b.slice, sliceGoal: b.sliceGoal / 100 }
          : { method: 'ratioTimeslices' as const, sliceMs: b.slice },
    minEvents: s.minEvents,
    alerts: s.alerts,
  };
}

/** One entry of `slos:`, validated and turned into the evaluator's `SloDefinition` shape. */
export const sloSchema = sloInputSchema.superRefine(checkSlo).transform(toDefinition);

/** One SLO as written in config (before parsing). */
export type SloConfigInput = z.input<typeof sloSchema>;

/** One parsed SLO (structurally a `SloDefinition` of src/slo/types.ts). */
export type SloConfig = z.output<typeof sloSchema>;
