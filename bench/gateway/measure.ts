/**
 * The measuring machinery of `bench:gateway`: child processes (start, stop), free ports, RSS, CPU
 * and per-core ticks from /proc, wrk saturation runs, pinning with taskset, and one fixed-rate run
 * of the open-loop generator (role `load`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHAT_BODY, STREAM_BODY, type FixedResult } from './roles.ts';

/** Scratch directory: wrk scripts and nginx prefixes. */
export const TMP = '/tmp/nines-bench-gateway';
/** USER_HZ on Linux: clock ticks per second in /proc. */
const TICKS_PER_S = 100;

/** One server under test: where to send requests and which processes are its own. */
export interface Target {
  name: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  pids: () => number[];
}

/** One saturation measurement, with where the CPU went during it. */
export interface Saturation {
  rps: number;
  errors: number;
  /** CPU of the target's own processes, % of one core. */
  proxyCpu: number;
  /** Busy % of each core over the run. */
  cores: number[];
}

const children: ChildProcess[] = [];

/** Spawns `cmd` (killed by stopAll); with `ready`, resolves once its output matches it. */
export function startProcess(
  cmd: string,
  args: string[],
  ready?: RegExp,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  if (!ready) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!ready.test(out)) return;
      // Stop collecting once ready; keep draining so the child never blocks on a full pipe.
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.stdout!.resume();
      child.stderr!.resume();
      resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out.slice(-500)}`)));
    setTimeout(() => reject(new Error(`${cmd} did not start: ${out.slice(-500)}`)), 60_000);
  });
}

/** Sends SIGTERM to every process startProcess started that is still running. */
export function stopAll(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}

/** A loopback TCP port free right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The children of `pid` (pgrep -P) after `pid` itself. */
export function withChildren(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return [pid, ...r.stdout.split('\n').filter(Boolean).map(Number)];
}

/** Resident memory of `pids` together, MB; 0 for a process gone. */
export function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // process gone
    }
  }
  return kb / 1024;
}

/** CPU time (user + system, clock ticks) of `pids`, all threads; 0 for a process gone. */
function cpuTicks(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      // process gone
    }
  }
  return ticks;
}

/** Busy and total ticks per core, from /proc/stat. */
function coreTicks(): { busy: number; total: number }[] {
  const out: { busy: number; total: number }[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out[Number(m[1])] = { busy: total - v[3]! - v[4]!, total }; // minus idle, iowait
  }
  return out;
}

/** The 1, 5 and 15 min load averages, as /proc/loadavg prints them. */
export function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Saturation: wrk against `t` (1 thread, 32 connections) for `seconds`, on `cpus` if given. */
export function wrk(t: Target, kind: 'chat' | 'stream', seconds: number, cpus?: string): Saturation {
  const lua = `${TMP}/${t.name}-${kind}.lua`;
  const hdrs = Object.entries({ 'Content-Type': 'application/json', ...t.headers })
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  const body = kind === 'stream' ? STREAM_BODY : CHAT_BODY;
  writeFileSync(lua, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\n${hdrs}\n`);
  const args = ['-t1', '-c32', `-d${seconds}s`, '-s', lua, `http://127.0.0.1:${t.port}${t.path}`];
  const pids = t.pids();
  const cpu0 = cpuTicks(pids);
  const cores0 = coreTicks();
  const t0 = performance.now();
  const r = cpus
    ? spawnSync('taskset', ['-c', cpus, 'wrk', ...args], { encoding: 'utf8' })
    : spawnSync('wrk', args, { encoding: 'utf8' });
  const elapsed = (performance.now() - t0) / 1000;
  const cores1 = coreTicks();
  const proxyCpu = ((cpuTicks(pids) - cpu0) / TICKS_PER_S / elapsed) * 100;
  const cores = cores1.map(
    (c, i) => ((c.busy - cores0[i]!.busy) / Math.max(1, c.total - cores0[i]!.total)) * 100,
  );
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  // Requests per second that got a 2xx answer (a proxy failing fast must not look fast).
  return { rps: total > 0 ? (rps * (total - errors)) / total : rps, errors, proxyCpu, cores };
}

/** Pins every thread of `pids` to `cpus` (a taskset list such as `0` or `0-1`). */
export function pin(pids: number[], cpus: string): void {
  for (const pid of pids) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * Fixed rate: the open-loop generator (role `load` of the entry file `self`, its own process)
 * against `t` at `rate` req/s for `seconds`.
 */
export function fixedRate(
  self: string,
  t: Target,
  kind: 'chat' | 'stream',
  rate: number,
  seconds: number,
  cpus?: string,
): FixedResult {
  const node = [
    '--import',
    'tsx',
    self,
    'load',
    String(t.port),
    t.path,
    String(rate),
    String(seconds),
    kind,
    JSON.stringify(t.headers),
  ];
  const r = cpus
    ? spawnSync('taskset', ['-c', cpus, process.execPath, ...node], {
        encoding: 'utf8',
        timeout: (seconds + 60) * 1000,
      })
    : spawnSync(process.execPath, node, { encoding: 'utf8', timeout: (seconds + 60) * 1000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as FixedResult;
  } catch {
    const n = NaN;
    return { sent: 0, ok: 0, errors: -1, rps: n, p50: n, p90: n, p99: n, p999: n };
  }
}
