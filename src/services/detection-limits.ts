/**
 * Forecast limits from the configured SLOs: a latency SLO's threshold becomes a limit on the p95
 * latency series of each target (or gateway route) it covers, a TTFT SLO's on the TTFT p95
 * series. Pure; `main.ts` passes `() => limitsFromSlos(current.slos, current.targets)`.
 */
import type { SloDefinition } from '../slo/types.ts';
import type { ForecastLimit } from './detection-runtime.ts';

/** The forecast limits implied by latency and TTFT SLOs over the given targets. */
export function limitsFromSlos(
  slos: readonly SloDefinition[],
  targets: readonly { name: string; labels: Readonly<Record<string, string>> }[],
): ForecastLimit[] {
  const out: ForecastLimit[] = [];
  for (const slo of slos) {
    const sel = slo.selector;
    if ((sel.kind !== 'latency' && sel.kind !== 'ttft') || sel.thresholdMs === undefined) continue;
    const metric = sel.kind === 'latency' ? 'p95_latency_ms' : 'ttft_p95_ms';
    if (sel.source === 'gateway') {
      if (sel.kind === 'latency') out.push({ route: sel.route, metric, limit: sel.thresholdMs });
      continue;
    }
    const names = sel.targets ? new Set(sel.targets) : undefined;
    const wanted = Object.entries(sel.labels ?? {});
    for (const t of targets) {
      if (names && !names.has(t.name)) continue;
      if (!wanted.every(([k, v]) => t.labels[k] === v)) continue;
      out.push({ target: t.name, metric, limit: sel.thresholdMs });
    }
  }
  // The tightest limit of a series wins.
  out.sort((a, b) => a.limit - b.limit);
  const seen = new Set<string>();
  return out.filter((l) => {
    const id = `${l.target ?? ''}\u0000${l.route ?? ''}\u0000${l.metric}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
