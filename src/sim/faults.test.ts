import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activeScheduledFaults,
  decideFault,
  effectiveProfile,
  resolveDegradation,
  type FaultState,
} from './faults.ts';
import { sampleLatencyMs, seededRandom } from './random.ts';
import type { ScheduledFault } from '../config/sim.ts';

/** A random source that replays the given draws. */
const draws =
  (...values: number[]) =>
  () => {
    const v = values.shift();
    if (v === undefined) throw new Error('ran out of draws');
    return v;
  };

test('a healthy profile serves without delay', () => {
  assert.deepEqual(decideFault({}, draws()), {
    kind: 'serve',
    delayMs: 0,
    ttftMs: 0,
    interChunkMs: 0,
    wrongAnswer: false,
    malformed: false,
  });
});

test('down modes come before everything else', () => {
  assert.deepEqual(decideFault({ down: 'refuse', errorRate: 1 }, draws()), { kind: 'refuse' });
  assert.deepEqual(decideFault({ down: 'hang' }, draws()), { kind: 'hang' });
  assert.deepEqual(decideFault({ down: 'reset', latency: 25 }, draws()), { kind: 'reset', delayMs: 25 });
});

test('error rate draws against the rate and picks a status', () => {
  const profile = { errorRate: 0.3, errorStatuses: [502, 503] };
  assert.deepEqual(decideFault(profile, draws(0.29, 0.9)), { kind: 'error', delayMs: 0, status: 503 });
  assert.equal(decideFault(profile, draws(0.31)).kind, 'serve');
  assert.deepEqual(decideFault({ errorRate: 1 }, draws()), { kind: 'error', delayMs: 0, status: 500 });
});

test('rate limiting answers 429 with a retry-after', () => {
  assert.deepEqual(decideFault({ rateLimit: { retryAfterS: 7 } }, draws()), {
    kind: 'rateLimited',
    delayMs: 0,
    retryAfterS: 7,
  });
});

test('stream cuts, wrong answers and malformed replies', () => {
  const d = decideFault(
    { stall: { afterChunks: 3 }, wrongAnswerRate: 0.5, malformedRate: 0.5, ttftMs: 100, interChunkMs: 5 },
    draws(0.4, 0.6),
  );
  assert.deepEqual(d, {
    kind: 'serve',
    delayMs: 0,
    ttftMs: 100,
    interChunkMs: 5,
    wrongAnswer: true,
    malformed: false,
    stallAfter: 3,
  });
  const t = decideFault({ truncate: { afterChunks: 2, rate: 0.5 } }, draws(0.7));
  assert.equal(t.kind === 'serve' && t.truncateAfter, undefined);
});

test('log-normal latency matches its p50 and p99', () => {
  const random = seededRandom(42);
  const samples = Array.from({ length: 20_000 }, () =>
    sampleLatencyMs({ p50Ms: 100, p99Ms: 1000 }, random),
  ).sort((a, b) => a - b);
  const p50 = samples[10_000]!;
  const p99 = samples[19_800]!;
  assert.ok(p50 > 90 && p50 < 110, `p50 ${p50}`);
  assert.ok(p99 > 800 && p99 < 1250, `p99 ${p99}`);
  assert.equal(sampleLatencyMs(40, random), 40);
  assert.equal(sampleLatencyMs({ p50Ms: 40 }, random), 40);
});

test('degradation ramps linearly from its start', () => {
  const profile = { degrade: { startAt: '1m', over: '2m', latencyMs: 1000, errorRate: 0.4 } };
  assert.deepEqual(resolveDegradation(profile, 0, 30_000), { extraLatencyMs: 0, errorRate: 0 });
  assert.deepEqual(resolveDegradation(profile, 0, 120_000), { extraLatencyMs: 500, errorRate: 0.2 });
  assert.deepEqual(resolveDegradation(profile, 0, 600_000), { extraLatencyMs: 1000, errorRate: 0.4 });
});

test('schedule windows are [at, at+for), relative to start, optionally repeating', () => {
  const schedule: ScheduledFault[] = [{ at: '2m', for: '1m', fault: { down: 'refuse' } }];
  const start = 1_000_000;
  const active = (now: number, every?: number) => activeScheduledFaults(schedule, start, every, now).length;
  assert.equal(active(start + 119_999), 0);
  assert.equal(active(start + 120_000), 1);
  assert.equal(active(start + 179_999), 1);
  assert.equal(active(start + 180_000), 0);
  assert.equal(active(start + 600_000 + 150_000), 0);
  assert.equal(active(start + 600_000 + 150_000, 600_000), 1);
  assert.equal(active(start + 600_000 + 100_000, 600_000), 0);
  // A window that runs over the end of a cycle continues into the next one.
  const wrap: ScheduledFault[] = [{ at: '9m', for: '2m', fault: {} }];
  assert.equal(activeScheduledFaults(wrap, start, 600_000, start + 630_000).length, 1);
  assert.equal(activeScheduledFaults(wrap, start, 600_000, start + 630_000)[0]!.since, start + 540_000);
});

test('the effective profile lays active windows over the base', () => {
  const state: FaultState = {
    base: { latency: 50, errorRate: 0.01 },
    baseSince: 0,
    schedule: [
      { at: '1m', for: '1m', fault: { errorRate: 0.5, errorStatuses: [503] } },
      { at: '1m', for: '2m', fault: { degrade: { over: '1m', latencyMs: 600 } } },
    ],
    startedAt: 0,
  };
  assert.deepEqual(effectiveProfile(state, 0), { latency: 50, errorRate: 0.01 });
  assert.deepEqual(effectiveProfile(state, 90_000), {
    latency: 50,
    errorRate: 0.5,
    errorStatuses: [503],
    extraLatencyMs: 300,
  });
  assert.deepEqual(effectiveProfile(state, 150_000), { latency: 50, errorRate: 0.01, extraLatencyMs: 600 });
});
