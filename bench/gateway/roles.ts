/**
 * The child-process roles of `bench:gateway`, each run by re-executing `bench/gateway.ts` with
 * the role's name: the loopback upstream, nines (one process or node:cluster workers), and the
 * open-loop fixed-rate load generator with its percentile helper.
 */
import { createServer } from 'node:http';
import type { RequestRecord } from '../../src/store/types.ts';

/** The non-streamed chat completion request every target is sent. */
export const CHAT_BODY = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'Say hello.' }],
});
/** The streamed (SSE) chat completion request every target is sent. */
export const STREAM_BODY = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'Say hello.' }],
  stream: true,
});
/** Most connections (and requests in flight) of the open-loop generator. */
export const LOAD_CONNECTIONS = 256;

/** Role `upstream`: answers a small chat completion, or a 50-chunk SSE stream, on `port`. */
export function runUpstream(port: number): void {
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

/**
 * Role `nines`: this checkout's gateway on `port` in front of `upstream`, `workers` > 1 as a
 * cluster. With `records`, every request is recorded as `nines serve` does it: through the
 * store's `BufferedWriter` (1 s flushes) into a SQLite file in a fresh temp directory.
 */
export async function runNines(
  port: number,
  upstream: number,
  workers: number,
  records = false,
): Promise<void> {
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
  const { createGateway } = await import('../../src/gateway/gateway.ts');
  const recorder = records ? await sqliteRecorder() : undefined;
  const gw = createGateway(
    {
      allowAnonymous: true,
      providers: [
        { name: 'up', baseUrl: `http://127.0.0.1:${upstream}/v1`, apiKey: 'sk-bench', connections: 256 },
      ],
      routes: [{ model: 'bench', deployments: [{ provider: 'up', model: 'bench' }] }],
    },
    recorder ? { recorder } : {},
  );
  await gw.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0)); // lets --cpu-prof write its profile
  if (process.send) process.send('ready');
  else console.log('ready');
}

/** A recorder writing request records to a SQLite file through the store's buffered writer. */
async function sqliteRecorder(): Promise<{ record: (r: RequestRecord) => void }> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openSqliteStore } = await import('../../src/store/sqlite/store.ts');
  const { BufferedWriter } = await import('../../src/store/writer.ts');
  const { systemClock } = await import('../../src/core/clock.ts');
  const store = openSqliteStore({
    path: join(mkdtempSync(join(tmpdir(), 'nines-bench-records-')), 'nines.db'),
  });
  await store.migrate();
  // As `nines serve` runs it: 1 s flush interval (the config default), the default batch size.
  const writer = new BufferedWriter({ store, clock: systemClock, flushIntervalMs: 1000 });
  return { record: (r) => writer.writeRequest(r) };
}

/** Latency percentiles of one fixed-rate run, ms from send to the answer's last byte. */
export interface FixedResult {
  sent: number;
  ok: number;
  errors: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

/** The `q` quantile (0–1) of an ascending array; NaN when empty. */
function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Role `load`: sends `rate` req/s for `seconds` to a loopback target on a fixed schedule (open
 * loop: a slow answer does not delay the next send), then prints a FixedResult as JSON. Bounded:
 * at most rate × seconds requests, LOAD_CONNECTIONS in flight (more counts as an error, not sent),
 * and 10 s after the last send everything still open is cancelled and counted as an error.
 */
export async function runLoad(
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
