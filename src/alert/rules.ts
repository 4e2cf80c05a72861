/**
 * Rule evaluation: each rule turns its input signal into candidate alert instances, and every
 * instance moves through the one lifecycle transition (lifecycle.ts). Pure: signals, `now` and
 * the previous state in; alerts and the next state (plain JSON, persistable) out.
 */
import type { AlertRule, Comparison } from '../config/alerting.ts';
import { fingerprint } from './fingerprint.ts';
import { INACTIVE, isActive, transition, type Lifecycle } from './lifecycle.ts';
import type { RuleInputs } from './signals.ts';
import type { Alert, Labels } from './types.ts';

/** One tracked alert instance between evaluations. */
export interface RuleInstance {
  rule: string;
  labels: Labels;
  annotations: Labels;
  value?: number;
  lifecycle: Lifecycle;
}

/** The evaluator's memory: instances by fingerprint. Start with `{ instances: {} }`. */
export interface RuleEvalState {
  instances: Record<string, RuleInstance>;
}

/** The result of one evaluation. */
export interface RuleEvalResult {
  /** Pending and firing alerts, plus alerts that resolved in this evaluation (emitted once, with endsAt). */
  alerts: Alert[];
  state: RuleEvalState;
}

/** A candidate instance: `enter` says whether an inactive instance activates, `stay` whether an active one stays. */
interface Candidate {
  labels: Labels;
  value?: number;
  enter: boolean;
  stay: boolean;
}

type Selector = { names?: string[]; labels?: Record<string, string> };

function selects(sel: Selector, target: string | undefined, labels: Labels = {}): boolean {
  if (sel.names && (target === undefined || !sel.names.includes(target))) return false;
  return Object.entries(sel.labels ?? {}).every(([k, v]) => labels[k] === v);
}

function compare(value: number, op: Comparison, level: number): boolean {
  switch (op) {
    case '>':
      return value > level;
    case '>=':
      return value >= level;
    case '<':
      return value < level;
    case '<=':
      return value <= level;
  }
}

function labelsFor(
  rule: AlertRule,
  signal: Labels | undefined,
  extra: Labels,
  severity = rule.severity,
): Labels {
  return { ...signal, ...extra, ...rule.labels, alertname: rule.name, severity };
}

function withTarget(target: string | undefined): Labels {
  return target === undefined ? {} : { target };
}

/** The candidate instances a rule produces from the inputs. */
function candidates(rule: AlertRule, inputs: RuleInputs): Candidate[] {
  const same = (labels: Labels, active: boolean, value?: number): Candidate => ({
    labels,
    value,
    enter: active,
    stay: active,
  });
  switch (rule.kind) {
    case 'target_state':
      return (inputs.targets ?? [])
        .filter((s) => selects(rule.targets, s.target, s.labels))
        .map((s) =>
          same(labelsFor(rule, s.labels, { target: s.target }), (rule.state as string[]).includes(s.state)),
        );
    case 'threshold': {
      const resolve = rule.resolve ?? rule.trigger;
      return (inputs.metrics ?? [])
        .filter((s) => s.metric === rule.metric && selects(rule.targets, s.target, s.labels))
        .map((s) => ({
          labels: labelsFor(rule, s.labels, { target: s.target, metric: s.metric }),
          value: s.value,
          enter: compare(s.value, rule.op, rule.trigger),
          stay: compare(s.value, rule.op, resolve),
        }));
    }
    case 'slo_burn':
      return (inputs.slos ?? [])
        .filter((s) => s.slo === rule.slo)
        .flatMap((s) =>
          s.tiers
            .filter((t) => !rule.tiers || rule.tiers.includes(t.name))
            .map((t) =>
              same(
                labelsFor(
                  rule,
                  s.labels,
                  { ...withTarget(s.target), slo: s.slo, tier: t.name },
                  t.severity ?? rule.severity,
                ),
                t.firing,
                t.burnRate,
              ),
            ),
        );
    case 'anomaly':
      return (inputs.anomalies ?? [])
        .filter(
          (s) =>
            (rule.metric === undefined || s.metric === rule.metric) &&
            selects(rule.targets, s.target, s.labels),
        )
        .map((s) =>
          same(
            labelsFor(rule, s.labels, { ...withTarget(s.target), metric: s.metric }),
            s.score >= rule.score,
            s.score,
          ),
        );
    case 'forecast':
      return (inputs.forecasts ?? [])
        .filter((s) => s.metric === rule.metric && selects(rule.targets, s.target, s.labels))
        .map((s) => {
          const t = s.timeToThresholdMs;
          return same(
            labelsFor(rule, s.labels, { ...withTarget(s.target), metric: s.metric }),
            t !== null && t <= rule.within,
            t ?? undefined,
          );
        });
  }
}

/** Expands `{{ $labels.name }}` and `{{ $value }}` in annotation templates. */
export function expandTemplate(text: string, labels: Labels, value: number | undefined): string {
  return text.replace(
    /\{\{\s*\$(labels\.([a-zA-Z_][a-zA-Z0-9_]*)|value)\s*\}\}/g,
    (_m, _all: string, name?: string) =>
      name !== undefined ? (labels[name] ?? '') : value === undefined ? '' : String(Number(value.toFixed(4))),
  );
}

function toAlert(fp: string, inst: RuleInstance): Alert | undefined {
  const l = inst.lifecycle;
  if (l.state === 'inactive') return undefined;
  const base: Omit<Alert, 'state'> = {
    labels: inst.labels,
    annotations: inst.annotations,
    fingerprint: fp,
    startsAt: l.activeAt,
  };
  if (inst.value !== undefined) base.value = inst.value;
  return l.state === 'resolved'
    ? { ...base, state: 'resolved', endsAt: l.resolvedAt }
    : { ...base, state: l.state };
}

/**
 * Evaluates every rule at `now`. Instances missing from the inputs count as inactive; instances
 * of rules no longer configured resolve. Threshold rules use hysteresis: an inactive instance
 * activates when the trigger level is crossed and an active one stays until the resolve level is.
 */
export function evaluateRules(
  rules: readonly AlertRule[],
  inputs: RuleInputs,
  now: number,
  prev: RuleEvalState,
): RuleEvalResult {
  const next: Record<string, RuleInstance> = {};
  const seen = new Set<string>();
  const byName = new Map(rules.map((r) => [r.name, r]));
  for (const rule of rules) {
    const timing = { forMs: rule.for, keepFiringForMs: rule.keep_firing_for };
    for (const c of candidates(rule, inputs)) {
      const fp = fingerprint(c.labels);
      if (seen.has(fp)) continue;
      seen.add(fp);
      const old = prev.instances[fp];
      const lifecycle = transition(
        old?.lifecycle ?? INACTIVE,
        old && isActive(old.lifecycle) ? c.stay : c.enter,
        now,
        timing,
      );
      const annotations = Object.fromEntries(
        Object.entries(rule.annotations).map(([k, v]) => [k, expandTemplate(v, c.labels, c.value)]),
      );
      next[fp] = {
        rule: rule.name,
        labels: c.labels,
        annotations,
        lifecycle,
        ...(c.value === undefined ? {} : { value: c.value }),
      };
    }
  }
  for (const [fp, old] of Object.entries(prev.instances)) {
    if (seen.has(fp)) continue;
    const rule = byName.get(old.rule);
    const timing = rule
      ? { forMs: rule.for, keepFiringForMs: rule.keep_firing_for }
      : { forMs: 0, keepFiringForMs: 0 };
    next[fp] = { ...old, lifecycle: transition(old.lifecycle, false, now, timing) };
  }
  const alerts: Alert[] = [];
  const instances: Record<string, RuleInstance> = {};
  for (const [fp, inst] of Object.entries(next)) {
    const alert = toAlert(fp, inst);
    if (!alert) continue;
    alerts.push(alert);
    instances[fp] = inst;
  }
  return { alerts, state: { instances } };
}
