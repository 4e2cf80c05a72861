/**
 * Per-target Prometheus series: probe results, latency and TTFT histograms, assertion verdicts
 * (the counters prometheus-rules.ts computes SLIs from) and the target's lifecycle state.
 * Every series carries `target` plus the target's config labels (see target-labels.ts).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProbeResult, TargetState } from '../store/types.ts';
import { pickLabels } from './target-labels.ts';

/** Every target state, in the order the `nines_target_state` series are written. */
export const TARGET_STATES: readonly TargetState[] = ['up', 'degraded', 'down', 'unknown'];

/** Options of the probe metrics: the registry, bucket bounds and the target label names. */
export interface ProbeMetricsOptions {
  registry: Registry;
  latencyBuckets: readonly number[];
  ttftBuckets: readonly number[];
  /** Target label names the series carry (already checked by `targetLabelNames`). */
  labelNames: readonly string[];
}

/** Recording probe results and target states, and forgetting a removed target. */
export interface ProbeMetrics {
  observeProbe(result: ProbeResult, targetLabels?: Readonly<Record<string, string>>): void;
  setTargetState(target: string, state: TargetState, targetLabels?: Readonly<Record<string, string>>): void;
  forgetTarget(target: string): void;
}

/** Registers the per-target metrics on `options.registry`. */
export function createProbeMetrics(options: ProbeMetricsOptions): ProbeMetrics {
  const registers = [options.registry];
  const extra = [...options.labelNames];
  const results = new Counter({
    name: 'nines_probe_results_total',
    help: 'Probe runs by target and outcome (ok, degraded, failed); the availability SLI counts failed as bad.',
    labelNames: ['target', 'outcome', ...extra],
    registers,
  });
  const latency = new Histogram({
    name: 'nines_probe_latency_seconds',
    help: 'Total probe latency of every run (a timeout counts at its timeout); bounds include every latency SLO threshold.',
    labelNames: ['target', ...extra],
    buckets: [...options.latencyBuckets],
    registers,
  });
  const ttft = new Histogram({
    name: 'nines_probe_ttft_seconds',
    help: 'Time to first token of streaming LLM probes; bounds include every TTFT SLO threshold.',
    labelNames: ['target', ...extra],
    buckets: [...options.ttftBuckets],
    registers,
  });
  const assertions = new Counter({
    name: 'nines_probe_assertions_total',
    help: 'Probe runs with assertions, by result: pass when every assertion held, else fail.',
    labelNames: ['target', 'result', ...extra],
    registers,
  });
  const state = new Gauge({
    name: 'nines_target_state',
    help: 'Target lifecycle state as a state set: 1 for the current state (up, degraded, down, unknown), 0 for the others.',
    labelNames: ['target', 'state', ...extra],
    registers,
  });
  const up = new Gauge({
    name: 'nines_target_up',
    help: 'Whether the target serves: 1 up or degraded, 0 down; absent while its state is unknown.',
    labelNames: ['target', ...extra],
    registers,
  });

  /** Label sets (JSON of the extra labels) each target has been seen with, to forget them all. */
  const seen = new Map<string, Map<string, Record<string, string>>>();
  const base = (target: string, targetLabels?: Readonly<Record<string, string>>) => {
    const labels = { target, ...pickLabels(extra, targetLabels) };
    let sets = seen.get(target);
    if (!sets) seen.set(target, (sets = new Map()));
    sets.set(JSON.stringify(labels), labels);
    return labels;
  };

  return {
    observeProbe(result, targetLabels) {
      const labels = base(result.target, targetLabels);
      results.inc({ ...labels, outcome: result.outcome });
      latency.observe(labels, result.latencyMs / 1000);
      if (result.timings.ttftMs !== undefined) ttft.observe(labels, result.timings.ttftMs / 1000);
      if (result.assertions && result.assertions.length > 0) {
        const pass = result.assertions.every((a) => a.ok);
        assertions.inc({ ...labels, result: pass ? 'pass' : 'fail' });
      }
    },
    setTargetState(target, current, targetLabels) {
      const labels = base(target, targetLabels);
      for (const s of TARGET_STATES) state.set({ ...labels, state: s }, s === current ? 1 : 0);
      if (current === 'unknown') up.remove(labels);
      else up.set(labels, current === 'down' ? 0 : 1);
    },
    forgetTarget(target) {
      for (const labels of seen.get(target)?.values() ?? []) {
        for (const outcome of ['ok', 'degraded', 'failed']) results.remove({ ...labels, outcome });
        for (const result of ['pass', 'fail']) assertions.remove({ ...labels, result });
        for (const s of TARGET_STATES) state.remove({ ...labels, state: s });
        latency.remove(labels);
        ttft.remove(labels);
        up.remove(labels);
      }
      seen.delete(target);
    },
  };
}
