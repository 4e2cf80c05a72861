/**
 * SLO evaluation cycle: 1,000 SLOs × 4 burn-rate tiers evaluated at one instant, from an
 * in-memory bucketed series (prefix sums over 5-minute buckets, 31 days, 200 targets with five
 * SLOs each: availability 30d / 28d, latency 7d, ttft calendar month, correctness calendar week).
 * Prints the median and worst cycle for the sync evaluator (pre-fetched buckets) and for the
 * async one (a Promise per range, as with the store). Goal: a cycle under 50 ms.
 *
 *   npm run bench:slo            (node --import tsx bench/slo.ts)
 */
import { cpus, loadavg } from 'node:os';
import { sloSchema, type SloConfigInput } from '../src/config/slo.ts';
import { BucketedCounts } from '../src/slo/bucketed.ts';
import { evaluateSlo, evaluateSloSync, type SyncQueryFn } from '../src/slo/evaluate.ts';
import type { SloDefinition } from '../src/slo/types.ts';

const TARGETS = 200;
const BUCKET_MS = 5 * 60_000;
const DAYS = 31;
const CYCLES = Number(process.env.CYCLES ?? 31);
const NOW = Date.UTC(2026, 2, 31, 12);
const START = NOW - DAYS * 86_400_000;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const buckets = (DAYS * 86_400_000) / BUCKET_MS;
const series = new Map<string, BucketedCounts>();
for (let t = 0; t < TARGETS; t++) {
  const rand = lcg(t + 1);
  const good = new Float64Array(buckets);
  const total = new Float64Array(buckets);
  for (let i = 0; i < buckets; i++) {
    total[i] = 10 + Math.floor(rand() * 10);
    const bad = rand() < 0.01 ? Math.floor(rand() * total[i]!) : 0;
    good[i] = total[i]! - bad;
  }
  series.set(`t${t}`, new BucketedCounts(START, BUCKET_MS, good, total));
}

const variants: Omit<SloConfigInput, 'name' | 'target'>[] = [
  { sli: 'availability', objective: 99.9, window: '30d' },
  { sli: 'availability', objective: 99.5, window: '28d' },
  { sli: { kind: 'latency', threshold: '2s' }, objective: 99, window: '7d' },
  { sli: { kind: 'ttft', threshold: '800ms' }, objective: 99, window: 'month' },
  { sli: 'correctness', objective: 98, window: 'week' },
];
const slos: SloDefinition[] = [];
for (let t = 0; t < TARGETS; t++) {
  variants.forEach((v, i) => slos.push(sloSchema.parse({ name: `t${t}-s${i}`, target: `t${t}`, ...v })));
}

const query: SyncQueryFn = (s, from, to) => {
  const key = s.source === 'probe' ? (s.targets?.[0] ?? '') : s.route;
  return series.get(key)!.query(from, to);
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let firing = 0;
const syncMs: number[] = [];
const syncCpuMs: number[] = [];
for (let c = 0; c < CYCLES; c++) {
  const now = NOW - c * 60_000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const slo of slos) firing += evaluateSloSync(slo, now, query).firing.length;
  syncCpuMs.push(process.cpuUsage(cpu0).user / 1000);
  syncMs.push(performance.now() - t0);
}
const asyncMs: number[] = [];
const asyncCpuMs: number[] = [];
for (let c = 0; c < CYCLES; c++) {
  const now = NOW - c * 60_000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const results = await Promise.all(
    slos.map((slo) => evaluateSlo(slo, now, async (s, f, t) => query(s, f, t))),
  );
  firing += results.reduce((n, r) => n + r.firing.length, 0);
  asyncCpuMs.push(process.cpuUsage(cpu0).user / 1000);
  asyncMs.push(performance.now() - t0);
}

const fmt = (x: number) => x.toFixed(2);
console.log(
  `slo evaluation: ${slos.length} SLOs × ${slos[0]!.alerts.length} tiers, ${CYCLES} cycles (node ${process.version})`,
);
console.log(
  `  sync  (pre-fetched buckets): median ${fmt(median(syncMs))} ms/cycle wall (${fmt(median(syncCpuMs))} ms CPU), max ${fmt(Math.max(...syncMs))} ms`,
);
console.log(
  `  async (a Promise per range): median ${fmt(median(asyncMs))} ms/cycle wall (${fmt(median(asyncCpuMs))} ms CPU), max ${fmt(Math.max(...asyncMs))} ms`,
);
const verdict = (xs: number[]) => (median(xs) < 50 ? 'met' : 'NOT met');
console.log(
  `  goal < 50 ms per cycle: CPU ${verdict(syncCpuMs)} (sync) / ${verdict(asyncCpuMs)} (async); ` +
    `wall ${verdict(syncMs)} / ${verdict(asyncMs)} (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
);
console.log(`  (firing tiers seen: ${firing})`);
