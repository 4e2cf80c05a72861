/**
 * nines' Prometheus metrics: one prom-client registry holding the probe series the exported SLO
 * rules compute from (prometheus-rules.ts), target states, the evaluator's SLO figures, alert
 * counts and the Node process default metrics. main.ts passes the same registry to the gateway,
 * which registers its own `nines_gateway_*` metrics on it, so one `/metrics` serves all.
 * Metric names and labels are listed in README.md.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { SloDefinition } from '../slo/types.ts';
import { probeLatencyBuckets, probeTtftBuckets } from './buckets.ts';
import { createProbeMetrics, type ProbeMetrics } from './probe-metrics.ts';
import { createSloMetrics, type SloMetrics } from './slo-metrics.ts';
import { targetLabelNames, type TargetLabelNames } from './target-labels.ts';

/** How to build the telemetry. */
export interface TelemetryOptions {
  /** The registry to register on; a new one by default. */
  registry?: Registry;
  /**
   * The configured SLOs: every probe latency/TTFT threshold becomes a histogram bucket bound, so
   * the exported rules' `le="<threshold>"` matchers find a bucket. Bounds are fixed at creation:
   * a reload that adds a threshold needs a new registry (a restart) to be exact.
   */
  slos?: readonly SloDefinition[];
  /**
   * Target label names the per-target series carry (e.g. `labelNamesOf(config.targets)`), so
   * `selector:` SLO rules can match them. Reserved or invalid names are dropped (see
   * `droppedLabelNames`).
   */
  targetLabelNames?: Iterable<string>;
  /** Register prom-client's process and Node.js default metrics (default true). */
  defaultMetrics?: boolean;
}

/** The registry with every nines metric on it, and the functions that feed it. */
export interface Telemetry extends ProbeMetrics, SloMetrics {
  /** The shared registry: hand it to the gateway (`createGateway({ registry })`). */
  registry: Registry;
  /** The Content-Type of `metrics()` (Prometheus text format 0.0.4). */
  contentType: string;
  /** Target label names the series carry. */
  labelNames: readonly string[];
  /** Requested target label names that were left out, with why (for a startup warning). */
  droppedLabelNames: TargetLabelNames['dropped'];
  /** The histogram bounds in use (seconds). */
  buckets: { latency: readonly number[]; ttft: readonly number[] };
  /** Renders every metric of the registry in the Prometheus text format. */
  metrics(): Promise<string>;
}

/** Creates the nines metrics on a registry (see `TelemetryOptions`). */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const registry = options.registry ?? new Registry();
  const slos = options.slos ?? [];
  const labels = targetLabelNames(options.targetLabelNames ?? []);
  const buckets = { latency: probeLatencyBuckets(slos), ttft: probeTtftBuckets(slos) };
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const probe = createProbeMetrics({
    registry,
    latencyBuckets: buckets.latency,
    ttftBuckets: buckets.ttft,
    labelNames: labels.names,
  });
  const slo = createSloMetrics(registry);
  return {
    registry,
    contentType: registry.contentType,
    labelNames: labels.names,
    droppedLabelNames: labels.dropped,
    buckets,
    ...probe,
    ...slo,
    metrics: () => registry.metrics(),
  };
}
