import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.ts';
import type { Target } from '../config/resolve.ts';
import type { ProbeOutcome, ProbeResult, StateEvent } from '../store/types.ts';
import { createScheduler, type ProbeFn } from './scheduler.ts';

const target = (name: string, interval = 10_000, extra: Partial<Target> = {}): Target => ({
  name,
  kind: 'http',
  url: `http://127.0.0.1/${name}`,
  enabled: true,
  headers: {},
  assertions: [],
  labels: {},
  interval,
  timeout: 5_000,
  failureThreshold: 2,
  successThreshold: 1,
  maxBodyBytes: 1 << 20,
  ...extra,
});

/** A fake probe whose completion the test controls: each call waits for `durationMs` of clock time. */
function fakeProbe(
  clock: ManualClock,
  durationMs: (t: Target) => number,
  outcome: (t: Target) => ProbeOutcome = () => 'ok',
) {
  const calls: { name: string; at: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const perTarget = new Map<string, number>();
  const fn: ProbeFn = (t) => {
    const at = clock.now();
    calls.push({ name: t.name, at });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    perTarget.set(t.name, (perTarget.get(t.name) ?? 0) + 1);
    assert.equal(perTarget.get(t.name), 1, `two probes of ${t.name} in flight`);
    return new Promise<ProbeResult>((resolve) => {
      clock.setTimer(durationMs(t), () => {
        inFlight--;
        perTarget.set(t.name, perTarget.get(t.name)! - 1);
        resolve({
          target: t.name,
          at,
          outcome: outcome(t),
          latencyMs: durationMs(t),
          timings: { totalMs: durationMs(t) },
        });
      });
    });
  };
  return { fn, calls, maxInFlight: () => maxInFlight };
}

/** Advances the manual clock in small steps, letting promise callbacks run between them. */
async function advance(clock: ManualClock, ms: number, step = 100) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
  }
}

/** Stops the scheduler while moving the clock so fake in-flight probes can finish. */
async function stopAll(s: { stop(): Promise<void> }, clock: ManualClock) {
  const stopping = s.stop();
  await advance(clock, 60_000, 1_000);
  await stopping;
}

test('spreads first runs over the interval and keeps a fixed period without drift', async () => {
  const clock = new ManualClock(0);
  let seed = 0;
  const random = () => (seed = (seed * 9301 + 49297) % 233280) / 233280;
  const probe = fakeProbe(clock, () => 700);
  const s = createScheduler({
    targets: [target('a'), target('b'), target('c')],
    clock,
    concurrency: 10,
    random,
    runProbe: probe.fn,
  });
  s.start();
  await advance(clock, 60_000);
  await stopAll(s, clock);
  const byName = (n: string) => probe.calls.filter((c) => c.name === n).map((c) => c.at);
  for (const n of ['a', 'b', 'c']) {
    const at = byName(n);
    assert.ok(at[0]! < 10_000, 'first run within the first interval');
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // run k is planned at phase + k*interval; steps of 100 ms round starts up to the next step
    for (const g of gaps) assert.ok(Math.abs(g - 10_000) <= 100, `gap ${g}`);
    assert.ok(
      Math.abs(at[at.length - 1]! - at[0]! - (at.length - 1) * 10_000) <= 100,
      'no accumulated drift',
    );
  }
  const firsts = ['a', 'b', 'c'].map((n) => byName(n)[0]!);
  assert.equal(new Set(firsts).size, 3, 'first runs are spread');
  assert.ok(s.stats().completed >= 15);
});

test('concurrency bound queues runs and reports queue wait and lag', async () => {
  const clock = new ManualClock(0);
  const probe = fakeProbe(clock, () => 1_000);
  const targets = Array.from({ length: 6 }, (_, i) => target(`t${i}`));
  const s = createScheduler({ targets, clock, concurrency: 2, random: () => 0, runProbe: probe.fn });
  s.start();
  await advance(clock, 5_000);
  assert.equal(probe.maxInFlight(), 2);
  assert.equal(probe.calls.length, 6);
  assert.deepEqual(
    probe.calls.map((c) => c.at),
    [0, 0, 1000, 1000, 2000, 2000],
  );
  const st = s.stats();
  assert.equal(st.lagMs.max, 2000);
  assert.equal(st.queueWaitMs.max, 2000);
  assert.equal(st.maxQueued, 4);
  await stopAll(s, clock);
});

test('an overrunning probe skips the next run instead of piling up', async () => {
  const clock = new ManualClock(0);
  const probe = fakeProbe(clock, () => 25_000);
  const s = createScheduler({
    targets: [target('slow')],
    clock,
    concurrency: 4,
    random: () => 0,
    runProbe: probe.fn,
  });
  s.start();
  await advance(clock, 60_000, 500);
  const starts = probe.calls.map((c) => c.at);
  assert.deepEqual(starts, [0, 30_000, 60_000]);
  assert.ok(s.stats().skipped >= 4, `skipped ${s.stats().skipped}`);
  await stopAll(s, clock);
});

test('results drive the state machine and emit events', async () => {
  const clock = new ManualClock(0);
  let healthy = true;
  const probe = fakeProbe(
    clock,
    () => 100,
    () => (healthy ? 'ok' : 'failed'),
  );
  const events: StateEvent[] = [];
  const s = createScheduler({
    targets: [target('x', 1_000)],
    clock,
    concurrency: 1,
    random: () => 0,
    runProbe: probe.fn,
    onEvent: (e) => events.push(e),
  });
  s.start();
  await advance(clock, 2_500);
  healthy = false;
  await advance(clock, 3_000);
  healthy = true;
  await advance(clock, 1_000);
  await stopAll(s, clock);
  assert.deepEqual(
    events.map((e) => `${e.from}>${e.to}`),
    ['unknown>up', 'up>down', 'down>up'],
  );
  assert.equal(s.status('x')?.state, 'up');
});

test('update keeps unchanged targets, resets changed ones, drops removed ones', async () => {
  const clock = new ManualClock(0);
  const probe = fakeProbe(clock, () => 100);
  const a = target('a', 1_000);
  const b = target('b', 1_000);
  const s = createScheduler({ targets: [a, b], clock, concurrency: 4, random: () => 0, runProbe: probe.fn });
  s.start();
  await advance(clock, 1_500);
  assert.equal(s.status('a')?.state, 'up');
  const aStatus = s.status('a');
  s.update([{ ...a }, target('b', 1_000, { url: 'http://127.0.0.1/other' }), target('c', 1_000)]);
  assert.equal(s.status('a'), aStatus, 'unchanged target keeps its state object');
  assert.equal(s.status('b')?.state, 'unknown', 'changed url resets state');
  s.update([{ ...a }, target('c', 1_000)]);
  assert.equal(s.status('b'), undefined);
  const before = probe.calls.length;
  await advance(clock, 2_000);
  const names = new Set(probe.calls.slice(before).map((c) => c.name));
  assert.deepEqual([...names].sort(), ['a', 'c']);
  assert.equal(s.stats().targets, 2);
  await stopAll(s, clock);
});

test('stop waits for in-flight probes and runs nothing more', async () => {
  const clock = new ManualClock(0);
  const probe = fakeProbe(clock, () => 500);
  const results: string[] = [];
  const s = createScheduler({
    targets: [target('a', 1_000)],
    clock,
    concurrency: 1,
    random: () => 0,
    runProbe: probe.fn,
    onResult: (r) => results.push(r.target),
  });
  s.start();
  clock.advance(0);
  await Promise.resolve();
  let stopped = false;
  const stopping = s.stop().then(() => (stopped = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false, 'still waiting for the probe');
  clock.advance(500);
  await stopping;
  assert.deepEqual(results, ['a']);
  clock.advance(10_000);
  assert.equal(probe.calls.length, 1);
  assert.equal(clock.pendingTimers(), 0);
});

test('a throwing probe becomes an internal failure, not a crash', async () => {
  const clock = new ManualClock(0);
  const results: ProbeResult[] = [];
  const s = createScheduler({
    targets: [target('boom', 1_000)],
    clock,
    concurrency: 1,
    random: () => 0,
    runProbe: () => Promise.reject(new Error('bug')),
    onResult: (r) => results.push(r),
  });
  s.start();
  await advance(clock, 1_500);
  await stopAll(s, clock);
  assert.equal(results[0]?.errorClass, 'internal');
  assert.equal(results.length, 2);
});

test('a reloaded target never overlaps the run of its previous config', async () => {
  const clock = new ManualClock(0);
  const probe = fakeProbe(clock, () => 5_000);
  const s = createScheduler({
    targets: [target('a')],
    clock,
    concurrency: 4,
    random: () => 0,
    runProbe: probe.fn,
  });
  s.start();
  await advance(clock, 1_000);
  s.update([target('a', 10_000, { timeout: 4_000 })]);
  await advance(clock, 12_000);
  assert.deepEqual(
    probe.calls.map((c) => c.at),
    [0, 11_000],
  );
  assert.equal(s.stats().skipped, 1);
  await stopAll(s, clock);
});

test('stop({ abort: true }) aborts running probes through their signal', async () => {
  const clock = new ManualClock(0);
  const results: ProbeResult[] = [];
  const s = createScheduler({
    targets: [target('a', 1_000)],
    clock,
    concurrency: 1,
    random: () => 0,
    runProbe: (t, o) =>
      new Promise((resolve) =>
        o.signal.addEventListener('abort', () =>
          resolve({
            target: t.name,
            at: 0,
            outcome: 'failed',
            latencyMs: 0,
            timings: { totalMs: 0 },
            errorClass: 'internal',
          }),
        ),
      ),
    onResult: (r) => results.push(r),
  });
  s.start();
  clock.advance(0);
  await s.stop({ abort: true });
  assert.equal(results[0]?.errorClass, 'internal');
});

test('under overload a run that waited a whole interval is dropped as stale', async () => {
  const clock = new ManualClock(0);
  const probe = fakeProbe(clock, () => 4_000);
  const targets = Array.from({ length: 4 }, (_, i) => target(`o${i}`));
  const s = createScheduler({ targets, clock, concurrency: 1, random: () => 0, runProbe: probe.fn });
  s.start();
  await advance(clock, 9_000, 500);
  // o0 runs 0–4000, o1 4000–8000, o2 8000–12000; o3 waited from 0 and is dropped at 10000
  await advance(clock, 1_500, 500);
  assert.deepEqual(
    probe.calls.map((c) => `${c.name}@${c.at}`),
    ['o0@0', 'o1@4000', 'o2@8000'],
  );
  assert.ok(s.stats().lagMs.max < 10_000);
  assert.ok(s.stats().skipped >= 1);
  await stopAll(s, clock);
});
