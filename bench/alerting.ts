/**
 * Delivery figure for notify/: a real loopback webhook receiver is down (connection refused) for
 * 5 minutes, then returns. N notifications are enqueued across the outage into a SQLite outbox;
 * the worker retries with exponential backoff + jitter. Halfway through, the process "restarts"
 * (the outbox file is closed and reopened by a fresh worker). Reported: delivered, lost (must be
 * 0), duplicates at the receiver (by Idempotency-Key), attempts, and the delay from enqueue to
 * receipt.
 *
 * Simulated variant: ManualClock drives the worker (5 simulated minutes), HTTP is real.
 * Wall-clock variant: systemClock, a 5 s outage, real timers.
 * Slow-ack variant: the receiver takes requests but answers after the sender's timeout for 2 s,
 * which is where duplicates come from; they all carry the notification's Idempotency-Key.
 *
 *   npm run bench:alerting            # both variants
 *   npm run bench:alerting -- --n=500 --sim-only
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock, type Clock } from '../src/core/clock.ts';
import { createIntegrations, type Integration } from '../src/notify/create-notifier.ts';
import { DeliveryWorker } from '../src/notify/delivery-worker.ts';
import type { Notification } from '../src/notify/notification.ts';
import { idempotencyKey, Outbox } from '../src/notify/outbox.ts';
import { openSqliteOutboxStore } from '../src/notify/outbox-sqlite.ts';
import type { OutboxStore } from '../src/notify/outbox-store.ts';
import type { BackoffPolicy } from '../src/notify/backoff.ts';

const arg = (name: string, fallback: number) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};

/** A webhook receiver on a fixed loopback port that can be switched off (refused) and on. */
class FlakyReceiver {
  readonly received = new Map<string, number[]>();
  private server: Server | undefined;
  port = 0;
  /** When > 0, requests are recorded on arrival but answered this late (slower than the sender's timeout). */
  ackDelayMs = 0;
  constructor(private readonly clock: Clock) {}
  async up(): Promise<void> {
    this.server = createServer((req, res) => {
      const key = String(req.headers['idempotency-key'] ?? '');
      req.resume();
      req.on('end', () => {
        const times = this.received.get(key) ?? [];
        times.push(this.clock.now());
        this.received.set(key, times);
        if (this.ackDelayMs > 0) setTimeout(() => res.writeHead(200).end('ok'), this.ackDelayMs).unref();
        else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

function notification(i: number): Notification {
  return {
    receiver: 'bench',
    groupKey: `{}:{alertname="Bench${i}"}`,
    groupLabels: { alertname: `Bench${i}` },
    commonLabels: { alertname: `Bench${i}` },
    commonAnnotations: {},
    status: 'firing',
    alerts: [
      {
        labels: { alertname: `Bench${i}` },
        annotations: {},
        state: 'firing',
        startsAt: 0,
        fingerprint: `fp${i}`,
      },
    ],
  };
}

interface Figure {
  variant: string;
  enqueued: number;
  delivered: number;
  lost: number;
  dead: number;
  duplicates: number;
  attempts: number;
  delays: number[];
  /** Receipt time minus max(enqueue, receiver back up): what the backoff cap costs. */
  afterRecovery: number[];
  wallMs: number;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

async function summarise(
  variant: string,
  store: OutboxStore,
  rx: FlakyReceiver,
  enqueuedAt: Map<string, number>,
  recoveredAt: number,
  attempts: number,
  wallMs: number,
): Promise<Figure> {
  const counts = await store.counts();
  const delays: number[] = [];
  const afterRecovery: number[] = [];
  let duplicates = 0;
  for (const [key, at] of enqueuedAt) {
    const times = rx.received.get(key);
    if (!times) continue;
    delays.push(times[0]! - at);
    if (!Number.isNaN(recoveredAt)) afterRecovery.push(times[0]! - Math.max(at, recoveredAt));
    duplicates += times.length - 1;
  }
  delays.sort((a, b) => a - b);
  afterRecovery.sort((a, b) => a - b);
  const delivered = [...enqueuedAt.keys()].filter((k) => rx.received.has(k)).length;
  return {
    variant,
    enqueued: enqueuedAt.size,
    delivered,
    lost: enqueuedAt.size - delivered,
    dead: counts.dead,
    duplicates,
    attempts,
    delays,
    afterRecovery,
    wallMs,
  };
}

function worker(
  store: OutboxStore,
  clock: Clock,
  integrations: Integration[],
  backoff: BackoffPolicy,
  count: () => void,
): DeliveryWorker {
  const byId = new Map(integrations.map((i) => [i.id, i.notifier]));
  return new DeliveryWorker({
    store,
    clock,
    backoff,
    concurrency: 8,
    leaseMs: 30_000,
    pollIntervalMs: 100,
    resolve: (id) => byId.get(id),
    onAttempt: count,
  });
}

/** 5 simulated minutes of outage, N notifications spread across it, a restart at 2.5 minutes. */
async function simulated(n: number, dir: string): Promise<Figure> {
  const started = performance.now();
  const clock = new ManualClock();
  const t0 = clock.now();
  const outageMs = 5 * 60_000;
  const rx = new FlakyReceiver(clock);
  await rx.up(); // learn a free port, then go down for the outage
  await rx.down();
  const integrations = createIntegrations({
    name: 'bench',
    webhook_configs: [{ url: `http://127.0.0.1:${rx.port}/hook`, timeout: '2s' }],
  });
  const backoff = { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.2 };
  const path = join(dir, 'sim.db');
  let attempts = 0;
  let store = openSqliteOutboxStore(path);
  let outbox = new Outbox(store, clock);
  let w = worker(store, clock, integrations, backoff, () => attempts++);
  const enqueuedAt = new Map<string, number>();
  const everyMs = outageMs / n;
  let next = 0;
  let restarted = false;
  const endMs = outageMs + 3 * 60_000;
  for (let t = 0; t <= endMs; t += 1000) {
    clock.set(t0 + t);
    while (next < n && next * everyMs <= t) {
      const note = notification(next++);
      await outbox.enqueue(note, integrations);
      enqueuedAt.set(idempotencyKey(integrations[0]!.id, note), clock.now());
    }
    if (!restarted && t >= outageMs / 2) {
      restarted = true; // "crash": close the file, reopen it with a fresh worker
      await store.close();
      store = openSqliteOutboxStore(path);
      outbox = new Outbox(store, clock);
      w = worker(store, clock, integrations, backoff, () => attempts++);
    }
    if (t === outageMs) await rx.up();
    await w.runOnce();
  }
  const fig = await summarise(
    'simulated 5 min outage (ManualClock, real HTTP, SQLite, restart at 2.5 min)',
    store,
    rx,
    enqueuedAt,
    t0 + outageMs,
    attempts,
    performance.now() - started,
  );
  await store.close();
  await rx.down();
  return fig;
}

/** A 5 s real outage with real timers. */
async function wallClock(n: number, dir: string): Promise<Figure> {
  const started = performance.now();
  const outageMs = 5000;
  const rx = new FlakyReceiver(systemClock);
  await rx.up();
  await rx.down();
  const integrations = createIntegrations({
    name: 'bench',
    webhook_configs: [{ url: `http://127.0.0.1:${rx.port}/hook`, timeout: '2s' }],
  });
  const store = openSqliteOutboxStore(join(dir, 'wall.db'));
  const outbox = new Outbox(store, systemClock);
  let attempts = 0;
  const w = worker(
    store,
    systemClock,
    integrations,
    { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.2 },
    () => attempts++,
  );
  w.start();
  const enqueuedAt = new Map<string, number>();
  const recoveredAt = Date.now() + outageMs;
  const upTimer = setTimeout(() => void rx.up(), outageMs);
  for (let i = 0; i < n; i++) {
    await outbox.enqueue(notification(i), integrations);
    enqueuedAt.set(idempotencyKey(integrations[0]!.id, notification(i)), Date.now());
    await new Promise((r) => setTimeout(r, outageMs / n));
  }
  await drained(store);
  await w.stop();
  clearTimeout(upTimer);
  const fig = await summarise(
    'wall clock 5 s outage (real timers, real HTTP, SQLite)',
    store,
    rx,
    enqueuedAt,
    recoveredAt,
    attempts,
    performance.now() - started,
  );
  await store.close();
  await rx.down();
  return fig;
}

/**
 * Slow acknowledgements: the receiver takes each request but answers after the sender's timeout
 * for 2 s. The sender cannot know the request arrived, so it retries: duplicates appear, each
 * carrying the same Idempotency-Key, which is what lets a receiver drop them.
 */
async function slowAcks(n: number, dir: string): Promise<Figure> {
  const started = performance.now();
  const rx = new FlakyReceiver(systemClock);
  await rx.up();
  rx.ackDelayMs = 400;
  const integrations = createIntegrations({
    name: 'bench',
    webhook_configs: [{ url: `http://127.0.0.1:${rx.port}/hook`, timeout: '250ms' }],
  });
  const store = openSqliteOutboxStore(join(dir, 'slow.db'));
  const outbox = new Outbox(store, systemClock);
  let attempts = 0;
  const w = worker(
    store,
    systemClock,
    integrations,
    { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.2 },
    () => attempts++,
  );
  const enqueuedAt = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    await outbox.enqueue(notification(i), integrations);
    enqueuedAt.set(idempotencyKey(integrations[0]!.id, notification(i)), Date.now());
  }
  const recoveredAt = NaN; // no outage here: "after recovery" does not apply
  const fastAgain = setTimeout(() => (rx.ackDelayMs = 0), 2000);
  w.start();
  await drained(store);
  await w.stop();
  clearTimeout(fastAgain);
  const fig = await summarise(
    'slow acks: receiver answers after the 250 ms timeout for 2 s (duplicates carry the same Idempotency-Key)',
    store,
    rx,
    enqueuedAt,
    recoveredAt,
    attempts,
    performance.now() - started,
  );
  await store.close();
  await rx.down();
  return fig;
}

/** Waits (wall clock, at most 15 s) until the outbox has nothing pending or in flight. */
async function drained(store: OutboxStore): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const c = await store.counts();
    if (c.pending + c.sending === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function print(f: Figure): void {
  const s = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)}s` : `${(ms / 1000).toFixed(2)}s`);
  console.log(`\n${f.variant}`);
  console.log(
    `  enqueued ${f.enqueued}  delivered ${f.delivered}  lost ${f.lost}  dead ${f.dead}  duplicates ${f.duplicates}  attempts ${f.attempts}`,
  );
  console.log(
    `  delay enqueue→receipt: p50 ${s(pct(f.delays, 50))}  p90 ${s(pct(f.delays, 90))}  p99 ${s(pct(f.delays, 99))}  max ${s(f.delays.at(-1) ?? NaN)}  (bench wall time ${(f.wallMs / 1000).toFixed(1)}s)`,
  );
  if (f.afterRecovery.length > 0)
    console.log(
      `  delay after the receiver is back: p50 ${s(pct(f.afterRecovery, 50))}  p99 ${s(pct(f.afterRecovery, 99))}  max ${s(f.afterRecovery.at(-1) ?? NaN)}`,
    );
  if (f.lost !== 0) console.log('  FAIL: notifications were lost');
}

const dir = mkdtempSync(join(tmpdir(), 'nines-bench-alerting-'));
try {
  const n = arg('n', 200);
  const figures = [await simulated(n, dir)];
  if (!process.argv.includes('--sim-only')) {
    figures.push(await wallClock(arg('wall-n', 50), dir));
    figures.push(await slowAcks(arg('slow-n', 20), dir));
  }
  figures.forEach(print);
  process.exitCode = figures.every((f) => f.lost === 0) ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
