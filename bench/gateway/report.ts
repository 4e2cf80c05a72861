/**
 * What `bench:gateway` prints: the Measured results, medians over rounds, the bottleneck wording
 * of a saturation row, and the saturation and fixed-rate tables with the ratio lines below them.
 */
import type { Saturation, Target } from './measure.ts';
import { LOAD_CONNECTIONS, type FixedResult } from './roles.ts';

/** Everything measured, for the report. */
export interface Measured {
  cores: number;
  load0: string;
  load1: string;
  loadDuringFixed: string[];
  targets: Target[];
  fixedTargets: Target[];
  pinnedTargets: Target[];
  sat: Map<string, Saturation>;
  fixed: Map<string, FixedResult[]>;
  rss: Map<string, number>;
}

/** The run's settings, as the report's heading states them. */
export interface ReportSettings {
  /** Saturation run, s. */
  seconds: number;
  /** Warm-up before each saturation run, s. */
  warmSeconds: number;
  /** The fixed rate, req/s. */
  rps: number;
  /** Fixed-rate rounds. */
  fixedRuns: number;
  /** Each fixed-rate round, s. */
  fixedSeconds: number;
  /** Whether a `nines-before` target ran (BENCH_BEFORE). */
  before: boolean;
}

/** Median of the finite values of `xs`; NaN when none. */
function median(xs: number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

/**
 * Which core limited a saturation row. Pinned: core 0 is the proxy's, core 1 the load's (wrk and
 * the upstream); a core ≥ 90% busy is called saturated (the proxy's own share is its CPU %).
 */
function bottleneck(mode: string, name: string, s: Saturation): string {
  const busy = (c: number | undefined): string => `${(c ?? NaN).toFixed(0)}%`;
  if (mode === 'unpinned') {
    const all = s.cores.reduce((a, b) => a + b, 0) / Math.max(1, s.cores.length);
    return `machine ${busy(all)} busy`;
  }
  if (name === 'direct') return `load core ${busy(s.cores[1])} (no proxy)`;
  const proxy = (s.cores[0] ?? 0) >= 90;
  const load = (s.cores[1] ?? 0) >= 90;
  const which = proxy && load ? 'both cores' : proxy ? 'proxy core' : load ? 'load core' : 'neither';
  return `${which} (proxy core ${busy(s.cores[0])}, load core ${busy(s.cores[1])} busy)`;
}

/** Prints the heading, the saturation table, the fixed-rate table and the ratio lines to stdout. */
export function report(m: Measured, o: ReportSettings): void {
  const fmt = (v: number | null | undefined): string =>
    v !== null && v !== undefined && Number.isFinite(v) ? v.toFixed(2) : '—';
  console.log(
    `\nbench:gateway — ${new Date().toISOString()}, node ${process.version}, ${m.cores} cores; saturation ${o.seconds} s per run (after ${o.warmSeconds} s warm-up); fixed rate ${o.rps} RPS, ${o.fixedRuns} rounds × ${o.fixedSeconds} s`,
  );
  console.log(
    `load average before: ${m.load0}; during the fixed-rate rounds (1 min): ${m.loadDuringFixed.join(', ')}; after: ${m.load1}\n`,
  );
  console.log('Saturation (wrk -t1 -c32, 2xx req/s). Pinned: proxy on core 0, wrk + upstream on core 1.\n');
  console.log('| mode | load | target | req/s | errors | proxy CPU % | req per proxy CPU-s | bottleneck |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const mode of ['unpinned', 'pinned']) {
    const ts = mode === 'pinned' ? m.pinnedTargets : m.targets;
    for (const kind of ['chat', 'stream']) {
      for (const t of ts) {
        const s = m.sat.get(`${mode}.${kind}.${t.name}`);
        if (!s) continue;
        console.log(
          `| ${mode} | ${kind} | ${t.name} | ${s.rps.toFixed(0)} | ${s.errors} | ${s.proxyCpu.toFixed(0)} | ${(s.rps / Math.max(0.01, s.proxyCpu / 100)).toFixed(0)} | ${bottleneck(mode, t.name, s)} |`,
        );
      }
    }
  }
  console.log(
    `\nFixed rate ${o.rps} RPS (open loop, ≤ ${LOAD_CONNECTIONS} connections, unpinned): median of ${o.fixedRuns} rounds; added = target − direct of the same round, median over rounds (ms)\n`,
  );
  console.log(
    '| load | target | p50 | p99 | p99.9 | added p50 | added p99 | added p99 per round | errors | RSS MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const kind of ['chat', 'stream']) {
    const direct = m.fixed.get(`${kind}.direct`) ?? [];
    for (const t of m.fixedTargets) {
      const runs = m.fixed.get(`${kind}.${t.name}`) ?? [];
      const added = (q: 'p50' | 'p99') => runs.map((r, i) => r[q] - (direct[i]?.[q] ?? NaN));
      const errors = runs.reduce((a, r) => a + r.errors, 0);
      const sent = runs.reduce((a, r) => a + r.sent, 0);
      const isDirect = t.name === 'direct';
      console.log(
        `| ${kind} | ${t.name} | ${fmt(median(runs.map((r) => r.p50)))} | ${fmt(median(runs.map((r) => r.p99)))} | ${fmt(median(runs.map((r) => r.p999)))} | ${isDirect ? '—' : fmt(median(added('p50')))} | ${isDirect ? '—' : fmt(median(added('p99')))} | ${isDirect ? '—' : added('p99').map(fmt).join(', ')} | ${errors}/${sent} | ${(m.rss.get(t.name) ?? NaN).toFixed(0)} |`,
      );
    }
  }
  console.log('');
  const rps = (k: string): number | undefined => m.sat.get(k)?.rps;
  const pct = (a: number | undefined, b: number | undefined): string =>
    a !== undefined && b ? `${((a / b) * 100).toFixed(0)}%` : '—';
  const x = (a: number | undefined, b: number | undefined): string =>
    a !== undefined && b ? `${(a / b).toFixed(1)}×` : '—';
  for (const kind of ['chat', 'stream']) {
    console.log(
      `${kind} saturation: nines/nginx(1 worker) unpinned = ${pct(rps(`unpinned.${kind}.nines`), rps(`unpinned.${kind}.nginx`))}, ` +
        `pinned = ${pct(rps(`pinned.${kind}.nines`), rps(`pinned.${kind}.nginx`))}; ` +
        `nines-cluster/nginx(auto) = ${pct(rps(`unpinned.${kind}.nines-cluster`), rps(`unpinned.${kind}.nginx-auto`))}; ` +
        `nines/portkey = ${x(rps(`unpinned.${kind}.nines`), rps(`unpinned.${kind}.portkey`))}` +
        (o.before
          ? `; nines-before/nginx(1) unpinned = ${pct(rps(`unpinned.${kind}.nines-before`), rps(`unpinned.${kind}.nginx`))}, pinned = ${pct(rps(`pinned.${kind}.nines-before`), rps(`pinned.${kind}.nginx`))}`
          : ''),
    );
  }
}
