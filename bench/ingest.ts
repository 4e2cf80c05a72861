/**
 * Ingest benchmark (`npm run bench:ingest`): probe results per second written to a SQLite file
 * through `Store.insertResults` (raw rows in one transaction per batch; minute, hour and day
 * rollups folded in memory and written at checkpoints, the last one by `close()`, which is
 * timed too), and the time to build a 30-day availability + p95 report for 1,000 targets: through the
 * report service (`createReportService`, day rollups + edge hours via `summarizeWindow`), and,
 * with --legacy, the older hour-rollup paths for comparison.
 * Figures are medians of several runs, wall and CPU time; the load average is printed because the
 * figures depend on it.
 * Options: --targets N --interval S --minutes N (one custom load instead of the two defaults)
 * --runs N --batch N,N --only ingest|report --legacy
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuantileSketch } from '../src/core/sketch.ts';
import { createReportService } from '../src/services/reports.ts';
import { summarizeWindow } from '../src/store/summarize-window.ts';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/store.ts';
import type { ProbeResult } from '../src/store/types.ts';
import { rng, seedHourRollups } from './ingest-seed.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const CUSTOM = ['targets', 'minutes', 'interval'].some((o) => process.argv.includes(`--${o}`));
const TARGETS = Number(arg('targets', '1000'));
const MINUTES = Number(arg('minutes', '120'));
const INTERVAL_S = Number(arg('interval', '60'));
const RUNS = Number(arg('runs', '3'));
const BATCHES = arg('batch', '1000,5000').split(',').map(Number);
const ONLY = arg('only', 'all');
const LEGACY = process.argv.includes('--legacy');
const REPORT_DAYS = 30;
/** Days of rollups seeded: one more than reported, so an unaligned 30-day window has data. */
const SEED_DAYS = REPORT_DAYS + 1;

/**
 * One result per target every `intervalS` seconds for `minutes`, ordered by time as a scheduler
 * would produce them (targets spread over the interval).
 */
function makeResults(targets: number, minutes: number, intervalS: number): ProbeResult[] {
  const rand = rng(42);
  const out: ProbeResult[] = [];
  const rounds = Math.round((minutes * 60) / intervalS);
  for (let m = 0; m < rounds; m++) {
    for (let t = 0; t < targets; t++) {
      const latency = 80 + rand() * 400 + (rand() < 0.02 ? 5000 : 0);
      const failed = rand() < 0.01;
      out.push({
        target: `target-${t}`,
        at: START + m * intervalS * 1000 + (t % intervalS) * 1000,
        outcome: failed ? 'failed' : 'ok',
        latencyMs: latency,
        timings: { connectMs: 3, ttfbMs: latency * 0.4, ttftMs: latency * 0.5, totalMs: latency },
        status: failed ? 503 : 200,
        ...(failed ? { errorClass: 'http_5xx' as const, error: 'HTTP 503' } : {}),
        location: 'local',
      });
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function withStore<T>(fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-bench-'));
  const store = openSqliteStore({ path: join(dir, 'bench.db') });
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One ingest run into a fresh file: results/s by wall clock and by this process's CPU time. */
async function ingestRun(results: ProbeResult[], batch: number): Promise<{ wall: number; cpu: number }> {
  return withStore(async (store) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < results.length; i += batch) await store.insertResults(results.slice(i, i + batch));
    // Counted: close() writes the rollups still held in memory (the last checkpoint).
    await store.close();
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { wall: results.length / wallS, cpu: results.length / ((cpu.user + cpu.system) / 1e6) };
  });
}

/** An ingest load: how many targets, probed how often, for how long. */
interface Scenario {
  targets: number;
  intervalS: number;
  minutes: number;
}

/**
 * Default loads: one result per target and minute (the minute tier's worst case: a minute bucket
 * per result), and the probe benchmark's 10,000 targets at a 10 s interval.
 */
const SCENARIOS: Scenario[] = CUSTOM
  ? [{ targets: TARGETS, intervalS: INTERVAL_S, minutes: MINUTES }]
  : [
      { targets: 1000, intervalS: 60, minutes: 120 },
      { targets: 10_000, intervalS: 10, minutes: 6 },
    ];

async function ingestBench(): Promise<void> {
  for (const scenario of SCENARIOS) await ingestScenario(scenario);
}

async function ingestScenario({ targets, intervalS, minutes }: Scenario): Promise<void> {
  const results = makeResults(targets, minutes, intervalS);
  console.log(
    `\nIngest: ${results.length.toLocaleString()} results (${targets} targets every ${intervalS} s for ${minutes} min), insertResults + final checkpoint`,
  );
  const fmt = (x: number) => Math.round(x).toLocaleString().padStart(9);
  for (const batch of BATCHES) {
    const runs: { wall: number; cpu: number }[] = [];
    for (let r = 0; r < RUNS; r++) runs.push(await ingestRun(results, batch));
    const wall = runs.map((x) => x.wall);
    const cpu = runs.map((x) => x.cpu);
    console.log(
      `  batch ${String(batch).padStart(5)}: ${fmt(median(wall))} results/s wall, ${fmt(median(cpu))} results/s per CPU-second` +
        `  (wall runs: ${wall.map((x) => Math.round(x)).join(', ')})`,
    );
  }
}

type Report = Map<string, { availability: number; p95: number }>;

/**
 * The report the way src/services/reports.ts builds it today: read every hour rollup
 * (`queryRollups`), sum counts and merge sketches per target in JavaScript.
 */
async function reportFromRollups(store: SqliteStore, targets: string[]): Promise<Report> {
  const rollups = await store.queryRollups({
    tier: 'hour',
    from: START,
    to: START + REPORT_DAYS * DAY,
    targets,
  });
  const acc = new Map<string, { total: number; good: number; sketch: QuantileSketch }>();
  for (const r of rollups) {
    let a = acc.get(r.target);
    if (!a) acc.set(r.target, (a = { total: 0, good: 0, sketch: new QuantileSketch() }));
    a.total += r.total;
    a.good += r.ok + r.degraded;
    a.sketch.mergeSerialized(r.latencySketch);
  }
  const out: Report = new Map();
  for (const [t, a] of acc) out.set(t, { availability: a.good / a.total, p95: a.sketch.quantile(0.95) });
  return out;
}

/** The report from day rollups plus edge hours (`summarizeWindow`), for a window from `from`. */
async function reportFromWindow(store: SqliteStore, targets: string[], from: number): Promise<Report> {
  const out: Report = new Map();
  for (const s of await summarizeWindow(store, { from, to: from + REPORT_DAYS * DAY, targets })) {
    out.set(s.target, {
      availability: (s.ok + s.degraded) / s.total,
      p95: QuantileSketch.deserialize(s.latencySketch).quantile(0.95),
    });
  }
  return out;
}

/** The whole report service (`nines report`, `/api/v1/reports`) for the window ending at `now`. */
async function reportFromService(store: SqliteStore, targets: string[], now: number): Promise<Report> {
  const service = createReportService({ store, targetNames: () => targets });
  const out: Report = new Map();
  for (const r of await service.targetReports(REPORT_DAYS * DAY, now)) {
    out.set(r.target, { availability: r.resultAvailability ?? NaN, p95: r.latencyP95Ms ?? NaN });
  }
  return out;
}

/** The same report through `summarizeRollups`, which folds inside SQLite. */
async function reportFromSummaries(store: SqliteStore, targets: string[]): Promise<Report> {
  const summaries = await store.summarizeRollups({
    tier: 'hour',
    from: START,
    to: START + REPORT_DAYS * DAY,
    targets,
  });
  const out: Report = new Map();
  for (const s of summaries) {
    out.set(s.target, {
      availability: (s.ok + s.degraded) / s.total,
      p95: QuantileSketch.deserialize(s.latencySketch).quantile(0.95),
    });
  }
  return out;
}

async function reportBench(): Promise<void> {
  console.log(`\nReport: 30-day availability + p95 for ${TARGETS} targets`);
  await withStore(async (store) => {
    const t0 = performance.now();
    seedHourRollups(store, TARGETS, SEED_DAYS);
    const rows = TARGETS * SEED_DAYS * 25;
    console.log(
      `  seeded ${rows.toLocaleString()} hour + day rollups (${SEED_DAYS} days) in ${Math.round(performance.now() - t0)} ms`,
    );
    const targets = Array.from({ length: TARGETS }, (_, t) => `target-${t}`);
    // An unaligned window, as `nines report` at 13:30 UTC asks: 29 whole days + 23 edge hours.
    const offset = 13 * HOUR + 30 * 60_000;
    const variants: [string, (store: SqliteStore, targets: string[]) => Promise<Report>][] = [
      ['service, window on day edges', (s, t) => reportFromService(s, t, START + REPORT_DAYS * DAY)],
      ['service, window at 13:30', (s, t) => reportFromService(s, t, START + REPORT_DAYS * DAY + offset)],
      ['summarizeWindow, at 13:30', (s, t) => reportFromWindow(s, t, START + offset)],
    ];
    if (LEGACY) {
      variants.push(['summarizeRollups hour (SQL)', reportFromSummaries]);
      variants.push(['queryRollups hour + JS fold', reportFromRollups]);
    }
    // One untimed pass of every variant first, so the figures are of JIT-compiled code.
    for (const [, run] of variants) await run(store, targets);
    for (const [name, run] of variants) {
      const wall: number[] = [];
      const cpu: number[] = [];
      let last: Report = new Map();
      for (let r = 0; r < RUNS; r++) {
        const c0 = process.cpuUsage();
        const s = performance.now();
        last = await run(store, targets);
        wall.push(performance.now() - s);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      }
      const sample = last.get('target-0')!;
      console.log(
        `  ${name.padEnd(29)}: ${median(wall).toFixed(0).padStart(6)} ms wall, ${median(cpu).toFixed(0).padStart(6)} ms CPU median ` +
          `(wall runs: ${wall.map((t) => t.toFixed(0)).join(', ')} ms); ${last.size} targets, ` +
          `target-0 availability ${(sample.availability * 100).toFixed(3)}%, p95 ${sample.p95.toFixed(1)} ms`,
      );
    }
  });
}

async function main(): Promise<void> {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `nines bench:ingest — node ${process.version}, load average ${load}, SQLite in ${tmpdir()}, ${RUNS} runs each`,
  );
  if (ONLY !== 'report') await ingestBench();
  if (ONLY !== 'ingest') await reportBench();
}

await main();
