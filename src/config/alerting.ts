/**
 * The `alerting:` section: rules (signals → alerts), the Alertmanager-style routing tree,
 * receivers, inhibition, time intervals, maintenance windows and escalation. Field names follow
 * Alertmanager (snake_case) so its documentation applies. Cross-field checks (unknown receivers,
 * unreachable routes, cyclic escalation, unknown time intervals) run in `superRefine` with the
 * path of the offending field, so load.ts can point at the line.
 */
import { z } from 'zod';
import { durationSchema, positiveDurationSchema } from './duration-schema.ts';

/** Matcher operators, as in Alertmanager: equal, not equal, regex match, regex non-match. */
export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
/** One of `MATCH_OPS`. */
export type MatchOp = (typeof MATCH_OPS)[number];
/** A label matcher such as `severity=~"page|ticket"`; regexes are anchored at both ends. */
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parses `name="value"` / `name=~"re"` (quotes optional); throws an Error saying what is wrong. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new Error(`invalid matcher "${text}" (use e.g. severity="page" or model=~"gpt-.*")`);
  const op = m[2] as MatchOp;
  let value = m[3]!;
  if (value.startsWith('"')) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      throw new Error(`invalid matcher "${text}": unterminated or malformed quoted value`);
    }
  }
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(`^(?:${value})$`);
    } catch (err) {
      throw new Error(`invalid regex in matcher "${text}": ${(err as Error).message}`);
    }
  }
  return { name: m[1]!, op, value };
}

/** A matcher written as a string in config, parsed into a `Matcher`. */
export const matcherSchema = z.string().transform((text, ctx): Matcher => {
  try {
    return parseMatcher(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const matchersSchema = z.array(matcherSchema).default([]);
const labelsSchema = z.record(z.string(), z.string()).default({});

/** Checks an IANA time zone name with the runtime's own Intl data. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timeZoneSchema = z.string().refine(isValidTimeZone, { message: 'unknown IANA time zone' });
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Weekday name (`sat`, `saturday`) → 0 (Sunday) … 6; -1 when unknown. */
export function weekdayIndex(name: string): number {
  const n = name.trim().toLowerCase();
  return n.length >= 3 ? WEEKDAYS.findIndex((d) => d.startsWith(n)) : -1;
}

/** `monday:friday`, `sat` → the weekday numbers they cover. */
const weekdaysSchema = z.array(z.string()).transform((items, ctx) => {
  const out = new Set<number>();
  for (const item of items) {
    const [a = '', b = a] = item.split(':');
    const from = weekdayIndex(a);
    const to = weekdayIndex(b);
    if (from < 0 || to < 0) {
      ctx.addIssue({
        code: 'custom',
        message: `invalid weekday "${item}" (use e.g. monday, sat, monday:friday)`,
      });
      return z.NEVER;
    }
    for (let d = from; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === to) break;
    }
  }
  return [...out].sort((x, y) => x - y);
});

const clockRe = /^([01]\d|2[0-4]):([0-5]\d)$/;
/** `HH:MM` → minutes after local midnight (24:00 allowed as an end). */
const clockSchema = z.string().transform((s, ctx) => {
  const m = clockRe.exec(s);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || minutes > 1440) {
    ctx.addIssue({ code: 'custom', message: `invalid time "${s}" (use HH:MM, 00:00–24:00)` });
    return z.NEVER;
  }
  return minutes;
});

const rangeSchema = z.union([z.number().int(), z.string().regex(/^-?\d+(:-?\d+)?$/)]).transform((v) => {
  const [a, b = a] = String(v).split(':');
  return [Number(a), Number(b)] as [number, number];
});

/** One clause of a time interval; every field given must match (Alertmanager `time_intervals`). */
const timeRangeSchema = z
  .object({
    times: z
      .array(z.object({ start_time: clockSchema, end_time: clockSchema }).strict())
      .optional()
      .superRefine((ts, ctx) =>
        ts?.forEach((t, i) => {
          if (t.end_time <= t.start_time)
            ctx.addIssue({ code: 'custom', path: [i], message: 'end_time must be after start_time' });
        }),
      ),
    weekdays: weekdaysSchema.optional(),
    days_of_month: z.array(rangeSchema).optional(),
    months: z.array(rangeSchema).optional(),
    years: z.array(rangeSchema).optional(),
    location: timeZoneSchema.default('UTC'),
  })
  .strict();

/** A named set of recurring times, used by routes' `active_time_intervals` / `mute_time_intervals`. */
export const timeIntervalSchema = z
  .object({ name: z.string().min(1), time_intervals: z.array(timeRangeSchema).min(1) })
  .strict();

const targetSelectorSchema = z
  .object({ names: z.array(z.string()).optional(), labels: z.record(z.string(), z.string()).optional() })
  .strict()
  .default({});

const ruleBase = {
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_:-]*$/, 'rule names are label values: letters, digits, _ : -'),
  severity: z.string().min(1).default('warning'),
  for: durationSchema.default(0),
  keep_firing_for: durationSchema.default(0),
  labels: labelsSchema,
  annotations: labelsSchema,
};

const PROBE_STATES = ['down', 'degraded'] as const;
const COMPARISONS = ['>', '>=', '<', '<='] as const;
/** A comparison operator of a threshold rule. */
export type Comparison = (typeof COMPARISONS)[number];

/** One alert rule; `kind` says which input signal it reads. */
export const alertRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      ...ruleBase,
      kind: z.literal('target_state'),
      targets: targetSelectorSchema,
      state: z
        .union([z.enum(PROBE_STATES), z.array(z.enum(PROBE_STATES)).min(1)])
        .transform((s) => (Array.isArray(s) ? s : [s])),
    })
    .strict(),
  z
    .object({
      ...ruleBase,
      kind: z.literal('threshold'),
      targets: targetSelectorSchema,
      metric: z.string().min(1),
      op: z.enum(COMPARISONS).default('>'),
      trigger: z.number(),
      /** Level at which a pending/firing alert stops being active (hysteresis); defaults to `trigger`. */
      resolve: z.number().optional(),
    })
    .strict()
    .superRefine((r, ctx) => {
      if (r.resolve === undefined) return;
      const above = r.op === '>' || r.op === '>=';
      if (above ? r.resolve > r.trigger : r.resolve < r.trigger) {
        ctx.addIssue({
          code: 'custom',
          path: ['resolve'],
          message: `resolve level ${r.resolve} must be ${above ? 'at or below' : 'at or above'} trigger ${r.trigger} for op ${r.op}`,
        });
      }
    }),
  z
    .object({
      ...ruleBase,
      kind: z.literal('slo_burn'),
      slo: z.string().min(1),
      tiers: z.array(z.string()).optional(),
    })
    .strict(),
  z
    .object({
      ...ruleBase,
      kind: z.literal('anomaly'),
      targets: targetSelectorSchema,
      metric: z.string().optional(),
      score: z.number().min(0).max(1),
    })
    .strict(),
  z
    .object({
      ...ruleBase,
      kind: z.literal('forecast'),
      targets: targetSelectorSchema,
      metric: z.string().min(1),
      within: positiveDurationSchema,
    })
    .strict(),
]);

/** A route of the routing tree (Alertmanager `route`); unset fields inherit from the parent. */
export interface RouteConfig {
  receiver?: string;
  group_by?: string[];
  group_wait?: number;
  group_interval?: number;
  repeat_interval?: number;
  matchers: Matcher[];
  continue: boolean;
  active_time_intervals: string[];
  mute_time_intervals: string[];
  routes: RouteConfig[];
}

/** One node of the routing tree. */
export const routeSchema: z.ZodType<RouteConfig, unknown> = z.lazy(() =>
  z
    .object({
      receiver: z.string().optional(),
      group_by: z.array(z.string()).optional(),
      group_wait: durationSchema.optional(),
      group_interval: positiveDurationSchema.optional(),
      repeat_interval: positiveDurationSchema.optional(),
      matchers: matchersSchema,
      continue: z.boolean().default(false),
      active_time_intervals: z.array(z.string()).default([]),
      mute_time_intervals: z.array(z.string()).default([]),
      routes: z.array(routeSchema).default([]),
    })
    .strict(),
);

const channelList = z.array(z.record(z.string(), z.unknown())).optional();
/** A receiver: a name plus channel configs, whose fields src/notify validates. */
export const receiverSchema = z
  .object({
    name: z.string().min(1),
    send_resolved: z.boolean().default(true),
    /** At most `max` notifications per `per`; the excess is held and sent as a summary. */
    rate_limit: z
      .object({ max: z.number().int().min(1), per: positiveDurationSchema })
      .strict()
      .optional(),
    webhook_configs: channelList,
    slack_configs: channelList,
    pagerduty_configs: channelList,
    email_configs: channelList,
    alertmanager_configs: channelList,
  })
  .strict();

/** Alertmanager `inhibit_rules`: a firing source alert mutes target alerts with the same `equal` labels. */
export const inhibitRuleSchema = z
  .object({
    source_matchers: z.array(matcherSchema).min(1),
    target_matchers: z.array(matcherSchema).min(1),
    equal: z.array(z.string()).default([]),
  })
  .strict();

/** A maintenance window: one-off (`start`/`end`) or weekly (`schedule`), muting matching alerts. */
export const maintenanceSchema = z
  .object({
    name: z.string().min(1),
    matchers: matchersSchema,
    start: z.iso.datetime({ offset: true }).optional(),
    end: z.iso.datetime({ offset: true }).optional(),
    schedule: z
      .object({
        weekdays: weekdaysSchema,
        start: clockSchema,
        duration: positiveDurationSchema,
        time_zone: timeZoneSchema.default('UTC'),
      })
      .strict()
      .optional(),
    /** When true, time inside the window does not count against SLO error budgets. */
    exclude_from_slo: z.boolean().default(false),
  })
  .strict()
  .superRefine((w, ctx) => {
    const oneOff = w.start !== undefined || w.end !== undefined;
    if (oneOff === (w.schedule !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'give either start and end (one-off) or schedule (recurring)',
      });
    } else if (oneOff && (w.start === undefined || w.end === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [w.start === undefined ? 'start' : 'end'],
        message: 'a one-off window needs both start and end',
      });
    } else if (oneOff && Date.parse(w.end!) <= Date.parse(w.start!)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
    }
  });

/** Escalation: a page to `receiver` not acknowledged within `after` is re-sent to `escalate_to`. */
export const escalationPolicySchema = z
  .object({ receiver: z.string().min(1), after: positiveDurationSchema, escalate_to: z.string().min(1) })
  .strict();

/** The `alerting:` section. */
export const alertingSchema = z
  .object({
    rules: z.array(alertRuleSchema).default([]),
    route: routeSchema.optional(),
    receivers: z.array(receiverSchema).default([]),
    inhibit_rules: z.array(inhibitRuleSchema).default([]),
    time_intervals: z.array(timeIntervalSchema).default([]),
    maintenance: z.array(maintenanceSchema).default([]),
    escalation: z
      .object({ policies: z.array(escalationPolicySchema).default([]) })
      .strict()
      .default({ policies: [] }),
    /** A firing alert not refreshed for this long is considered resolved (Alertmanager resolve_timeout). */
    resolve_timeout: positiveDurationSchema.default(300_000),
  })
  .strict()
  .superRefine((a, ctx) =>
    checkAlerting(a, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );

/** The parsed `alerting:` section (durations in milliseconds, matchers parsed). */
export type AlertingConfig = z.output<typeof alertingSchema>;
/** One parsed alert rule. */
export type AlertRule = z.output<typeof alertRuleSchema>;
/** One parsed receiver. */
export type ReceiverConfig = z.output<typeof receiverSchema>;
/** One parsed inhibition rule. */
export type InhibitRuleConfig = z.output<typeof inhibitRuleSchema>;
/** One parsed named time interval. */
export type TimeIntervalConfig = z.output<typeof timeIntervalSchema>;
/** One parsed maintenance window. */
export type MaintenanceConfig = z.output<typeof maintenanceSchema>;

type Report = (path: (string | number)[], message: string) => void;

/** A route matches every alert when it has no matchers. */
function isCatchAll(r: RouteConfig): boolean {
  return r.matchers.length === 0;
}

/**
 * Route checks. Unreachable rule: among siblings, a route without matchers and without
 * `continue: true` takes every alert that reaches it, so any sibling after it can never match.
 */
function checkRoutes(
  route: RouteConfig,
  path: (string | number)[],
  known: Set<string>,
  intervals: Set<string>,
  report: Report,
): void {
  const knownList = [...known].join(', ') || 'none defined';
  if (route.receiver !== undefined && !known.has(route.receiver)) {
    report([...path, 'receiver'], `unknown receiver "${route.receiver}" (known: ${knownList})`);
  }
  for (const key of ['active_time_intervals', 'mute_time_intervals'] as const) {
    route[key].forEach((name, i) => {
      if (!intervals.has(name))
        report(
          [...path, key, i],
          `unknown time interval "${name}" (known: ${[...intervals].join(', ') || 'none defined'})`,
        );
    });
  }
  let catchAll = -1;
  route.routes.forEach((child, i) => {
    if (catchAll >= 0) {
      report(
        [...path, 'routes', i],
        `route is unreachable: routes[${catchAll}] before it matches every alert and has no continue: true`,
      );
    } else if (isCatchAll(child) && !child.continue) catchAll = i;
    checkRoutes(child, [...path, 'routes', i], known, intervals, report);
  });
}

/** Cross-field checks of the alerting section. */
function checkAlerting(a: AlertingConfig, report: Report): void {
  const known = new Set<string>();
  a.receivers.forEach((r, i) => {
    if (known.has(r.name)) report(['receivers', i, 'name'], `duplicate receiver "${r.name}"`);
    known.add(r.name);
  });
  const intervals = new Set<string>();
  a.time_intervals.forEach((t, i) => {
    if (intervals.has(t.name)) report(['time_intervals', i, 'name'], `duplicate time interval "${t.name}"`);
    intervals.add(t.name);
  });
  const knownList = [...known].join(', ') || 'none defined';
  if (a.route) {
    if (a.route.receiver === undefined) report(['route'], 'the root route needs a receiver');
    if (a.route.matchers.length > 0)
      report(['route', 'matchers'], 'the root route must match every alert (no matchers)');
    checkRoutes(a.route, ['route'], known, intervals, report);
  } else if (a.receivers.length > 0 || a.rules.length > 0) {
    report([], 'a route is required when receivers or rules are defined');
  }
  const next = new Map<string, string>();
  a.escalation.policies.forEach((p, i) => {
    for (const key of ['receiver', 'escalate_to'] as const) {
      if (!known.has(p[key]))
        report(['escalation', 'policies', i, key], `unknown receiver "${p[key]}" (known: ${knownList})`);
    }
    if (next.has(p.receiver))
      report(
        ['escalation', 'policies', i, 'receiver'],
        `receiver "${p.receiver}" already has an escalation policy`,
      );
    next.set(p.receiver, p.escalate_to);
  });
  const inReportedCycle = new Set<string>();
  a.escalation.policies.forEach((p, i) => {
    const chain = [p.receiver];
    for (let r = next.get(p.receiver); r !== undefined && !inReportedCycle.has(p.receiver); r = next.get(r)) {
      chain.push(r);
      if (r === p.receiver) {
        chain.forEach((x) => inReportedCycle.add(x));
        report(['escalation', 'policies', i], `cyclic escalation: ${chain.join(' → ')}`);
        break;
      }
      if (chain.length > next.size + 1) break;
    }
  });
}
