/**
 * `npm run bench:gateway` — the gateway's hot path against its peers, side by side in one run.
 *
 * A loopback upstream (own process) answers a small chat completion and a 50-chunk SSE stream.
 * The same load goes to (a) the upstream directly, (b) nines in one process, (c) nines as
 * node:cluster workers, one per core (a bench-only layout: nines ships one process), (d) Debian's
 * nginx proxy_pass with `worker_processes 1` and (e) with `auto` (keep-alive upstream, buffering
 * off), (f) the Portkey gateway from npm (routed by its x-portkey-config header; installed with
 * `npm install --no-save` into /tmp/portkey when missing).
 *
 * Reported per target: saturation throughput (wrk, 1 thread, 32 connections, 2xx only) in two
 * modes, with the CPU each used: `unpinned` (every process floats over all cores) and, on a
 * machine with 2+ cores, `pinned` (the proxy under test alone on core 0 with `taskset`, wrk and
 * the upstream together on core 1; one nginx worker, one nines process), where the row says
 * which core was the bottleneck. Saturation runs in rounds that alternate the targets; the median
 * round is reported with every round's figure, and ratios are taken within a round. Then latency
 * at a fixed rate, unpinned and pinned (the generator then on core 1), from an open-loop generator
 * (role `load`: requests are sent on a fixed schedule whether or not earlier ones answered, over
 * up to 256 keep-alive connections, each timed from its send to the last byte of the answer;
 * wrk2 is not in Debian), in several rounds that alternate the targets so drift hits all alike;
 * the latency each proxy adds over direct (target − direct of the same round, per percentile,
 * median over rounds), and RSS after the load.
 *
 * Every server is its own process; unpinned, all share the machine's cores with the load
 * generators, so figures are relative: compare columns of one run, not runs of different days.
 *
 * This file holds the settings, `main()` and the role dispatch: it re-executes itself with a role
 * argument (`upstream`, `nines`, `load`) for each child process. The rest is in bench/gateway/:
 * roles.ts (what the child processes run), measure.ts (processes, /proc, wrk, taskset, the
 * fixed-rate run), targets.ts (starting direct, nines, nginx, Portkey), report.ts (the tables).
 *
 * Env: BENCH_SECONDS (saturation run, default 5), BENCH_SAT_RUNS (saturation rounds, default 3),
 * BENCH_FIXED_MODES (default unpinned,pinned), BENCH_RPS (default 1000), BENCH_FIXED_RUNS
 * (rounds at the fixed rate, default 3), BENCH_FIXED_SECONDS (per round, default 12),
 * BENCH_FIXED_TARGETS (targets measured at the fixed rate, default direct,nines,nines-records,nines-before,nginx),
 * BENCH_PINNED=0 (skip the pinned mode), BENCH_SKIP_PORTKEY=1, BENCH_TARGETS (comma list of
 * target names to run; direct is always run), BENCH_BEFORE (adds a `nines-before` target, for
 * before/after figures in the same run). Target `nines-records` is nines recording every request
 * into SQLite through the store's buffered writer, as `nines serve` does. Needs Debian's `wrk` and
 * `nginx` (`./scripts/install-bench-deps.sh`).
 *
 * BENCH_BEFORE=<dir>: `<dir>` holds an earlier nines, run as `node --import tsx
 * <dir>/bench/gateway.ts nines <port> <upstream port> 1` (that checkout's gateway, configured by
 * that checkout's bench code). Nothing is copied into it; it needs `src/`, `bench/gateway.ts`
 * and, when that file is from after the split into bench/gateway/, `bench/gateway/` too (the
 * entry imports all four modules); plus, for Node and tsx, a `package.json` with
 * `"type": "module"` and a `node_modules` (a symlink to this checkout's will do). E.g.
 * `git archive <commit> src bench/gateway.ts bench/gateway package.json | tar -x -C <dir>` (no
 * `bench/gateway` for a commit from before the split) and `ln -s "$PWD/node_modules" <dir>/`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  fixedRate,
  freePort,
  loadavg,
  pin,
  rssMb,
  stopAll,
  TMP,
  wrk,
  type Saturation,
  type Target,
} from './gateway/measure.ts';
import { report } from './gateway/report.ts';
import { runLoad, runNines, runUpstream, type FixedResult } from './gateway/roles.ts';
import { directTarget, startNginx, startNines, startPortkey, startUpstream } from './gateway/targets.ts';

const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Saturation rounds, each alternating the targets (the median is reported). */
const SAT_RUNS = Number(process.env.BENCH_SAT_RUNS ?? 3);
/** Warm-up before a target's first saturation run (JIT, connections); 1 s before later ones. */
const WARM_SECONDS = 2;
const RPS = Number(process.env.BENCH_RPS ?? 1000);
const FIXED_RUNS = Number(process.env.BENCH_FIXED_RUNS ?? 3);
const FIXED_SECONDS = Number(process.env.BENCH_FIXED_SECONDS ?? 12);
const FIXED_TARGETS = (
  process.env.BENCH_FIXED_TARGETS ?? 'direct,nines,nines-records,nines-before,nginx'
).split(',');
const PINNED = process.env.BENCH_PINNED !== '0';
/** Fixed-rate modes: unpinned, and pinned (proxy on core 0, load and upstream on core 1). */
const FIXED_MODES = (process.env.BENCH_FIXED_MODES ?? 'unpinned,pinned').split(',');
/** Targets measured pinned: one process (or one nginx worker) on one core. */
const PINNED_TARGETS = ['direct', 'nines', 'nines-records', 'nines-before', 'nginx'];
const ONLY = process.env.BENCH_TARGETS?.split(',');
/** An earlier nines (see the header for what it must hold): adds a `nines-before` target. */
const BEFORE = process.env.BENCH_BEFORE;

const wanted = (name: string): boolean => !ONLY || ONLY.includes(name);

async function main(): Promise<void> {
  for (const tool of ['wrk', '/usr/sbin/nginx', 'taskset']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`bench:gateway needs ${tool} (Debian: apt-get install wrk nginx util-linux)`);
  }
  if (BEFORE && !existsSync(`${BEFORE}/bench/gateway.ts`))
    throw new Error(
      `BENCH_BEFORE=${BEFORE} needs an earlier nines there (src/, bench/gateway.ts; see bench/gateway.ts)`,
    );
  mkdirSync(TMP, { recursive: true });
  const cores = availableParallelism();
  const up = await freePort();
  const upChild = await startUpstream(SELF, up);
  const targets: Target[] = [directTarget(up, upChild)];
  if (wanted('nines')) targets.push(await startNines('nines', up, 1, SELF));
  if (wanted('nines-records')) targets.push(await startNines('nines-records', up, 1, SELF, true));
  if (BEFORE) targets.push(await startNines('nines-before', up, 1, `${BEFORE}/bench/gateway.ts`));
  if (wanted('nines-cluster') && cores > 1) targets.push(await startNines('nines-cluster', up, cores, SELF));
  if (wanted('nginx')) targets.push(await startNginx('nginx', up, '1'));
  if (wanted('nginx-auto') && cores > 1) targets.push(await startNginx('nginx-auto', up, 'auto'));
  const portkey = wanted('portkey') ? await startPortkey(up) : undefined;
  if (portkey) targets.push(portkey);

  const load0 = loadavg();
  const kinds = ['chat', 'stream'] as const;

  const sat = new Map<string, Saturation[]>();
  const fixed = new Map<string, FixedResult[]>();
  const loadDuringFixed: string[] = [];
  /** Saturation in rounds, each alternating the targets, so drift hits all alike. */
  const saturate = (mode: string, ts: Target[], cpus?: string): void => {
    for (let round = 0; round < SAT_RUNS; round++) {
      for (const kind of kinds) {
        for (const t of ts) {
          wrk(t, kind, round === 0 ? WARM_SECONDS : 1, cpus);
          const s = wrk(t, kind, SECONDS, cpus);
          const k = `${mode}.${kind}.${t.name}`;
          sat.set(k, [...(sat.get(k) ?? []), s]);
          console.error(`${mode} round ${round + 1} ${kind} ${t.name}: ${JSON.stringify(s)}`);
        }
      }
    }
  };
  /** Fixed rate in rounds alternating the targets; `cpus` pins the load generator. */
  const fixedRounds = (mode: string, ts: Target[], cpus?: string): void => {
    for (let round = 0; round < FIXED_RUNS; round++) {
      for (const kind of kinds) {
        for (const t of ts) {
          const f = fixedRate(SELF, t, kind, RPS, FIXED_SECONDS, cpus);
          const k = `${mode}.${kind}.${t.name}`;
          fixed.set(k, [...(fixed.get(k) ?? []), f]);
          console.error(`fixed ${mode} round ${round + 1} ${kind} ${t.name}: ${JSON.stringify(f)}`);
        }
      }
      loadDuringFixed.push(loadavg().split(' ')[0]!);
    }
  };

  // 1. Unpinned: every process floats over every core.
  saturate('unpinned', targets);
  const fixedTargets = targets.filter((t) => FIXED_TARGETS.includes(t.name));
  if (FIXED_MODES.includes('unpinned')) fixedRounds('unpinned', fixedTargets);
  const rss = new Map(targets.map((t) => [t.name, rssMb(t.pids())]));

  // 2. Pinned: the proxy alone on core 0; wrk (or the load generator) and the upstream on core 1.
  const pinnedTargets = PINNED && cores > 1 ? targets.filter((t) => PINNED_TARGETS.includes(t.name)) : [];
  if (pinnedTargets.length > 0) {
    pin([upChild.pid!], '1');
    for (const t of pinnedTargets) if (t.name !== 'direct') pin(t.pids(), '0');
    saturate('pinned', pinnedTargets, '1');
    const pinnedFixed = pinnedTargets.filter((t) => FIXED_TARGETS.includes(t.name));
    if (FIXED_MODES.includes('pinned')) fixedRounds('pinned', pinnedFixed, '1');
  }
  const load1 = loadavg();

  report(
    { cores, load0, load1, loadDuringFixed, targets, fixedTargets, pinnedTargets, sat, fixed, rss },
    {
      seconds: SECONDS,
      warmSeconds: WARM_SECONDS,
      satRuns: SAT_RUNS,
      rps: RPS,
      fixedRuns: FIXED_RUNS,
      fixedSeconds: FIXED_SECONDS,
      before: !!BEFORE,
    },
  );
}

const [role, ...args] = process.argv.slice(2);
if (role === 'upstream') runUpstream(Number(args[0]));
else if (role === 'nines')
  await runNines(Number(args[0]), Number(args[1]), Number(args[2] ?? 1), args[3] === 'records');
else if (role === 'load')
  await runLoad(Number(args[0]), args[1]!, Number(args[2]), Number(args[3]), args[4]!, args[5] ?? '{}');
else {
  process.on('exit', stopAll);
  process.on('SIGINT', () => process.exit(130));
  try {
    await main();
  } finally {
    stopAll();
  }
}
