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
 * which core was the bottleneck. Then latency at a fixed rate from an open-loop generator
 * (role `load` below: requests are sent on a fixed schedule whether or not earlier ones
 * answered, over up to 256 keep-alive connections, each timed from its send to the last byte of
 * the answer; wrk2 is not in Debian), in several rounds that alternate the targets so drift hits
 * all alike; the latency each proxy adds over direct (target − direct of the same round, per
 * percentile, median over rounds), and RSS after the load.
 *
 * Every server is its own process; unpinned, all share the machine's cores with the load
 * generators, so figures are relative: compare columns of one run, not runs of different days.
 *
 * Env: BENCH_SECONDS (saturation run, default 5), BENCH_RPS (default 1000), BENCH_FIXED_RUNS
 * (rounds at the fixed rate, default 3), BENCH_FIXED_SECONDS (per round, default 12),
 * BENCH_FIXED_TARGETS (targets measured at the fixed rate, default direct,nines,nines-before,nginx),
 * BENCH_PINNED=0 (skip the pinned mode), BENCH_SKIP_PORTKEY=1, BENCH_TARGETS (comma list of
 * target names to run; direct is always run), BENCH_BEFORE (a directory holding an earlier
 * nines `src/` with this file as `bench/gateway.ts`: adds a `nines-before` target, for
 * before/after figures in the same run). Needs Debian's `wrk` and `nginx` (`apt-get install wrk
 * nginx`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const TMP = '/tmp/nines-bench-gateway';
const PORTKEY_DIR = '/tmp/portkey';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Warm-up before each saturation run (JIT, connections). */
const WARM_SECONDS = 2;
const RPS = Number(process.env.BENCH_RPS ?? 1000);
const FIXED_RUNS = Number(process.env.BENCH_FIXED_RUNS ?? 3);
const FIXED_SECONDS = Number(process.env.BENCH_FIXED_SECONDS ?? 12);
const FIXED_TARGETS = (process.env.BENCH_FIXED_TARGETS ?? 'direct,nines,nines-before,nginx').split(',');
const PINNED = process.env.BENCH_PINNED !== '0';
/** Targets measured pinned: one process (or one nginx worker) on one core. */
const PINNED_TARGETS = ['direct', 'nines', 'nines-before', 'nginx'];
/** Most connections (and requests in flight) of the open-loop generator. */
const LOAD_CONNECTIONS = 256;
const ONLY = process.env.BENCH_TARGETS?.split(',');
/** A checkout of an earlier nines (with this file as bench/gateway.ts): adds a `nines-before` target. */
const BEFORE = process.env.BENCH_BEFORE;

const CHAT_BODY = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say hello.' }] });
const STREAM_BODY = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'Say hello.' }],
  stream: true,
});

// ---------- role: upstream ----------
function runUpstream(port: number): void {
  const answer = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1,
    model: 'bench',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello! How can I help you today?' },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
  });
  const frame = (content: string, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
  const chunks = Array.from({ length: 50 }, (_, i) => frame(`tok${i} `, null));
  createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (body.includes('"stream":true')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        for (const c of chunks) res.write(c);
        res.end(frame('', 'stop') + 'data: [DONE]\n\n');
      } else {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(answer),
        });
        res.end(answer);
      }
    });
  }).listen(port, '127.0.0.1', () => console.log('ready'));
}

// ---------- role: nines ----------
async function runNines(port: number, upstream: number, workers: number): Promise<void> {
  if (workers > 1) {
    const cluster = (await import('node:cluster')).default;
    if (cluster.isPrimary) {
      let ready = 0;
      for (let i = 0; i < workers; i++) {
        cluster.fork().on('message', (m) => {
          if (m === 'ready' && ++ready === workers) console.log('ready');
        });
      }
      process.on('SIGTERM', () => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
        process.exit(0);
      });
      return;
    }
  }
  const { createGateway } = await import('../src/gateway/gateway.ts');
  const gw = createGateway({
    allowAnonymous: true,
    providers: [
      { name: 'up', baseUrl: `http://127.0.0.1:${upstream}/v1`, apiKey: 'sk-bench', connections: 256 },
    ],
    routes: [{ model: 'bench', deployments: [{ provider: 'up', model: 'bench' }] }],
  });
  await gw.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0)); // lets --cpu-prof write its profile
  if (process.send) process.send('ready');
  else console.log('ready');
}

// ---------- role: load (open-loop fixed-rate generator) ----------
/** Latency percentiles of one fixed-rate run, ms from send to the answer's last byte. */
interface FixedResult {
  sent: number;
  ok: number;
  errors: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Sends `rate` req/s for `seconds` to a loopback target on a fixed schedule (open loop: a slow
 * answer does not delay the next send), then prints a FixedResult as JSON. Bounded: at most
 * rate × seconds requests, LOAD_CONNECTIONS in flight (more counts as an error, not sent), and
 * 10 s after the last send everything still open is cancelled and counted as an error.
 */
async function runLoad(
  port: number,
  path: string,
  rate: number,
  seconds: number,
  kind: string,
  hdrs: string,
) {
  const { Pool } = await import('undici');
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: LOAD_CONNECTIONS, pipelining: 1 });
  const body = kind === 'stream' ? STREAM_BODY : CHAT_BODY;
  const headers = { 'content-type': 'application/json', ...(JSON.parse(hdrs) as Record<string, string>) };
  const total = Math.round(rate * seconds);
  // The first second (at least 10%) warms connections and JIT up and is not counted.
  const skip = Math.max(Math.round(total / 10), Math.min(rate, Math.round(total / 3)));
  const lat: number[] = [];
  let sent = 0;
  let inFlight = 0;
  let errors = 0;
  let ok = 0;
  // One request through undici's handler interface (no Readable, no promise per request).
  const one = (counted: boolean): void => {
    const t0 = performance.now();
    let status = 0;
    inFlight++;
    const done = (good: boolean): void => {
      inFlight--;
      if (!counted) return;
      if (good) {
        ok++;
        lat.push(performance.now() - t0);
      } else errors++;
    };
    pool.dispatch(
      { method: 'POST', path, headers, body },
      {
        onConnect: () => {},
        onHeaders: (s: number) => ((status = s), true),
        onData: () => true,
        onComplete: () => done(status >= 200 && status < 300),
        onError: () => done(false),
      },
    );
  };
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
      for (; sent < due; sent++) {
        if (inFlight >= LOAD_CONNECTIONS) {
          if (sent >= skip) errors++;
        } else void one(sent >= skip);
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  const until = Date.now() + 10_000;
  while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  errors += inFlight; // still open after 10 s: counted as errors, cancelled by destroy()
  lat.sort((a, b) => a - b);
  const out: FixedResult = {
    sent: total - skip,
    ok,
    errors,
    rps: total / elapsed,
    p50: percentile(lat, 0.5),
    p90: percentile(lat, 0.9),
    p99: percentile(lat, 0.99),
    p999: percentile(lat, 0.999),
  };
  console.log(JSON.stringify(out));
  await pool.destroy().catch(() => {});
  process.exit(0);
}

// ---------- orchestration ----------
interface Target {
  name: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  pids: () => number[];
}

const children: ChildProcess[] = [];
function startProcess(
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

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function rssMb(pids: number[]): number {
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

const TICKS_PER_S = 100; // USER_HZ on Linux

/** One saturation measurement, with where the CPU went during it. */
interface Saturation {
  rps: number;
  errors: number;
  /** CPU of the target's own processes, % of one core. */
  proxyCpu: number;
  /** Busy % of each core over the run. */
  cores: number[];
}

/** Saturation: wrk against `t` (1 thread, 32 connections) for `seconds`, on `cpus` if given. */
function wrk(t: Target, kind: 'chat' | 'stream', seconds: number, cpus?: string): Saturation {
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
function pin(pids: number[], cpus: string): void {
  for (const pid of pids) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Fixed rate: the open-loop generator (its own process) against `t` for `seconds`. */
function fixedRate(t: Target, kind: 'chat' | 'stream', seconds: number): FixedResult {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      SELF,
      'load',
      String(t.port),
      t.path,
      String(RPS),
      String(seconds),
      kind,
      JSON.stringify(t.headers),
    ],
    { encoding: 'utf8', timeout: (seconds + 60) * 1000 },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as FixedResult;
  } catch {
    const n = NaN;
    return { sent: 0, ok: 0, errors: -1, rps: n, p50: n, p90: n, p99: n, p999: n };
  }
}

async function ensurePortkey(): Promise<string | undefined> {
  if (process.env.BENCH_SKIP_PORTKEY === '1') return undefined;
  const entry = `${PORTKEY_DIR}/node_modules/@portkey-ai/gateway/build/start-server.js`;
  if (!existsSync(entry)) {
    console.error('installing @portkey-ai/gateway into /tmp/portkey (npm install --no-save)…');
    mkdirSync(PORTKEY_DIR, { recursive: true });
    spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '@portkey-ai/gateway'], {
      cwd: PORTKEY_DIR,
      stdio: 'inherit',
    });
  }
  return existsSync(entry) ? entry : undefined;
}

function nginxConf(dir: string, port: number, up: number, workers: string): string {
  return [
    `worker_processes ${workers};`,
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${dir}/${k};`),
    `  upstream up { server 127.0.0.1:${up}; keepalive 64; }`,
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }',
    '  }',
    '}',
    '',
  ].join('\n');
}

const wanted = (name: string): boolean => !ONLY || ONLY.includes(name);

async function startNines(name: string, up: number, workers: number, self = SELF): Promise<Target> {
  const port = await freePort();
  const child = await startProcess(
    process.execPath,
    ['--import', 'tsx', self, 'nines', String(port), String(up), String(workers)],
    /ready/,
  );
  const pids = (): number[] => {
    const r = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' });
    return [child.pid!, ...r.stdout.split('\n').filter(Boolean).map(Number)];
  };
  return { name, port, path: '/v1/chat/completions', headers: {}, pids };
}

async function startNginx(name: string, up: number, workers: string): Promise<Target> {
  const dir = `${TMP}/${name}`;
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(`${dir}/nginx.conf`, nginxConf(dir, port, up, workers));
  const nginx = await startProcess('/usr/sbin/nginx', [
    '-e',
    `${dir}/error.log`,
    '-p',
    dir,
    '-c',
    `${dir}/nginx.conf`,
    '-g',
    'daemon off;',
  ]);
  await new Promise((r) => setTimeout(r, 500));
  const pids = (): number[] => {
    const r = spawnSync('pgrep', ['-P', String(nginx.pid)], { encoding: 'utf8' });
    return [nginx.pid!, ...r.stdout.split('\n').filter(Boolean).map(Number)];
  };
  return { name, port, path: '/v1/chat/completions', headers: {}, pids };
}

async function main(): Promise<void> {
  for (const tool of ['wrk', '/usr/sbin/nginx', 'taskset']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`bench:gateway needs ${tool} (Debian: apt-get install wrk nginx util-linux)`);
  }
  mkdirSync(TMP, { recursive: true });
  const cores = availableParallelism();
  const up = await freePort();
  await startProcess(process.execPath, ['--import', 'tsx', SELF, 'upstream', String(up)], /ready/);
  const upChild = children[children.length - 1]!;
  const targets: Target[] = [
    { name: 'direct', port: up, path: '/v1/chat/completions', headers: {}, pids: () => [upChild.pid!] },
  ];
  if (wanted('nines')) targets.push(await startNines('nines', up, 1));
  if (BEFORE) targets.push(await startNines('nines-before', up, 1, `${BEFORE}/bench/gateway.ts`));
  if (wanted('nines-cluster') && cores > 1) targets.push(await startNines('nines-cluster', up, cores));
  if (wanted('nginx')) targets.push(await startNginx('nginx', up, '1'));
  if (wanted('nginx-auto') && cores > 1) targets.push(await startNginx('nginx-auto', up, 'auto'));

  const portkeyEntry = wanted('portkey') ? await ensurePortkey() : undefined;
  if (portkeyEntry) {
    const pkPort = await freePort();
    const pk = await startProcess(
      process.execPath,
      [portkeyEntry, `--port=${pkPort}`, '--headless'],
      /running/i,
    );
    const config = JSON.stringify({
      provider: 'openai',
      api_key: 'sk-bench',
      custom_host: `http://127.0.0.1:${up}/v1`,
    });
    targets.push({
      name: 'portkey',
      port: pkPort,
      path: '/v1/chat/completions',
      headers: { 'x-portkey-config': config },
      pids: () => [pk.pid!],
    });
  }

  const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const load0 = loadavg();
  const kinds = ['chat', 'stream'] as const;

  // 1. Saturation, unpinned: every process floats over every core.
  const sat = new Map<string, Saturation>();
  for (const kind of kinds) {
    for (const t of targets) {
      wrk(t, kind, WARM_SECONDS);
      sat.set(`unpinned.${kind}.${t.name}`, wrk(t, kind, SECONDS));
      console.error(`unpinned ${kind} ${t.name}: ${JSON.stringify(sat.get(`unpinned.${kind}.${t.name}`))}`);
    }
  }

  // 2. Fixed rate, unpinned, in rounds alternating the targets (drift hits all alike).
  const fixedTargets = targets.filter((t) => FIXED_TARGETS.includes(t.name));
  const fixed = new Map<string, FixedResult[]>();
  const loadDuringFixed: string[] = [];
  for (let round = 0; round < FIXED_RUNS; round++) {
    for (const kind of kinds) {
      for (const t of fixedTargets) {
        const f = fixedRate(t, kind, FIXED_SECONDS);
        const k = `${kind}.${t.name}`;
        fixed.set(k, [...(fixed.get(k) ?? []), f]);
        console.error(`fixed round ${round + 1} ${kind} ${t.name}: ${JSON.stringify(f)}`);
      }
    }
    loadDuringFixed.push(loadavg().split(' ')[0]!);
  }
  const rss = new Map(targets.map((t) => [t.name, rssMb(t.pids())]));

  // 3. Saturation, pinned: the proxy alone on core 0; wrk and the upstream on core 1.
  const pinnedTargets = PINNED && cores > 1 ? targets.filter((t) => PINNED_TARGETS.includes(t.name)) : [];
  if (pinnedTargets.length > 0) {
    pin([upChild.pid!], '1');
    for (const t of pinnedTargets) if (t.name !== 'direct') pin(t.pids(), '0');
    for (const kind of kinds) {
      for (const t of pinnedTargets) {
        wrk(t, kind, WARM_SECONDS, '1');
        sat.set(`pinned.${kind}.${t.name}`, wrk(t, kind, SECONDS, '1'));
        console.error(`pinned ${kind} ${t.name}: ${JSON.stringify(sat.get(`pinned.${kind}.${t.name}`))}`);
      }
    }
  }
  const load1 = loadavg();

  report({ cores, load0, load1, loadDuringFixed, targets, fixedTargets, pinnedTargets, sat, fixed, rss });
}

/** Everything measured, for the report. */
interface Measured {
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

function report(m: Measured): void {
  const fmt = (v: number | null | undefined): string =>
    v !== null && v !== undefined && Number.isFinite(v) ? v.toFixed(2) : '—';
  console.log(
    `\nbench:gateway — ${new Date().toISOString()}, node ${process.version}, ${m.cores} cores; saturation ${SECONDS} s per run (after ${WARM_SECONDS} s warm-up); fixed rate ${RPS} RPS, ${FIXED_RUNS} rounds × ${FIXED_SECONDS} s`,
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
    `\nFixed rate ${RPS} RPS (open loop, ≤ ${LOAD_CONNECTIONS} connections, unpinned): median of ${FIXED_RUNS} rounds; added = target − direct of the same round, median over rounds (ms)\n`,
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
        (BEFORE
          ? `; nines-before/nginx(1) unpinned = ${pct(rps(`unpinned.${kind}.nines-before`), rps(`unpinned.${kind}.nginx`))}, pinned = ${pct(rps(`pinned.${kind}.nines-before`), rps(`pinned.${kind}.nginx`))}`
          : ''),
    );
  }
}

function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}

const [role, ...args] = process.argv.slice(2);
if (role === 'upstream') runUpstream(Number(args[0]));
else if (role === 'nines') await runNines(Number(args[0]), Number(args[1]), Number(args[2] ?? 1));
else if (role === 'load')
  await runLoad(Number(args[0]), args[1]!, Number(args[2]), Number(args[3]), args[4]!, args[5] ?? '{}');
else {
  process.on('exit', cleanup);
  process.on('SIGINT', () => process.exit(130));
  try {
    await main();
  } finally {
    cleanup();
  }
}
