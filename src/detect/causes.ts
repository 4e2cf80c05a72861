/**
 * Probable causes of an incident, ranked: signals whose change points precede or coincide with
 * the incident start, series correlated with the affected signal, labels the affected targets
 * share (and that unaffected targets mostly lack), and config reloads / gateway events in the
 * window. Pure: the caller gathers the inputs; this weighs them and explains each score.
 */

/** A change point found on some signal (e.g. by the detector or a CUSUM). */
export interface ChangePointInput {
  signal: string;
  timestampMs: number;
  /** Strength in [0, 1] (an anomaly score) — larger is a clearer change. */
  magnitude: number;
}

/** A target with its labels (provider, region, model, route…). */
export interface LabelledTarget {
  id: string;
  labels: Readonly<Record<string, string>>;
}

/** Something that happened: a config reload, a gateway failover, a deploy, a breaker opening… */
export interface EventInput {
  kind: string;
  timestampMs: number;
  description: string;
  /** Targets the event touched, when known. */
  targets?: readonly string[];
}

/** Everything known at incident open. */
export interface CauseInput {
  incidentStartMs: number;
  /** How far back to look for causes (default 30 min). */
  lookbackMs?: number;
  /** Changes this long after the start still count as coinciding (default 2 min). */
  graceMs?: number;
  affected: readonly LabelledTarget[];
  /** All targets, to tell a label that singles out the affected ones from one everybody has. */
  allTargets?: readonly LabelledTarget[];
  changePoints?: readonly ChangePointInput[];
  /** Correlation of other signals with the affected signal over the window, in [-1, 1]. */
  correlations?: readonly { signal: string; correlation: number }[];
  events?: readonly EventInput[];
}

/** One ranked candidate. */
export interface ProbableCause {
  cause: string;
  kind: 'signal' | 'label' | 'event';
  /** In [0, 1]; comparable across kinds. */
  score: number;
  evidence: string[];
}

/** Prior weight of event kinds: changes we made are likelier causes than reactions to trouble. */
const EVENT_WEIGHT: Record<string, number> = {
  deploy: 1,
  config_reload: 0.9,
  rollback: 0.6,
  gateway_failover: 0.5,
  breaker_open: 0.4,
};

const minutes = (ms: number): string => `${Math.round(Math.abs(ms) / 60_000)} min`;
const when = (deltaMs: number): string =>
  deltaMs <= 0 ? `${minutes(deltaMs)} before the incident` : `${minutes(deltaMs)} after the incident start`;

/** 1 at the start, falling linearly to 0.2 at the edge of the look-back; 0.5 inside the grace period. */
function proximity(deltaMs: number, lookbackMs: number, graceMs: number): number {
  if (deltaMs > graceMs || deltaMs < -lookbackMs) return 0;
  if (deltaMs > 0) return 0.5;
  return 1 - 0.8 * (-deltaMs / lookbackMs);
}

/** Ranks candidate causes of an incident, best first, each with its evidence. */
export function rankProbableCauses(input: CauseInput): ProbableCause[] {
  const lookback = input.lookbackMs ?? 30 * 60_000;
  const grace = input.graceMs ?? 2 * 60_000;
  const start = input.incidentStartMs;
  const out: ProbableCause[] = [];
  const corr = new Map((input.correlations ?? []).map((c) => [c.signal, c.correlation]));

  const bySignal = new Map<string, ChangePointInput>();
  for (const cp of input.changePoints ?? []) {
    const near = proximity(cp.timestampMs - start, lookback, grace);
    if (near === 0) continue;
    const prev = bySignal.get(cp.signal);
    if (!prev || cp.timestampMs < prev.timestampMs) bySignal.set(cp.signal, cp);
  }
  const signals = new Set([...bySignal.keys(), ...corr.keys()]);
  for (const signal of signals) {
    const cp = bySignal.get(signal);
    const c = corr.get(signal);
    const evidence: string[] = [];
    let score = 0;
    if (cp) {
      const m = Math.min(1, Math.max(0, cp.magnitude));
      score = m * proximity(cp.timestampMs - start, lookback, grace);
      evidence.push(`changed ${when(cp.timestampMs - start)} (strength ${m.toFixed(2)})`);
    }
    if (c !== undefined && Number.isFinite(c)) {
      const a = Math.min(1, Math.abs(c));
      score = cp ? score * (0.6 + 0.4 * a) : 0.4 * a * a;
      evidence.push(`correlation ${c.toFixed(2)} with the affected signal`);
    }
    if (score > 0) out.push({ cause: signal, kind: 'signal', score, evidence });
  }

  const n = input.affected.length;
  if (n > 0) {
    const counts = new Map<string, { key: string; value: string; count: number }>();
    for (const t of input.affected) {
      for (const [key, value] of Object.entries(t.labels)) {
        const id = `${key}=${value}`;
        const c = counts.get(id) ?? { key, value, count: 0 };
        c.count++;
        counts.set(id, c);
      }
    }
    for (const [label, { key, value, count }] of counts) {
      const share = count / n;
      if (share < 0.5 || (n === 1 && !input.allTargets)) continue;
      const evidence = [`${count} of ${n} affected targets have ${label}`];
      let specificity = 0.5;
      if (input.allTargets) {
        const withLabel = input.allTargets.filter((t) => t.labels[key] === value).length;
        specificity = withLabel > 0 ? Math.min(1, count / withLabel) : 0;
        evidence.push(`${count} of ${withLabel} targets with ${label} are affected`);
      }
      const score = share * share * specificity * 0.7;
      if (score > 0) out.push({ cause: label, kind: 'label', score, evidence });
    }
  }

  const affectedIds = new Set(input.affected.map((t) => t.id));
  for (const e of input.events ?? []) {
    const near = proximity(e.timestampMs - start, lookback, grace);
    if (near === 0) continue;
    const evidence = [`${e.kind} ${when(e.timestampMs - start)}: ${e.description}`];
    let weight = EVENT_WEIGHT[e.kind] ?? 0.5;
    if (e.targets && e.targets.length > 0) {
      const hit = e.targets.filter((t) => affectedIds.has(t)).length;
      weight *= hit > 0 ? 1 : 0.3;
      evidence.push(`touched ${hit} of ${n} affected targets`);
    }
    out.push({ cause: `${e.kind}: ${e.description}`, kind: 'event', score: weight * near, evidence });
  }

  return out.sort((a, b) => b.score - a.score || a.cause.localeCompare(b.cause));
}
