/** Turns stored rollups (with binary sketches) into the JSON the API returns. */
import { QuantileSketch } from '../core/sketch.ts';
import type { Rollup } from '../store/types.ts';

/** One rollup bucket as JSON: counts, availability and latency percentiles. */
export interface RollupView {
  bucket: string;
  bucketMs: number;
  total: number;
  ok: number;
  degraded: number;
  failed: number;
  availability: number | null;
  latencyAvgMs: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  errors: Rollup['errors'];
}

function q(sketch: QuantileSketch, p: number): number | null {
  if (sketch.count === 0) return null;
  return Math.round(sketch.quantile(p) * 10) / 10;
}

/** Converts one rollup to its JSON view. */
export function rollupView(r: Rollup): RollupView {
  const lat = QuantileSketch.deserialize(r.latencySketch);
  const ttft = r.ttftCount > 0 ? QuantileSketch.deserialize(r.ttftSketch) : new QuantileSketch();
  return {
    bucket: new Date(r.bucket).toISOString(),
    bucketMs: r.bucket,
    total: r.total,
    ok: r.ok,
    degraded: r.degraded,
    failed: r.failed,
    availability: r.total > 0 ? (r.ok + r.degraded) / r.total : null,
    latencyAvgMs: r.total > 0 ? Math.round((r.latencySumMs / r.total) * 10) / 10 : null,
    latencyP50Ms: q(lat, 0.5),
    latencyP95Ms: q(lat, 0.95),
    latencyP99Ms: q(lat, 0.99),
    ttftP50Ms: q(ttft, 0.5),
    ttftP95Ms: q(ttft, 0.95),
    errors: r.errors,
  };
}
