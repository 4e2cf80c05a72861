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
  /** `<mode>.<load>.<target>` → one saturation run per round. */
  sat: Map<string, Saturation[]>;
  /** `<mode>.<load>.<target>` → one fixed-rate run per round. */
  fixed: Map<string, FixedResult[]>;
  rss: Map<string, number>;
}

/** The run's settings, as the report's heading states them. */
export interface ReportSettings {
  /** Saturation run, s. */
  seconds: number;
  /** Warm-up before a target's first saturation run, s. */
  warmSeconds: number;
  /** Saturation rounds. */
  satRuns: number;
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

/** The run with the median req/s (the lower middle one of an even count). */
function medianRun(runs: Saturation[] | undefined): Saturation | undefined {
  if (!runs || runs.length === 0) return undefined;
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)];
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
    `\nbench:gateway — ${new Date().toISOString()}, node ${process.version}, ${m.cores} cores; saturation ${o.satRuns} rounds × ${o.seconds} s per target (after ${o.warmSeconds} s warm-up, then 1 s); fixed rate ${o.rps} RPS, ${o.fixedRuns} rounds × ${o.fixedSeconds} s`,
  );
  console.log(
    `load average before: ${m.load0}; during the fixed-rate rounds (1 min): ${m.loadDuringFixed.join(', ')}; after: ${m.load1}\n`,
  );
  console.log(
    'Saturation (wrk -t1 -c32, 2xx req/s), median of the rounds (the row is that round); pinned: proxy on core 0, wrk + upstream on core 1.\n',
  );
  console.log(
    '| mode | load | target | req/s | per round | errors | proxy CPU % | req per proxy CPU-s | bottleneck |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const mode of ['unpinned', 'pinned']) {
    const ts = mode === 'pinned' ? m.pinnedTargets : m.targets;
    for (const kind of ['chat', 'stream']) {
      for (const t of ts) {
        const runs = m.sat.get(`${mode}.${kind}.${t.name}`);
        const s = medianRun(runs);
        if (!runs || !s) continue;
        const errors = runs.reduce((a, r) => a + r.errors, 0);
        console.log(
          `| ${mode} | ${kind} | ${t.name} | ${s.rps.toFixed(0)} | ${runs.map((r) => r.rps.toFixed(0)).join(', ')} | ${errors} | ${s.proxyCpu.toFixed(0)} | ${(s.rps / Math.max(0.01, s.proxyCpu / 100)).toFixed(0)} | ${bottleneck(mode, t.name, s)} |`,
        );
      }
    }
  }
  for (const mode of ['unpinned', 'pinned']) {
    const ts = mode === 'pinned' ? m.fixedTargets.filter((t) => m.pinnedTargets.includes(t)) : m.fixedTargets;
    if (!m.fixed.has(`${mode}.chat.direct`)) continue;
    console.log(
      `\nFixed rate ${o.rps} RPS, ${mode} (open loop, ≤ ${LOAD_CONNECTIONS} connections${mode === 'pinned' ? '; proxy on core 0, load generator + upstream on core 1' : ''}): median of ${o.fixedRuns} rounds; added = target − direct of the same round, median over rounds (ms)\n`,
    );
    console.log(
      '| load | target | p50 | p99 | p99.9 | added p50 | added p99 | added p99 per round | errors | RSS MB |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const kind of ['chat', 'stream']) {
      const direct = m.fixed.get(`${mode}.${kind}.direct`) ?? [];
      for (const t of ts) {
        const runs = m.fixed.get(`${mode}.${kind}.${t.name}`) ?? [];
        const added = (q: 'p50' | 'p99') => runs.map((r, i) => r[q] - (direct[i]?.[q] ?? NaN));
        const errors = runs.reduce((a, r) => a + r.errors, 0);
        const sent = runs.reduce((a, r) => a + r.sent, 0);
        const isDirect = t.name === 'direct';
        console.log(
          `| ${kind} | ${t.name} | ${fmt(median(runs.map((r) => r.p50)))} | ${fmt(median(runs.map((r) => r.p99)))} | ${fmt(median(runs.map((r) => r.p999)))} | ${isDirect ? '—' : fmt(median(added('p50')))} | ${isDirect ? '—' : fmt(median(added('p99')))} | ${isDirect ? '—' : added('p99').map(fmt).join(', ')} | ${errors}/${sent} | ${(m.rss.get(t.name) ?? NaN).toFixed(0)} |`,
        );
      }
    }
  }
  console.log('');
  // A ratio is taken per round (the two runs of a round are minutes apart at most), then the
  // median over rounds is printed with each round's figure.
  const ratios = (a: string, b: string): number[] => {
    const ra = m.sat.get(a) ?? [];
    const rb = m.sat.get(b) ?? [];
    return ra.map((r, i) => r.rps / (rb[i]?.rps ?? NaN)).filter(Number.isFinite);
  };
  const pct = (a: string, b: string): string => {
    const r = ratios(a, b);
    return r.length
      ? `${(median(r) * 100).toFixed(0)}% (${r.map((v) => (v * 100).toFixed(0)).join('/')})`
      : '—';
  };
  const x = (a: string, b: string): string => {
    const r = ratios(a, b);
    return r.length ? `${median(r).toFixed(1)}×` : '—';
  };
  for (const kind of ['chat', 'stream']) {
    console.log(
      `${kind} saturation: nines/nginx(1 worker) unpinned = ${pct(`unpinned.${kind}.nines`, `unpinned.${kind}.nginx`)}, ` +
        `pinned = ${pct(`pinned.${kind}.nines`, `pinned.${kind}.nginx`)}; ` +
        `nines-cluster/nginx(auto) = ${pct(`unpinned.${kind}.nines-cluster`, `unpinned.${kind}.nginx-auto`)}; ` +
        `nines/portkey = ${x(`unpinned.${kind}.nines`, `unpinned.${kind}.portkey`)}` +
        (o.before
          ? `; nines-before/nginx(1) unpinned = ${pct(`unpinned.${kind}.nines-before`, `unpinned.${kind}.nginx`)}, pinned = ${pct(`pinned.${kind}.nines-before`, `pinned.${kind}.nginx`)}`
          : ''),
    );
  }
}
