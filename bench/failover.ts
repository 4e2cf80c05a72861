/**
 * `npm run bench:failover` — failover under load, in one run:
 *
 * 1. Kill: two simulated upstreams (own processes) behind one weighted route; mixed load
 *    (half non-streamed, half streamed) at a fixed rate; one upstream is SIGKILLed mid-run.
 *    Expected: zero client-visible errors for non-streamed requests and for streams that had
 *    not started; streams cut after they started end with an explicit error event (never a
 *    silent end). Reports the time from the kill to the breaker opening.
 * 2. Flaky: one upstream answers 30% 503s; expected client error rate below 0.1%.
 *
 * Env: BENCH_SECONDS (default 6), BENCH_RPS (default 200).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const RPS = Number(process.env.BENCH_RPS ?? 200);

async function runUpstream(port: number, faults: string): Promise<void> {
  const { startSimServer } = await import('../src/sim/index.ts');
  await startSimServer({
    port,
    mount: 'root',
    providers: [
      {
        name: 'up',
        kind: 'openai',
        models: ['sim-model'],
        streamChunks: 20,
        faults: JSON.parse(faults) as object,
      },
    ],
  });
  console.log('ready');
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function startUpstream(port: number, faults: object): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, 'upstream', String(port), JSON.stringify(faults)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.once('exit', (c) => reject(new Error(`upstream exited ${c}`)));
  });
}

interface Tally {
  sent: number;
  ok: number;
  jsonErrors: number;
  /** Streams that failed before their first byte reached the client. */
  streamErrorsBeforeStart: number;
  /** Streams that started, then ended with an explicit error event. */
  streamErrorEvents: number;
  /** Streams that ended without [DONE] and without an error event: must be zero. */
  silentTruncations: number;
  statuses: Record<string, number>;
}

async function one(pool: Pool, stream: boolean, t: Tally): Promise<void> {
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello there' }], stream });
  try {
    const res = await pool.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body,
    });
    let text = '';
    for await (const c of res.body) text += (c as Buffer).toString();
    if (res.statusCode !== 200) {
      t.statuses[res.statusCode] = (t.statuses[res.statusCode] ?? 0) + 1;
      if (stream) t.streamErrorsBeforeStart++;
      else t.jsonErrors++;
      return;
    }
    if (!stream) return void t.ok++;
    if (text.includes('data: [DONE]')) t.ok++;
    else if (text.includes('"error"')) t.streamErrorEvents++;
    else t.silentTruncations++;
  } catch {
    if (stream) t.streamErrorsBeforeStart++;
    else t.jsonErrors++;
  }
}

async function drive(
  url: string,
  seconds: number,
  rps: number,
  at?: { ms: number; fn: () => void },
): Promise<Tally> {
  const pool = new Pool(url, { connections: 256 });
  const t: Tally = {
    sent: 0,
    ok: 0,
    jsonErrors: 0,
    streamErrorsBeforeStart: 0,
    streamErrorEvents: 0,
    silentTruncations: 0,
    statuses: {},
  };
  const total = seconds * rps;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  let fired = false;
  while (t.sent < total) {
    const elapsed = performance.now() - start;
    if (at && !fired && elapsed >= at.ms) {
      fired = true;
      at.fn();
    }
    const due = Math.min(total, Math.floor((elapsed * rps) / 1000));
    while (t.sent < due) inflight.push(one(pool, t.sent++ % 2 === 1, t));
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inflight);
  await pool.close();
  return t;
}

async function scenario(name: string, faultsA: object, kill: boolean): Promise<void> {
  const { createGateway } = await import('../src/gateway/gateway.ts');
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await startUpstream(pa, faultsA);
  const b = await startUpstream(pb, { latency: 20, interChunkMs: 5 });
  const gw = createGateway({
    allowAnonymous: true,
    providers: [
      { name: 'a', baseUrl: `http://127.0.0.1:${pa}/v1` },
      { name: 'b', baseUrl: `http://127.0.0.1:${pb}/v1` },
    ],
    routes: [
      {
        model: 'm',
        strategy: 'weighted',
        deployments: [
          { name: 'a', provider: 'a', model: 'sim-model' },
          { name: 'b', provider: 'b', model: 'sim-model' },
        ],
        deadlines: { attempt: '5s', total: '10s', firstToken: '2s', idle: '2s' },
      },
    ],
    breaker: { consecutiveFailures: 5, errorRate: 0.5, minRequests: 20, window: '10s', cooldown: '30s' },
  });
  const { url } = await gw.listen(0, '127.0.0.1');
  let killedAt = 0;
  let openedAt = 0;
  const poll = setInterval(() => {
    if (killedAt && !openedAt && gw.breakerStates().find((d) => d.deployment === 'a')?.phase === 'open')
      openedAt = performance.now();
  }, 1);
  const at = kill
    ? {
        ms: (SECONDS * 1000) / 3,
        fn: () => {
          killedAt = performance.now();
          a.kill('SIGKILL');
        },
      }
    : undefined;
  const t = await drive(url, SECONDS, RPS, at);
  clearInterval(poll);
  const states = gw.breakerStates();
  await gw.close();
  a.kill('SIGKILL');
  b.kill('SIGKILL');
  const jsonSent = Math.floor(t.sent / 2);
  const clientErrors = t.jsonErrors + t.streamErrorsBeforeStart + t.silentTruncations;
  console.log(`\n## ${name}`);
  console.log(
    `requests ${t.sent} (${jsonSent} non-streamed, ${t.sent - jsonSent} streamed) at ${RPS} RPS for ${SECONDS}s`,
  );
  console.log(
    `ok ${t.ok}; non-streamed errors ${t.jsonErrors}; streams failed before start ${t.streamErrorsBeforeStart}`,
  );
  console.log(
    `streams cut after start, with an error event ${t.streamErrorEvents}; silent truncations ${t.silentTruncations}`,
  );
  console.log(
    `client-visible error rate (excluding streams cut after start): ${((clientErrors / t.sent) * 100).toFixed(3)}%`,
  );
  if (Object.keys(t.statuses).length) console.log(`error statuses: ${JSON.stringify(t.statuses)}`);
  if (kill)
    console.log(
      `kill → breaker open: ${openedAt ? (openedAt - killedAt).toFixed(1) + ' ms' : 'did not open'}`,
    );
  console.log(`breakers: ${states.map((s) => `${s.deployment}=${s.phase} (opens ${s.opens})`).join(', ')}`);
}

const [role, ...args] = process.argv.slice(2);
if (role === 'upstream') await runUpstream(Number(args[0]), args[1] ?? '{}');
else {
  console.log(`bench:failover — ${new Date().toISOString()}, node ${process.version}`);
  await scenario('1. one upstream SIGKILLed mid-run', { latency: 20, interChunkMs: 5 }, true);
  await scenario(
    '2. one upstream answering 30% 503s',
    { latency: 20, interChunkMs: 5, errorRate: 0.3, errorStatuses: [503] },
    false,
  );
}
