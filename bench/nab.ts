/**
 * `npm run bench:nab`: runs `nines detect` (the real CLI, one process per file) over every file of
 * the NAB subset in ../shared/nab/data (or $NAB_DIR), scores the outputs with the project's NAB
 * scorer and prints the three profile scores beside the published figures, then per category.
 *
 * Options: `--in-process` calls runDetectCommand in this process instead of spawning the CLI
 * (same code path after argument parsing; quicker on a busy machine).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { runDetectCommand } from '../src/cli/commands/detect.ts';
import {
  scoreAllProfiles,
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

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/nab.ts')) {
  await main();
}
