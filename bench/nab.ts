/**
 * `npm run bench:nab`: runs `nines detect` (the real CLI, one process per file) over every file of
 * the NAB subset in ../shared/nab/data (or $NAB_DIR), scores the outputs with the project's NAB
 * scorer and prints the three profile scores beside the published figures, then per category.
 *
 * Options: `--in-process` calls runDetectCommand in this process instead of spawning the CLI
 * (same code path after argument parsing; quicker on a busy machine). `--robust` runs the
 * robustness checks instead: leave-one-category-out parameter choice (each category scored with
 * the parameters and thresholds chosen on the others) and false positives on synthetic
 * anomaly-free series shaped like the held-back NAB kinds (counts with bursts, temperatures,
 * weekly seasonality).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { runDetectCommand } from '../src/cli/commands/detect.ts';
import { createDetector, type DetectorParams } from '../src/detect/detector.ts';
import {
  NAB_PROFILES,
  probationaryRows,
  scoreAllProfiles,
  scoreCorpus,
  windowsToRows,
  type NabFile,
  type NabProfileName,
} from '../src/detect/nab-scorer.ts';

const repoRoot = resolve(import.meta.dirname, '..');
/** Where the NAB subset lives: $NAB_DIR or ../shared/nab next to the repository. */
export const nabDir = process.env.NAB_DIR ?? resolve(repoRoot, '../shared/nab');

/** Published figures on this subset (from shared/nab/README.md): standard, low FP, low FN. */
export const PUBLISHED: [string, number, number, number][] = [
  ['ARTime', 74.8, 66.23, 79.87],
  ['Numenta HTM', 75.36, 70.43, 78.91],
  ['CAD OSE', 76.98, 72.96, 80.65],
  ['earthgecko Skyline', 61.11, 51.71, 66.08],
  ['Random Cut Forest', 57.43, 47.59, 64.29],
  ['KNN CAD', 55.04, 44.74, 60.02],
  ['Twitter ADVec', 45.8, 32.5, 52.53],
  ['Windowed Gaussian', 37.09, 18.84, 45.39],
];

/** One NAB data file: its key (`category/file.csv`), timestamps, values and labelled windows. */
export interface NabSeries {
  key: string;
  timestamps: string[];
  timesMs: number[];
  values: number[];
  windows: [string, string][];
}

/** Loads every labelled file of the NAB subset (sorted by key). */
export function loadNabCorpus(dir = nabDir): NabSeries[] {
  const windows = JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  return Object.keys(windows)
    .sort()
    .map((key) => {
      const lines = readFileSync(join(dir, 'data', key), 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      const timestamps = lines.map((l) => l.split(',')[0]!.trim());
      return {
        key,
        timestamps,
        timesMs: timestamps.map((t) => Date.parse(`${t.replace(' ', 'T')}Z`)),
        values: lines.map((l) => Number(l.split(',')[1])),
        windows: windows[key]!,
      };
    });
}

function readScores(csv: string): { timestamps: string[]; scores: number[] } {
  const rows = csv.trim().split('\n').slice(1);
  return {
    timestamps: rows.map((r) => r.split(',')[0]!),
    scores: rows.map((r) => Number(r.split(',')[2])),
  };
}

async function detectWithCli(input: string, output: string, inProcess: boolean): Promise<void> {
  if (inProcess) {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const code = await runDetectCommand([input, '--allow-unordered', '--out', output], {
      stdout: sink,
      stderr: process.stderr,
    });
    if (code !== 0) throw new Error(`nines detect ${input} exited ${code}`);
    return;
  }
  await new Promise<void>((ok, bad) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/nines.js'), 'detect', input, '--allow-unordered', '--out', output],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let errText = '';
    child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    child.on('error', bad);
    child.on('close', (code) =>
      code === 0 ? ok() : bad(new Error(`nines detect ${input} exited ${code}: ${errText.trim()}`)),
    );
  });
}

async function main(): Promise<void> {
  const inProcess = process.argv.includes('--in-process');
  const keys = Object.keys(JSON.parse(readFileSync(join(nabDir, 'windows.json'), 'utf8'))).sort();
  const cats = readdirSync(join(nabDir, 'data')).sort();
  const work = mkdtempSync(join(tmpdir(), 'nines-nab-'));
  const started = performance.now();
  const files: NabFile[] = [];
  const windows = JSON.parse(readFileSync(join(nabDir, 'windows.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const outputs = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const out = join(work, key.replace('/', '__'));
      await detectWithCli(join(nabDir, 'data', key), out, inProcess);
      outputs.set(key, out);
    }
  };
  await Promise.all(Array.from({ length: inProcess ? 1 : 2 }, worker));
  for (const key of keys) {
    const { timestamps, scores } = readScores(readFileSync(outputs.get(key)!, 'utf8'));
    if (scores.some((s) => !(s >= 0 && s <= 1))) throw new Error(`${key}: score outside [0, 1]`);
    files.push({ name: key, scores, windows: windowsToRows(timestamps, windows[key]!) });
  }
  rmSync(work, { recursive: true, force: true });
  const seconds = (performance.now() - started) / 1000;
  const r = scoreAllProfiles(files);
  const profiles: NabProfileName[] = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];
  const fmt = (x: number): string => x.toFixed(2).padStart(8);
  const windowCount = files.reduce((n, f) => n + f.windows.length, 0);
  const via = inProcess ? 'runDetectCommand (in-process)' : 'bin/nines.js detect';
  console.log(
    `NAB subset: ${files.length} files, ${windowCount} windows, scored via ${via} in ${seconds.toFixed(1)} s`,
  );
  console.log(
    `${'detector'.padEnd(22)}${'standard'.padStart(9)}${'low FP'.padStart(9)}${'low FN'.padStart(9)}`,
  );
  console.log(
    `${'nines (default)'.padEnd(22)} ${profiles.map((p) => fmt(r[p].normalized)).join(' ')}   <- this run`,
  );
  for (const [name, a, b, c] of PUBLISHED) console.log(`${name.padEnd(22)} ${[a, b, c].map(fmt).join(' ')}`);
  console.log(
    `thresholds: ${profiles.map((p) => `${p}=${r[p].threshold.toFixed(4)}`).join(' ')}; standard: ${r.standard.tp} in-window detections, ${r.standard.fp} false positives, ${r.standard.fn} windows missed`,
  );
  console.log('\nper category (threshold re-optimised within the category):');
  for (const c of cats) {
    const sub = files.filter((f) => f.name.startsWith(`${c}/`));
    if (sub.every((f) => f.windows.length === 0)) {
      const t = r.standard.threshold;
      const fps = sub.reduce(
        (n, f) =>
          n +
          f.scores.filter((s, i) => s >= t && i >= Math.min(Math.floor(0.15 * f.scores.length), 750)).length,
        0,
      );
      console.log(`  ${c.padEnd(24)} no windows; ${fps} detections at the corpus standard threshold`);
      continue;
    }
    const cr = scoreAllProfiles(sub);
    console.log(`  ${c.padEnd(24)} ${profiles.map((p) => fmt(cr[p].normalized)).join(' ')}`);
  }
}

/** Scores every corpus file with a detector built from `params` (in-process, no CLI). */
export function detectCorpus(corpus: readonly NabSeries[], params: Partial<DetectorParams> = {}): NabFile[] {
  return corpus.map((f) => {
    const d = createDetector(params);
    const scores = f.values.map((v, i) => d.update(f.timesMs[i]!, v));
    return { name: f.key, scores, windows: windowsToRows(f.timestamps, f.windows) };
  });
}

const PROFILE_NAMES: NabProfileName[] = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];

/**
 * Parameter grid of the leave-one-category-out check: the new sustained-shift feature's two
 * parameters and the two older ones the score is most sensitive to, each around its default.
 */
const LOCO_GRID: Record<string, number[]> = {
  wSustained: [0, 0.25, 0.5],
  sustainedMinWidth: [0.1, 0.2, 0.3],
  wSeason: [0.5, 0.75, 1],
  decay: [0.00001, 0.00003, 0.0001],
};

function gridPoints(grid: Record<string, number[]>): Partial<DetectorParams>[] {
  let out: Record<string, number>[] = [{}];
  for (const [k, vs] of Object.entries(grid)) out = out.flatMap((o) => vs.map((v) => ({ ...o, [k]: v })));
  return out as Partial<DetectorParams>[];
}

/** Deterministic uniform [0, 1) generator (Park–Miller). */
function rng(seed: number): () => number {
  let x = seed % 2147483647 || 1;
  return () => (x = (x * 16807) % 2147483647) / 2147483647;
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Synthetic anomaly-free series shaped like the held-back kinds: [name, stepMs, values]. */
export function syntheticSeries(seed: number): [string, number, number[]][] {
  const r = rng(seed);
  const day = 86_400_000;
  // Tweet-like counts every 5 min: daily cycle, Poisson-ish noise, bursts of similar size ~daily.
  const counts: number[] = [];
  let burst = 0;
  let burstGain = 1;
  for (let i = 0; i < 15_000; i++) {
    const phase = (2 * Math.PI * i) / 288;
    const rate = 12 + 8 * Math.sin(phase) + (burst > 0 ? 12 * burstGain : 0);
    if (burst > 0) burst--;
    else if (r() < 1 / 300) {
      burst = 3 + Math.floor(r() * 15);
      burstGain = 1 + 2 * r();
    }
    counts.push(Math.max(0, Math.round(rate + Math.sqrt(rate) * gauss(r))));
  }
  // Machine/ambient temperature every 5 min: daily cycle, AR(1) noise, slow wandering level.
  const temps: number[] = [];
  let ar = 0;
  let level = 70;
  for (let i = 0; i < 15_000; i++) {
    ar = 0.9 * ar + 0.4 * gauss(r);
    level += 0.02 * gauss(r) - 0.0005 * (level - 70);
    temps.push(level + 3 * Math.sin((2 * Math.PI * i) / 288) + ar);
  }
  // Taxi / ad-exchange-like demand every 30 min: daily shape, weekday/weekend difference, noise.
  const weekly: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const hour = (i / 2) % 24;
    const dow = Math.floor(i / 48) % 7;
    const dayShape = Math.max(0.15, Math.sin((Math.PI * (hour - 5)) / 19)) * (dow >= 5 ? 0.7 : 1);
    weekly.push(15_000 * dayShape * (1 + 0.08 * gauss(r)) + 500 * gauss(r));
  }
  return [
    ['counts with bursts (5 min)', 300_000, counts],
    ['temperature (5 min)', 300_000, temps],
    ['weekly seasonality (30 min)', day / 48, weekly],
  ];
}

function robust(): void {
  const corpus = loadNabCorpus();
  const cats = [...new Set(corpus.map((f) => f.key.split('/')[0]!))].sort();
  const fmt = (x: number): string => x.toFixed(2).padStart(8);
  const points = gridPoints(LOCO_GRID);
  console.log(
    `leave-one-category-out: ${points.length} parameter sets (${Object.entries(LOCO_GRID)
      .map(([k, v]) => `${k} ∈ {${v.join(', ')}}`)
      .join(', ')})`,
  );
  console.log(
    'parameters and per-profile thresholds chosen on the other categories (best mean of the three)',
  );
  const runs = points.map((params) => ({ params, files: detectCorpus(corpus, params) }));
  const defaults = detectCorpus(corpus);
  const inCat = (c: string) => (f: NabFile) => f.name.startsWith(`${c}/`);
  for (const c of cats) {
    let best: { params: Partial<DetectorParams>; mean: number; files: NabFile[]; th: number[] } | undefined;
    for (const run of runs) {
      const train = run.files.filter((f) => !inCat(c)(f));
      const rs = PROFILE_NAMES.map((p) => scoreCorpus(train, NAB_PROFILES[p]));
      const mean = rs.reduce((a, x) => a + x.normalized, 0) / 3;
      if (!best || mean > best.mean) best = { ...run, mean, th: rs.map((x) => x.threshold) };
    }
    const test = best!.files.filter(inCat(c));
    const chosen = Object.entries(best!.params)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    if (test.every((f) => f.windows.length === 0)) {
      const fps = test.reduce(
        (n, f) =>
          n + f.scores.filter((s, i) => s >= best!.th[0]! && i >= probationaryRows(f.scores.length)).length,
        0,
      );
      console.log(`  ${c.padEnd(24)} no windows: ${fps} detections (chosen: ${chosen})`);
      continue;
    }
    const held = PROFILE_NAMES.map((p, k) => scoreCorpus(test, NAB_PROFILES[p], best!.th[k]).normalized);
    const defTrain = defaults.filter((f) => !inCat(c)(f));
    const defTh = PROFILE_NAMES.map((p) => scoreCorpus(defTrain, NAB_PROFILES[p]).threshold);
    const def = PROFILE_NAMES.map(
      (p, k) => scoreCorpus(defaults.filter(inCat(c)), NAB_PROFILES[p], defTh[k]).normalized,
    );
    console.log(`  ${c.padEnd(24)}${held.map(fmt).join('')}   (chosen: ${chosen})`);
    console.log(
      `  ${''.padEnd(24)}${def.map(fmt).join('')}   (defaults, thresholds from the other categories)`,
    );
  }

  const th = scoreAllProfiles(defaults).standard.threshold;
  console.log(
    `\nsynthetic anomaly-free series (3 seeds each): detections at the corpus standard threshold ${th.toFixed(3)}`,
  );
  const variants: [string, Partial<DetectorParams>][] = [
    ['defaults', {}],
    ['without sustained shift', { wSustained: 0 }],
  ];
  for (const [label, params] of variants) {
    const parts: string[] = [];
    const bySeries = new Map<string, [number, number]>();
    for (const seed of [1, 2, 3]) {
      for (const [name, stepMs, values] of syntheticSeries(seed)) {
        const d = createDetector(params);
        const t0 = Date.UTC(2024, 0, 1);
        const prob = probationaryRows(values.length);
        let hits = 0;
        values.forEach((v, i) => {
          if (d.update(t0 + i * stepMs, v) >= th && i >= prob) hits++;
        });
        const [h, n] = bySeries.get(name) ?? [0, 0];
        bySeries.set(name, [h + hits, n + values.length - prob]);
      }
    }
    for (const [name, [h, n]] of bySeries) parts.push(`${name}: ${h} in ${n.toLocaleString('en-US')} points`);
    console.log(`  ${label.padEnd(24)} ${parts.join('; ')}`);
  }
  const nabFp = scoreAllProfiles(defaults).standard.fp;
  const nabPoints = defaults.reduce((n, f) => n + f.scores.length - probationaryRows(f.scores.length), 0);
  console.log(
    `  (for scale: ${nabFp} false-positive rows in ${nabPoints.toLocaleString('en-US')} scored NAB-subset points at that threshold)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/nab.ts')) {
  if (process.argv.includes('--robust')) robust();
  else await main();
}
