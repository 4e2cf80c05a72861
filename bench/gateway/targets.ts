/**
 * The servers `bench:gateway` measures, each started as its own process and returned as a
 * Target: the upstream itself (direct), nines (this checkout's or an earlier one's), nginx
 * proxy_pass, and the Portkey gateway from npm (installed into /tmp/portkey when missing).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { freePort, startProcess, TMP, withChildren, type Target } from './measure.ts';

const PORTKEY_DIR = '/tmp/portkey';
/** The path every target is sent its requests on. */
const PATH = '/v1/chat/completions';

/** The upstream process (role `upstream` of the entry file `self`), listening on `port`. */
export async function startUpstream(self: string, port: number): Promise<ChildProcess> {
  return startProcess(process.execPath, ['--import', 'tsx', self, 'upstream', String(port)], /ready/);
}

/** Target `direct`: the upstream on `port` with no proxy in front. */
export function directTarget(port: number, upstream: ChildProcess): Target {
  return { name: 'direct', port, path: PATH, headers: {}, pids: () => [upstream.pid!] };
}

/**
 * nines in front of `up`, run as role `nines` of the bench entry file `self` (an earlier
 * checkout's `bench/gateway.ts` for `nines-before`); `workers` > 1 runs node:cluster workers;
 * `records` records every request into SQLite as `nines serve` does (target `nines-records`).
 */
export async function startNines(
  name: string,
  up: number,
  workers: number,
  self: string,
  records = false,
): Promise<Target> {
  const port = await freePort();
  const child = await startProcess(
    process.execPath,
    ['--import', 'tsx', self, 'nines', String(port), String(up), String(workers), records ? 'records' : ''],
    /ready/,
  );
  return { name, port, path: PATH, headers: {}, pids: () => withChildren(child.pid!) };
}

/** nginx.conf for a keep-alive, unbuffered proxy_pass from `port` to `up` with `workers` workers. */
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

/** Debian's nginx proxying to `up`, `workers` being nginx's worker_processes (`1`, `auto`). */
export async function startNginx(name: string, up: number, workers: string): Promise<Target> {
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
  return { name, port, path: PATH, headers: {}, pids: () => withChildren(nginx.pid!) };
}

/** Portkey's start script, installed into /tmp/portkey first if missing; undefined if skipped or failed. */
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

/** Target `portkey`, routed to `up` by its x-portkey-config header; undefined when skipped or missing. */
export async function startPortkey(up: number): Promise<Target | undefined> {
  const portkeyEntry = await ensurePortkey();
  if (!portkeyEntry) return undefined;
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
  return {
    name: 'portkey',
    port: pkPort,
    path: PATH,
    headers: { 'x-portkey-config': config },
    pids: () => [pk.pid!],
  };
}
