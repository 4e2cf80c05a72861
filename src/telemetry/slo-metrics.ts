/**
 * SLO and alert gauges: what the nines evaluator computed (budget left, burn per alert window)
 * and how many alerts are in each state, so dashboards built on Prometheus see the same figures
 * as the nines UI. One series per SLO (× alert windows) and per (state, severity) pair.
 */
import { Gauge, type Registry } from 'prom-client';
import type { SloEvaluation } from '../slo/evaluate.ts';
import { promDuration } from './prometheus-rules.ts';

/** The part of an SLO evaluation the gauges show. */
export type SloFigures = Pick<SloEvaluation, 'budget' | 'burn'>;

/** How many alerts are in one state with one severity (e.g. firing/page: 2). */
export interface AlertCount {
  /** Alert state: inactive, pending, firing or resolved. */
  state: string;
  severity: string;
  count: number;
}

/** Recording SLO evaluations and alert counts. */
export interface SloMetrics {
  observeSlo(name: string, evaluation: SloFigures): void;
  forgetSlo(name: string): void;
  observeAlerts(counts: readonly AlertCount[]): void;
}

/** Registers the SLO and alert gauges on `registry`. */
export function createSloMetrics(registry: Registry): SloMetrics {
  const registers = [registry];
  const remaining = new Gauge({
    name: 'nines_slo_budget_remaining_ratio',
    help: 'Error budget left in the current SLO period: 1 untouched, 0 spent, negative when overspent.',
    labelNames: ['slo'],
    registers,
  });
  const sli = new Gauge({
    name: 'nines_slo_sli_ratio',
    help: 'Good events / all events in the current SLO period (absent without events).',
    labelNames: ['slo'],
    registers,
  });
  const burn = new Gauge({
    name: 'nines_slo_burn_rate',
    help: 'Burn rate over each alert window of the SLO (1 spends the budget exactly over the period).',
    labelNames: ['slo', 'window'],
    registers,
  });
  const alerts = new Gauge({
    name: 'nines_alerts',
    help: 'Alerts known to nines by state and severity.',
    labelNames: ['state', 'severity'],
    registers,
  });

  const windows = new Map<string, Set<string>>();
  const alertKeys = new Map<string, { state: string; severity: string }>();

  const forgetSlo = (name: string) => {
    remaining.remove({ slo: name });
    sli.remove({ slo: name });
    for (const window of windows.get(name) ?? []) burn.remove({ slo: name, window });
    windows.delete(name);
  };

  return {
    observeSlo(name, evaluation) {
      remaining.set({ slo: name }, evaluation.budget.remaining);
      if (evaluation.budget.sli === null) sli.remove({ slo: name });
      else sli.set({ slo: name }, evaluation.budget.sli);
      const now = new Set(evaluation.burn.map((b) => promDuration(b.windowMs)));
      for (const old of windows.get(name) ?? []) if (!now.has(old)) burn.remove({ slo: name, window: old });
      windows.set(name, now);
      for (const b of evaluation.burn) burn.set({ slo: name, window: promDuration(b.windowMs) }, b.burnRate);
    },
    forgetSlo,
    observeAlerts(counts) {
      // pairs seen before and absent now go to 0 rather than vanish
      const totals = new Map<string, number>();
      for (const c of counts) {
        const key = JSON.stringify([c.state, c.severity]);
        alertKeys.set(key, { state: c.state, severity: c.severity });
        totals.set(key, (totals.get(key) ?? 0) + c.count);
      }
      for (const [key, labels] of alertKeys) alerts.set(labels, totals.get(key) ?? 0);
    },
  };
}
