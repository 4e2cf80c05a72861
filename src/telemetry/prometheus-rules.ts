/**
 * Prometheus rules for nines SLOs (`nines rules -c FILE`): per SLO, recording rules for the SLI
 * error ratio over each alert window, and one multi-window multi-burn-rate alert per tier with
 * the same factors and minimum-events guard as the nines evaluator (src/slo/tiers.ts).
 *
 * Metric names nines exports (the lead registers them with prom-client):
 *
 * | SLI | source | counter(s) | bad events |
 * |---|---|---|---|
 * | availability | probe | `nines_probe_results_total{target,outcome="ok"\|"degraded"\|"failed"}` | outcome="failed" (degraded is good) |
 * | latency | probe | histogram `nines_probe_latency_seconds{target}` | `_count` − `_bucket{le=threshold}` |
 * | ttft | probe | histogram `nines_probe_ttft_seconds{target}` | as latency |
 * | correctness | probe | `nines_probe_assertions_total{target,result="pass"\|"fail"}` (one per result with assertions) | result="fail" |
 * | availability | gateway | `nines_gateway_requests_total{route,status}` | status=~"5.." |
 * | latency | gateway | histogram `nines_gateway_request_duration_seconds{route}` | as above |
 * | ttft | gateway | histogram `nines_gateway_ttft_seconds{route}` | as above |
 *
 * Latency thresholds must be bucket bounds of the histogram (`le` is the threshold in seconds
 * as JavaScript prints it: 2000ms → "2", 800ms → "0.8"). `selector:` SLOs match the target's
 * labels, which the probe series must therefore carry.
 */
import { stringify } from 'yaml';
import { errorBudget } from '../slo/budget.ts';
import { burnFactor } from '../slo/tiers.ts';
import type { AlertTier, SloDefinition } from '../slo/types.ts';

/** The recording windows every SLO gets (plus any other window its tiers use). */
export const RECORDING_WINDOWS_MS = [5, 30, 60, 120, 360, 1440, 4320].map((m) => m * 60_000);

/** The name of the alert every tier raises; tiers differ by labels. */
export const BURN_ALERT_NAME = 'NinesSLOErrorBudgetBurn';

/** Formats ms as one Prometheus duration unit (`5m`, `1h`, `3d`, `90s`). */
export function promDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The recording rule name for the error ratio over a window: `nines:sli_error_ratio:rate5m`. */
export function errorRatioRecord(windowMs: number): string {
  return `nines:sli_error_ratio:rate${promDuration(windowMs)}`;
}

function quote(v: string): string {
  return JSON.stringify(v);
}

function matchers(slo: SloDefinition): string[] {
  const s = slo.selector;
  if (s.source === 'gateway') return [`route=${quote(s.route)}`];
  const out: string[] = [];
  if (s.targets?.length === 1) out.push(`target=${quote(s.targets[0]!)}`);
  else if (s.targets && s.targets.length > 1) {
    out.push(`target=~${quote(s.targets.map((t) => t.replace(/[.\\+*?()|[\]{}^$]/g, '\\$&')).join('|'))}`);
  }
  for (const [k, v] of Object.entries(s.labels ?? {})) out.push(`${k}=${quote(v)}`);
  return out;
}

function sel(metric: string, ms: string[], extra: string[] = []): string {
  return `${metric}{${[...ms, ...extra].join(',')}}`;
}

/** The counter expressions for an SLO's SLI: bad and total event counts over a range `[w]`. */
function sliCounters(slo: SloDefinition): {
  bad: (w: string) => string;
  total: (w: string) => string;
  totalSeries: string;
} {
  const s = slo.selector;
  const ms = matchers(slo);
  const rate = (metric: string, extra: string[], w: string) => `sum(rate(${sel(metric, ms, extra)}[${w}]))`;
  /**
   * The bucket matcher for a threshold. Prometheus 3 stores integer bucket bounds as `2.0`
   * (Prometheus 2 as `2`), so integer bounds match both spellings.
   */
  const leMatcher = (le: string) => (/^\d+$/.test(le) ? `le=~"${le}([.]0)?"` : `le=${quote(le)}`);
  const counted = (metric: string, badMatcher: string) => ({
    bad: (w: string) => `(${rate(metric, [badMatcher], w)} or vector(0))`,
    total: (w: string) => rate(metric, [], w),
    totalSeries: sel(metric, ms),
  });
  const histogram = (base: string) => {
    const le = String((s.thresholdMs ?? 0) / 1000);
    return {
      bad: (w: string) => `(${rate(`${base}_count`, [], w)} - ${rate(`${base}_bucket`, [leMatcher(le)], w)})`,
      total: (w: string) => rate(`${base}_count`, [], w),
      totalSeries: sel(`${base}_count`, ms),
    };
  };
  const prefix = s.source === 'gateway' ? 'nines_gateway' : 'nines_probe';
  switch (s.kind) {
    case 'availability':
      return s.source === 'gateway'
        ? counted('nines_gateway_requests_total', 'status=~"5.."')
        : counted('nines_probe_results_total', 'outcome="failed"');
    case 'latency':
      return histogram(
        s.source === 'gateway' ? 'nines_gateway_request_duration_seconds' : 'nines_probe_latency_seconds',
      );
    case 'ttft':
      return histogram(`${prefix}_ttft_seconds`);
    case 'correctness':
      return counted('nines_probe_assertions_total', 'result="fail"');
  }
}

function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** The annotations of a tier's alert (fixed text, so tests can state them exactly). */
export function burnAlertAnnotations(slo: SloDefinition, tier: AlertTier): Record<string, string> {
  const factor = num(burnFactor(tier, slo.window));
  return {
    summary: `SLO ${slo.name} is burning its error budget ${factor}x too fast`,
    description:
      `${tier.budgetPercent}% of the ${slo.objective}% SLO's budget would be spent in ${promDuration(tier.longWindowMs)} ` +
      `(burn rate above ${factor} over both ${promDuration(tier.longWindowMs)} and ${promDuration(tier.shortWindowMs)}).`,
  };
}

/** The labels of a tier's alert: the SLO, the severity and the two windows. */
export function burnAlertLabels(slo: SloDefinition, tier: AlertTier): Record<string, string> {
  return {
    slo: slo.name,
    severity: tier.severity,
    long_window: promDuration(tier.longWindowMs),
    short_window: promDuration(tier.shortWindowMs),
  };
}

/** The rule group for one SLO: recording rules for each window, then one alert per tier. */
export function sloRuleGroup(slo: SloDefinition): { name: string; rules: Record<string, unknown>[] } {
  const c = sliCounters(slo);
  const windows = [
    ...new Set([...RECORDING_WINDOWS_MS, ...slo.alerts.flatMap((t) => [t.longWindowMs, t.shortWindowMs])]),
  ].sort((a, b) => a - b);
  const records = windows.map((w) => {
    const d = promDuration(w);
    return { record: errorRatioRecord(w), expr: `${c.bad(d)} / ${c.total(d)}`, labels: { slo: slo.name } };
  });
  const eb = errorBudget(slo.objective);
  const sloSel = `{slo=${quote(slo.name)}}`;
  const alerts = slo.alerts.map((tier) => {
    const threshold = num(burnFactor(tier, slo.window) * eb);
    // the minimum-events guard: fewer events in the long window is insufficient data
    const guard = `sum(increase(${c.totalSeries}[${promDuration(tier.longWindowMs)}])) >= ${Math.max(1, slo.minEvents)}`;
    return {
      alert: BURN_ALERT_NAME,
      expr:
        `${errorRatioRecord(tier.longWindowMs)}${sloSel} > ${threshold}\n` +
        `and ${errorRatioRecord(tier.shortWindowMs)}${sloSel} > ${threshold}\n` +
        `and on() ${guard}`,
      labels: burnAlertLabels(slo, tier),
      annotations: burnAlertAnnotations(slo, tier),
    };
  });
  return { name: `nines-slo-${slo.name}`, rules: [...records, ...alerts] };
}

/** Renders the Prometheus rule file (YAML) for the SLOs: one group per SLO. */
export function renderPrometheusRules(slos: readonly SloDefinition[]): string {
  return stringify({ groups: slos.map(sloRuleGroup) }, { lineWidth: 0 });
}
