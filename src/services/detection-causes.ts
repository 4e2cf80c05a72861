/**
 * Probable causes of an incident from what the live detectors stored: anomalies (change points)
 * in the window before the incident start, series correlated with the affected series, labels
 * shared by the affected targets, state changes of other targets and recorded events (config
 * reloads, gateway failovers). Gathers the inputs; `rankProbableCauses` weighs them.
 */
import { rankProbableCauses, type EventInput, type LabelledTarget } from '../detect/causes.ts';
import type { AnomalyScoreRow, AnomalyScoreStore } from '../store/records/anomalies.ts';
import type { StateEvent } from '../store/types.ts';
import { alignedCorrelation } from './detection-series.ts';

/** A configured target as cause-finding sees it; `state` marks the currently affected ones. */
export interface CauseTarget {
  name: string;
  labels: Record<string, string>;
  state?: 'up' | 'degraded' | 'down' | 'unknown';
}

/** What an incident brings: its labels (`target`, `route`, provider…) and when it opened. */
export interface CauseIncident {
  labels: Record<string, string>;
  openedAt: number;
}

/** One ranked probable cause (the incident module's `ProbableCauseView`). */
export interface CauseView {
  cause: string;
  score: number;
  evidence: string[];
}

/** Where the inputs come from. */
export interface CauseSources {
  scores: AnomalyScoreStore;
  targets: readonly CauseTarget[];
  stateEvents(from: number, to: number): Promise<StateEvent[]>;
  recentEvents?: (from: number, to: number) => Promise<EventInput[]> | EventInput[];
  /** Look-back before the start (default 30 min) and look-ahead after it (default 5 min). */
  lookbackMs?: number;
  afterMs?: number;
  /** Scores at least this count as change points (default 0.5). */
  changeScore?: number;
  /** At most this many causes (default 10). */
  limit?: number;
}

const nameOf = (r: AnomalyScoreRow): string =>
  r.route !== undefined ? `route ${r.route}` : (r.target ?? r.series);
const signalOf = (r: AnomalyScoreRow): string => `${nameOf(r)} ${r.metric}`;

/** Ranked probable causes of an incident, best first. */
export async function findProbableCauses(incident: CauseIncident, src: CauseSources): Promise<CauseView[]> {
  const start = incident.openedAt;
  const lookback = src.lookbackMs ?? 30 * 60_000;
  const after = src.afterMs ?? 5 * 60_000;
  const from = start - lookback;
  const to = start + after;

  const byName = new Map(src.targets.map((t) => [t.name, t]));
  const affectedNames = new Set<string>();
  const labelTarget = incident.labels.target;
  if (labelTarget && byName.has(labelTarget)) affectedNames.add(labelTarget);
  for (const t of src.targets) if (t.state === 'down' || t.state === 'degraded') affectedNames.add(t.name);
  const toLabelled = (t: CauseTarget): LabelledTarget => ({ id: t.name, labels: t.labels });
  const affected = [...affectedNames].map((n) => toLabelled(byName.get(n)!));

  const rows = await src.scores.query({ from, to });
  const series = new Map<string, AnomalyScoreRow[]>();
  for (const r of rows) {
    const list = series.get(r.series);
    if (list) list.push(r);
    else series.set(r.series, [r]);
  }

  const threshold = src.changeScore ?? 0.5;
  const changePoints = rows
    .filter((r) => r.score >= threshold)
    .map((r) => ({ signal: signalOf(r), timestampMs: r.at, magnitude: r.score }));

  // The affected series: the most anomalous series of an affected target (or route) in the window.
  const route = incident.labels.route;
  const isAffected = (r: AnomalyScoreRow) =>
    (r.target !== undefined && affectedNames.has(r.target)) || (route !== undefined && r.route === route);
  let affectedSeries: AnomalyScoreRow[] | undefined;
  let best = -1;
  for (const list of series.values()) {
    if (!isAffected(list[0]!)) continue;
    const peak = Math.max(...list.map((r) => r.score));
    if (peak > best) [best, affectedSeries] = [peak, list];
  }
  const correlations: { signal: string; correlation: number }[] = [];
  if (affectedSeries) {
    for (const list of series.values()) {
      if (list === affectedSeries) continue;
      const c = alignedCorrelation(affectedSeries, list);
      if (c !== undefined && Math.abs(c) >= 0.5)
        correlations.push({ signal: signalOf(list[0]!), correlation: c });
    }
  }

  const events: EventInput[] = [];
  for (const e of await src.stateEvents(from, to)) {
    if (affectedNames.has(e.target)) continue;
    events.push({
      kind: `state_${e.to}`,
      timestampMs: e.at,
      description: `${e.target} ${e.from} → ${e.to} (${e.reason})`,
      targets: [e.target],
    });
  }
  if (src.recentEvents) events.push(...(await src.recentEvents(from, to)));

  const ranked = rankProbableCauses({
    incidentStartMs: start,
    lookbackMs: lookback,
    graceMs: after,
    affected,
    allTargets: src.targets.map(toLabelled),
    changePoints,
    correlations,
    events,
  });
  return ranked
    .slice(0, src.limit ?? 10)
    .map((c) => ({ cause: c.cause, score: c.score, evidence: c.evidence }));
}
