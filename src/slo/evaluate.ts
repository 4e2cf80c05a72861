/**
 * Evaluating one SLO at `now`: budget figures for the current period, burn per alert window,
 * and which tiers fire. The evaluator first plans the ranges it needs (`planSloQueries`), asks
 * the consumer-defined query function for counts, then computes (`computeSloEvaluation`), so
 * the async (`evaluateSlo`) and sync (`evaluateSloSync`) entry points share all of the math.
 */
import {
  budgetFigures,
  burnRate,
  currentPeriod,
  nominalPeriodMs,
  ratioTimesliceCounts,
  sumCounts,
  timeToExhaustion,
  timesliceCounts,
  type BudgetFigures,
} from './budget.ts';
import { burnFactor, decideTiers, type TierVerdict } from './tiers.ts';
import type { AlertTier, GoodTotal, SliSelector, SloDefinition } from './types.ts';

/**
 * Counts good and total events of an SLI in [from, to). `main.ts` hands the store's version;
 * it must count events, not average ratios. For latency/ttft SLIs "good" means under
 * `selector.thresholdMs`; for correctness, all assertions passed.
 */
export type QueryFn = (selector: SliSelector, from: number, to: number) => Promise<GoodTotal>;

/** The same question answered synchronously, e.g. from pre-fetched buckets (see bucketed.ts). */
export type SyncQueryFn = (selector: SliSelector, from: number, to: number) => GoodTotal;

/** A range to count: [from, to). */
export interface QueryRange {
  from: number;
  to: number;
}

/** The ranges one evaluation needs: the period (or its slices) first, then one per alert window. */
export interface SloQueryPlan {
  period: { from: number; to: number; lengthMs: number };
  /** One range for occurrences; one per slice for timeslice budgeting. */
  periodRanges: QueryRange[];
  /** Distinct alert window lengths, in the order their ranges follow the period ranges. */
  windowsMs: number[];
  ranges: QueryRange[];
}

/** Burn over one window ending at now. */
export interface WindowBurn {
  windowMs: number;
  good: number;
  total: number;
  burnRate: number;
}

/** The result of evaluating one SLO at one instant. */
export interface SloEvaluation {
  slo: string;
  at: number;
  period: { from: number; to: number; lengthMs: number };
  /** Budget figures for the period (over slices for timeslice budgeting). */
  budget: BudgetFigures;
  /** Event counts over the period, whatever the budgeting method. */
  events: GoodTotal;
  /** Burn over the fastest tier's long window (the "current" burn; 1h by default). */
  currentBurn: number;
  /** Time until the budget is gone at the current burn; null when not burning. */
  timeToExhaustionMs: number | null;
  burn: WindowBurn[];
  tiers: TierVerdict[];
  /** Tiers firing after inhibition, fastest first. */
  firing: AlertTier[];
}

function slices(from: number, to: number, sliceMs: number): QueryRange[] {
  const out: QueryRange[] = [];
  let start = Math.floor(from / sliceMs) * sliceMs;
  if (start < from) start += sliceMs;
  for (let s = start; s < to; s += sliceMs) out.push({ from: s, to: Math.min(to, s + sliceMs) });
  return out;
}

/** What does not depend on `now`, computed once per SLO object (definitions are treated as immutable). */
interface Prepared {
  windowsMs: number[];
  factors: number[];
  longIdx: number[];
  shortIdx: number[];
  /** Index in windowsMs of the fastest tier's long window, or -1 without tiers. */
  currentIdx: number;
  periodMs: number;
}

const prepared = new WeakMap<SloDefinition, Prepared>();

function prepare(slo: SloDefinition): Prepared {
  let p = prepared.get(slo);
  if (p) return p;
  const windowsMs = [...new Set(slo.alerts.flatMap((t) => [t.longWindowMs, t.shortWindowMs]))];
  const fastest = slo.alerts.reduce<AlertTier | undefined>(
    (f, t) => (!f || t.longWindowMs < f.longWindowMs ? t : f),
    undefined,
  );
  p = {
    windowsMs,
    factors: slo.alerts.map((t) => burnFactor(t, slo.window)),
    longIdx: slo.alerts.map((t) => windowsMs.indexOf(t.longWindowMs)),
    shortIdx: slo.alerts.map((t) => windowsMs.indexOf(t.shortWindowMs)),
    currentIdx: fastest ? windowsMs.indexOf(fastest.longWindowMs) : -1,
    periodMs: nominalPeriodMs(slo.window),
  };
  prepared.set(slo, p);
  return p;
}

/** Plans the ranges needed to evaluate `slo` at `now`. */
export function planSloQueries(slo: SloDefinition, now: number): SloQueryPlan {
  const { windowsMs } = prepare(slo);
  const period = currentPeriod(slo.window, now);
  const periodRanges =
    slo.budgeting.method === 'occurrences'
      ? [{ from: period.from, to: now }]
      : slices(period.from, now, slo.budgeting.sliceMs);
  const ranges = periodRanges.slice();
  for (const w of windowsMs) ranges.push({ from: now - w, to: now });
  return { period, periodRanges, windowsMs, ranges };
}

/** Computes the evaluation from the plan and the counts for each of its ranges (same order). */
export function computeSloEvaluation(
  slo: SloDefinition,
  now: number,
  plan: SloQueryPlan,
  counts: readonly GoodTotal[],
): SloEvaluation {
  const prep = prepare(slo);
  const n = plan.periodRanges.length;
  const periodParts = n === 1 ? [counts[0]!] : counts.slice(0, n);
  const events = sumCounts(periodParts);
  const b = slo.budgeting;
  const budgetCounts =
    b.method === 'occurrences'
      ? events
      : b.method === 'timeslices'
        ? timesliceCounts(periodParts, b.sliceGoal)
        : ratioTimesliceCounts(periodParts);
  const budget = budgetFigures(budgetCounts, slo.objective);
  const burn: WindowBurn[] = plan.windowsMs.map((windowMs, i) => {
    const c = counts[n + i] ?? { good: 0, total: 0 };
    return { windowMs, good: c.good, total: c.total, burnRate: burnRate(c, slo.objective) };
  });
  const inputs: TierVerdict[] = slo.alerts.map((tier, i) => {
    const long = burn[prep.longIdx[i]!]!;
    const shortBurn = burn[prep.shortIdx[i]!]!.burnRate;
    return {
      tier,
      factor: prep.factors[i]!,
      longBurn: long.burnRate,
      shortBurn,
      longTotal: long.total,
      state: 'ok',
    };
  });
  const tiers = decideTiers(
    inputs,
    slo.minEvents,
    prep.shortIdx.map((i) => burn[i]!.total),
  );
  const currentBurn =
    prep.currentIdx >= 0 ? burn[prep.currentIdx]!.burnRate : burnRate(events, slo.objective);
  const firing: AlertTier[] = [];
  for (const t of tiers) if (t.state === 'firing') firing.push(t.tier);
  firing.sort((x, y) => x.longWindowMs - y.longWindowMs);
  return {
    slo: slo.name,
    at: now,
    period: plan.period,
    budget,
    events,
    currentBurn,
    timeToExhaustionMs: timeToExhaustion(budget.remaining, currentBurn, prep.periodMs),
    burn,
    tiers,
    firing,
  };
}

/** Evaluates one SLO at `now` with an async query function (ranges are queried concurrently). */
export async function evaluateSlo(slo: SloDefinition, now: number, query: QueryFn): Promise<SloEvaluation> {
  const plan = planSloQueries(slo, now);
  const counts = await Promise.all(plan.ranges.map((r) => query(slo.selector, r.from, r.to)));
  return computeSloEvaluation(slo, now, plan, counts);
}

/** Evaluates one SLO at `now` with a synchronous query function (pre-fetched buckets). */
export function evaluateSloSync(slo: SloDefinition, now: number, query: SyncQueryFn): SloEvaluation {
  const plan = planSloQueries(slo, now);
  const counts = plan.ranges.map((r) => query(slo.selector, r.from, r.to));
  return computeSloEvaluation(slo, now, plan, counts);
}
