/**
 * Histogram bucket bounds for the probe latency and TTFT histograms. A Prometheus latency SLO
 * counts good events as `_bucket{le=threshold}`, so every threshold an SLO uses must be a bucket
 * bound: the defaults below are merged with the thresholds of the configured SLOs.
 */
import type { SliKind, SliSource, SloDefinition } from '../slo/types.ts';

/** Default bounds (seconds) of `nines_probe_latency_seconds`: LLM calls take seconds, not ms. */
export const PROBE_LATENCY_BUCKETS: readonly number[] = [
  0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60,
];

/** Default bounds (seconds) of `nines_probe_ttft_seconds`. */
export const PROBE_TTFT_BUCKETS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30];

/**
 * The thresholds (seconds) of the SLOs of one source and kind, e.g. every probe latency SLO's
 * threshold. Seconds are `thresholdMs / 1000`, the same number prometheus-rules.ts prints as
 * `le`, so the exposed bound and the rule's matcher are the same string.
 */
export function sloThresholdsSeconds(
  slos: readonly SloDefinition[],
  source: SliSource['source'],
  kind: Extract<SliKind, 'latency' | 'ttft'>,
): number[] {
  const out: number[] = [];
  for (const slo of slos) {
    const s = slo.selector;
    if (s.source === source && s.kind === kind && s.thresholdMs !== undefined) out.push(s.thresholdMs / 1000);
  }
  return out;
}

/** Merges bucket bounds: sorted, without duplicates, finite and positive. */
export function mergeBuckets(...lists: readonly (readonly number[])[]): number[] {
  const all = lists.flat().filter((b) => Number.isFinite(b) && b > 0);
  return [...new Set(all)].sort((a, b) => a - b);
}

/** The bounds of the probe latency histogram for these SLOs: defaults plus every threshold. */
export function probeLatencyBuckets(slos: readonly SloDefinition[]): number[] {
  return mergeBuckets(PROBE_LATENCY_BUCKETS, sloThresholdsSeconds(slos, 'probe', 'latency'));
}

/** The bounds of the probe TTFT histogram for these SLOs: defaults plus every threshold. */
export function probeTtftBuckets(slos: readonly SloDefinition[]): number[] {
  return mergeBuckets(PROBE_TTFT_BUCKETS, sloThresholdsSeconds(slos, 'probe', 'ttft'));
}
