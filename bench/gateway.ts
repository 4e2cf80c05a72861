/**
 * `npm run bench:gateway` — the gateway's hot path against its peers, side by side in one run.
 *
 * A loopback upstream (own process) answers a small chat completion and a 50-chunk SSE stream.
 * The same load goes to (a) the upstream directly, (b) nines, (c) Debian's nginx proxy_pass
 * (1 worker, keep-alive upstream, buffering off), (d) the Portkey gateway from npm (routed by
 * its x-portkey-config header; installed with `npm install --no-save` into /tmp/portkey when
 * missing). Reported: saturation throughput (wrk, 1 thread, 32 connections), p50/p99 at a
 * fixed 1,000 RPS (wrk, 50 connections each pausing 50 ms between requests: a closed loop
 * paced to the rate, since wrk2 is not in Debian), the latency each proxy adds over direct,
 * and RSS after the load.
 *
 * Every server is its own process; all share the machine's cores with wrk,
 * so figures are relative: compare columns of one run, not runs of different days.
 *
 * Env: BENCH_SECONDS (default 5), BENCH_RPS (default 1000), BENCH_SKIP_PORTKEY=1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const TMP = '/tmp/nines-bench-gateway';
const PORTKEY_DIR = '/tmp/portkey';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RPS = Number(process.env.BENCH_RPS ?? 1000);
/** Connections of the fixed-rate run; each waits FIXED_CONNECTIONS/RPS s between requests. */
const FIXED_CONNECTIONS = 50;

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
async function runNines(port: number, upstream: number): Promise<void> {
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
  console.log('ready');
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

function wrkMs(v: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(v);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

/** Runs wrk against `t`; with `rate`, every connection waits so the total is about `rate` req/s. */
function wrk(
  t: Target,
  body: string,
  rate?: number,
): { rps: number; p50: number; p99: number; errors: number } {
  const connections = rate ? FIXED_CONNECTIONS : 32;
  const lua = `${TMP}/${t.name}-${body === STREAM_BODY ? 's' : 'c'}${rate ? '-fixed' : ''}.lua`;
  const hdrs = Object.entries({ 'Content-Type': 'application/json', ...t.headers })
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  const pace = rate ? `\nfunction delay() return ${Math.round((connections * 1000) / rate)} end\n` : '';
  writeFileSync(lua, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\n${hdrs}\n${pace}`);
  const r = spawnSync(
    'wrk',
    [
      '-t1',
      `-c${connections}`,
      `-d${SECONDS}s`,
      '--latency',
      '-s',
      lua,
      `http://127.0.0.1:${t.port}${t.path}`,
    ],
    { encoding: 'utf8' },
  );
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = wrkMs(/50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = wrkMs(/99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  // Requests per second that got a 2xx answer (a proxy failing fast must not look fast).
  return { rps: total > 0 ? (rps * (total - errors)) / total : rps, p50, p99, errors };
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

async function main(): Promise<void> {
  mkdirSync(`${TMP}/nginx`, { recursive: true });
  const up = await freePort();
  await startProcess(process.execPath, ['--import', 'tsx', SELF, 'upstream', String(up)], /ready/);
  const upChild = children[children.length - 1]!;
  const targets: Target[] = [
    { name: 'direct', port: up, path: '/v1/chat/completions', headers: {}, pids: () => [upChild.pid!] },
  ];

  const ninesPort = await freePort();
  const nines = await startProcess(
    process.execPath,
    ['--import', 'tsx', SELF, 'nines', String(ninesPort), String(up)],
    /ready/,
  );
  targets.push({
    name: 'nines',
    port: ninesPort,
    path: '/v1/chat/completions',
    headers: {},
    pids: () => [nines.pid!],
  });

  const nginxPort = await freePort();
  writeFileSync(
    `${TMP}/nginx/nginx.conf`,
    `worker_processes 1;\npid ${TMP}/nginx/nginx.pid;\nerror_log ${TMP}/nginx/error.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  client_body_temp_path ${TMP}/nginx/body;\n  proxy_temp_path ${TMP}/nginx/proxy;\n  fastcgi_temp_path ${TMP}/nginx/fcgi;\n  uwsgi_temp_path ${TMP}/nginx/uwsgi;\n  scgi_temp_path ${TMP}/nginx/scgi;\n  upstream up { server 127.0.0.1:${up}; keepalive 64; }\n  server {\n    listen 127.0.0.1:${nginxPort};\n    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }\n  }\n}\n`,
  );
  const nginx = await startProcess('/usr/sbin/nginx', [
    '-e',
    `${TMP}/nginx/error.log`,
    '-p',
    `${TMP}/nginx`,
    '-c',
    `${TMP}/nginx/nginx.conf`,
    '-g',
    'daemon off;',
  ]);
  await new Promise((r) => setTimeout(r, 500));
  const nginxPids = (): number[] => {
    const r = spawnSync('pgrep', ['-P', String(nginx.pid)], { encoding: 'utf8' });
    return [nginx.pid!, ...r.stdout.split('\n').filter(Boolean).map(Number)];
  };
  targets.push({
    name: 'nginx',
    port: nginxPort,
    path: '/v1/chat/completions',
    headers: {},
    pids: nginxPids,
  });

  const portkeyEntry = await ensurePortkey();
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

  const rows: string[] = [];
  const results: Record<string, unknown> = {};
  for (const [kind, body] of [
    ['chat', CHAT_BODY],
    ['stream', STREAM_BODY],
  ] as const) {
    const sat = new Map<string, ReturnType<typeof wrk>>();
    const fixed = new Map<string, ReturnType<typeof wrk>>();
    for (const t of targets) {
      wrk(t, body); // warm-up (JIT, connections)
      sat.set(t.name, wrk(t, body));
      fixed.set(t.name, wrk(t, body, RPS));
      console.error(
        `${kind} ${t.name}: saturation ${JSON.stringify(sat.get(t.name))} fixed ${JSON.stringify(fixed.get(t.name))}`,
      );
    }
    const direct = fixed.get('direct')!;
    for (const t of targets) {
      const s = sat.get(t.name)!;
      const f = fixed.get(t.name)!;
      const fmt = (v: number | null | undefined) =>
        typeof v === 'number' && Number.isFinite(v) ? v.toFixed(2) : 'failed';
      const added = t.name === 'direct' ? '—' : `${fmt(f.p50 - direct.p50)} / ${fmt(f.p99 - direct.p99)}`;
      const rss = rssMb(t.pids()).toFixed(0);
      rows.push(
        `| ${kind} | ${t.name} | ${s.rps.toFixed(0)} | ${s.errors} | ${f.rps.toFixed(0)} | ${fmt(f.p50)} | ${fmt(f.p99)} | ${added} | ${f.errors} | ${rss} |`,
      );
      results[`${kind}.${t.name}`] = { saturation: s, fixed: f, rssMb: Number(rss) };
    }
  }
  const cn = results['chat.nines'] as { saturation: { rps: number } } | undefined;
  const ng = results['chat.nginx'] as { saturation: { rps: number } } | undefined;
  const pk = results['chat.portkey'] as { saturation: { rps: number } } | undefined;
  console.log(
    `\nbench:gateway — ${new Date().toISOString()}, node ${process.version}, ${SECONDS}s per run, fixed rate ${RPS} RPS`,
  );
  console.log(
    `saturation: wrk -t1 -c32; fixed: wrk -t1 -c${FIXED_CONNECTIONS} paced to ${RPS} req/s; added = target − direct (ms)\n`,
  );
  console.log(
    '| load | target | saturation req/s | sat. errors | fixed req/s | p50 ms @fixed | p99 ms @fixed | added p50 / p99 ms | fixed errors | RSS MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  if (cn && ng)
    console.log(
      `\nchat saturation: nines/nginx = ${((cn.saturation.rps / ng.saturation.rps) * 100).toFixed(0)}%`,
    );
  if (cn && pk)
    console.log(`chat saturation: nines/portkey = ${(cn.saturation.rps / pk.saturation.rps).toFixed(2)}×`);
  const sn = results['stream.nines'] as { saturation: { rps: number } } | undefined;
  const sg = results['stream.nginx'] as { saturation: { rps: number } } | undefined;
  const sp = results['stream.portkey'] as { saturation: { rps: number } } | undefined;
  if (sn && sg)
    console.log(
      `stream saturation: nines/nginx = ${((sn.saturation.rps / sg.saturation.rps) * 100).toFixed(0)}%`,
    );
  if (sn && sp)
    console.log(`stream saturation: nines/portkey = ${(sn.saturation.rps / sp.saturation.rps).toFixed(2)}×`);
}

function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}

const [role, ...args] = process.argv.slice(2);
if (role === 'upstream') runUpstream(Number(args[0]));
else if (role === 'nines') await runNines(Number(args[0]), Number(args[1]));
else {
  process.on('exit', cleanup);
  process.on('SIGINT', () => process.exit(130));
  try {
    await main();
  } finally {
    cleanup();
  }
}
