/**
 * Probe scheduler benchmark: N targets (default 10,000) at one interval (default 10 s) against a
 * loopback HTTP server in a child process, all in this one process. After a warm-up of one
 * interval it measures for `--duration` seconds and prints sustained checks/s, schedule lag
 * p50/p99, queue wait, CPU and peak RSS. Goal: 1,000 checks/s, p99 lag < 100 ms, RSS < 300 MB.
 *
 *   npm run bench:probes -- [--targets 10000] [--interval 10s] [--duration 60s] [--kind http|openai-chat|fake]
 *                           [--concurrency 256]
 */
import { fork } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { systemClock } from '../src/core/clock.ts';
import { parseDuration } from '../src/core/duration.ts';
import type { Target } from '../src/config/resolve.ts';
import { runProbe } from '../src/probe/run-probe.ts';
import { createScheduler } from '../src/probe/scheduler.ts';
import { SampleWindow } from '../src/probe/lag-stats.ts';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '10000' },
    interval: { type: 'string', default: '10s' },
    duration: { type: 'string', default: '60s' },
    warmup: { type: 'string' },
    kind: { type: 'string', default: 'http' },
    concurrency: { type: 'string', default: '256' },
  },
});
const nTargets = Number(values.targets);
const interval = parseDuration(values.interval);
const durationMs = parseDuration(values.duration);
const warmupMs = values.warmup ? parseDuration(values.warmup) : interval;
const fake = values.kind === 'fake';
const kind = values.kind === 'openai-chat' ? 'openai-chat' : 'http';
const concurrency = Number(values.concurrency);

// The endpoint: a tiny node:http server in its own process (so its CPU is not counted here).
const SERVER = `
import { createServer } from 'node:http';
const chat = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: '4' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 } });
const server = createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  if (req.method === 'POST') {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(chat) }); res.end(chat); });
  } else { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }); res.end('ok'); }
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
let cpu0 = process.cpuUsage();
process.on('message', (m) => { if (m === 'mark') cpu0 = process.cpuUsage(); else { const c = process.cpuUsage(cpu0); process.send({ cpuMs: (c.user + c.system) / 1000 }); } });
`;

interface BenchServer {
  port: number;
  mark(): void;
  cpuMs(): Promise<number>;
  stop(): void;
}

async function startServer(): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-bench-'));
  const file = join(dir, 'server.mjs');
  writeFileSync(file, SERVER);
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number(m)));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return {
    port,
    mark: () => child.send('mark'),
    cpuMs: () =>
      new Promise<number>((resolve) => {
        child.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs));
        child.send('cpu');
      }),
    stop: () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function makeTargets(port: number): Target[] {
  return Array.from({ length: nTargets }, (_, i) => ({
    name: `t${i}`,
    kind,
    url: kind === 'http' ? `http://127.0.0.1:${port}/health/${i}` : `http://127.0.0.1:${port}/v1`,
    ...(kind === 'openai-chat' ? { model: 'm' } : {}),
    enabled: true,
    headers: {},
    assertions: [],
    labels: {},
    interval,
    timeout: Math.min(5_000, interval),
    failureThreshold: 3,
    successThreshold: 2,
    maxBodyBytes: 1 << 20,
  }));
}

const mb = (b: number) => Math.round(b / 1024 / 1024);

async function main(): Promise<void> {
  const server = await startServer();
  const outcomes: Record<string, number> = {};
  const latency = new SampleWindow(100_000);
  const scheduler = createScheduler({
    targets: makeTargets(server.port),
    clock: systemClock,
    concurrency,
    jitter: 0,
    runProbe: fake
      ? (t, o) =>
          new Promise((resolve) => {
            const at = o.clock.now();
            setTimeout(
              () => resolve({ target: t.name, at, outcome: 'ok', latencyMs: 2, timings: { totalMs: 2 } }),
              2,
            );
          })
      : (t, o) => runProbe(t, o),
    onResult: (r) => {
      latency.add(r.latencyMs);
      const key = r.outcome === 'failed' ? `failed:${r.errorClass}` : r.outcome;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    },
  });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  console.log(
    `bench:probes kind=${kind} targets=${nTargets} interval=${values.interval} concurrency=${concurrency}`,
  );
  console.log(`warm-up ${warmupMs / 1000}s, then measuring ${durationMs / 1000}s ...`);
  scheduler.start();
  await new Promise((r) => setTimeout(r, warmupMs));
  scheduler.resetStats();
  latency.reset();
  for (const k of Object.keys(outcomes)) delete outcomes[k];
  peakRss = 0;
  const cpu0 = process.cpuUsage();
  server.mark();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const stats = scheduler.stats();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  const serverCpuMs = await server.cpuMs();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await scheduler.stop();
  server.stop();

  const checksPerSec = stats.completed / (wallMs / 1000);
  const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  const figures = {
    kind: fake ? 'fake (2 ms timer, no network)' : kind,
    targets: nTargets,
    interval: values.interval,
    measured_s: Math.round(wallMs / 100) / 10,
    checks_per_s: Math.round(checksPerSec),
    expected_per_s: Math.round(nTargets / (interval / 1000)),
    lag_p50_ms: Math.round(stats.lagMs.p50 * 10) / 10,
    lag_p99_ms: Math.round(stats.lagMs.p99 * 10) / 10,
    lag_max_ms: Math.round(stats.lagMs.max * 10) / 10,
    queue_wait_p99_ms: Math.round(stats.queueWaitMs.p99 * 10) / 10,
    probe_latency_p50_ms: Math.round(latency.summary().p50 * 10) / 10,
    probe_latency_p99_ms: Math.round(latency.summary().p99 * 10) / 10,
    skipped: stats.skipped,
    max_queued: stats.maxQueued,
    cpu_percent_of_one_core: Math.round(cpuPct),
    server_cpu_percent_of_one_core: Math.round((serverCpuMs / wallMs) * 100),
    event_loop_delay_p99_ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    load_average_1m: Math.round(loadavg()[0]! * 10) / 10,
    peak_rss_mb: mb(peakRss),
    outcomes,
  };
  console.log(JSON.stringify(figures, null, 2));
  const pass =
    checksPerSec >= 0.95 * (nTargets / (interval / 1000)) &&
    stats.lagMs.p99 < 100 &&
    peakRss < 300 * 1024 * 1024;
  console.log(
    `goal (>= ${Math.round((0.95 * nTargets) / (interval / 1000))} checks/s, p99 lag < 100 ms, RSS < 300 MB): ${pass ? 'met' : 'missed'}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
