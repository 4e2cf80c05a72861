/**
 * Detection latency: a simulated provider goes hard down → the first notification arrives at a
 * real webhook receiver, through the whole running server (probes → state machine → rule →
 * pipeline → outbox → HTTP). Issue 3's goal: ≤ failureThreshold × interval + 1 s.
 *
 *   npm run bench:detection [-- --trials 5 --interval 1s --threshold 3]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../src/core/duration.ts';
import { startSimServer, providerUrl } from '../src/sim/index.ts';
import { loadNinesConfigText } from '../src/services/config-checks.ts';
import { startNines } from '../src/main.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '5' },
    interval: { type: 'string', default: '1s' },
    threshold: { type: 'string', default: '3' },
  },
});
const trials = Number(values.trials);
const intervalMs = parseDuration(values.interval!);
const threshold = Number(values.threshold);
const goalMs = threshold * intervalMs + 1000;

const received: { at: number; status: string }[] = [];
const hook = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push({ at: performance.now(), status: (JSON.parse(body) as { status: string }).status });
    res.writeHead(200).end();
  });
});
await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
const sim = await startSimServer({ providers: [{ name: 'p', kind: 'openai', models: ['m'] }] });
const dir = mkdtempSync(join(tmpdir(), 'nines-bench-detection-'));
const yaml = `
server: { port: 0 }
storage: { sqlite: { path: ${join(dir, 'b.db')} } }
defaults: { interval: ${intervalMs}ms, timeout: ${Math.min(intervalMs - 50, 2000)}ms, failureThreshold: ${threshold}, successThreshold: 1 }
targets:
  - { name: chat, kind: openai-chat, url: "${providerUrl(sim, 'p')}", model: m }
alerting:
  rules: [{ name: TargetDown, kind: target_state, state: down, severity: page }]
  route: { receiver: hook, group_by: [alertname, target], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
  receivers: [{ name: hook, webhook_configs: [{ url: "${hookUrl}" }] }]
`;
const loaded = loadNinesConfigText(yaml, 'bench.yaml', { env: {} });
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const nines = await startNines(loaded.config, { log: () => {}, adminPassword: 'bench-admin-password' });

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const delays: number[] = [];
try {
  for (let i = 0; i < trials; i++) {
    await waitFor(() => nines.tracker.get('chat')?.state === 'up', 30_000);
    const before = received.length;
    const killedAt = performance.now();
    sim.setFaults('p', { down: 'refuse' });
    await waitFor(() => received.slice(before).some((r) => r.status === 'firing'), 60_000);
    const first = received.slice(before).find((r) => r.status === 'firing')!;
    delays.push(first.at - killedAt);
    sim.resetFaults('p');
    await waitFor(() => received.slice(before).some((r) => r.status === 'resolved'), 60_000);
  }
} finally {
  await nines.close();
  await sim.close();
  hook.close();
  rmSync(dir, { recursive: true, force: true });
}
const sorted = [...delays].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(
  `bench:detection — ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `interval ${intervalMs} ms, failure threshold ${threshold}: goal ≤ ${goalMs} ms from hard down to first notification`,
);
console.log(`trials: ${delays.map((d) => d.toFixed(0)).join(', ')} ms`);
console.log(
  `median ${median.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms → ${sorted[sorted.length - 1]! <= goalMs ? 'goal met' : 'goal missed'} on every trial: ${delays.every((d) => d <= goalMs)}`,
);
