/**
 * The probe scheduler: runs every target at its interval, spread over the interval (first runs)
 * with optional jitter, under a global concurrency bound (a FIFO queue), without pile-up (a target
 * never has two probes queued or running; an overrun skips the next run and counts it) and
 * without drift (run k is planned at phase + k·interval, whatever the completion times); a run
 * that waited a whole interval for a slot is dropped as stale (and counted as skipped). One
 * clock timer serves all targets (a due-time heap). Schedule lag (start − planned) and queue wait
 * are measured per run and exposed by `stats()`. Target state goes through `nextTargetState`.
 */
import { setMaxListeners } from 'node:events';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Target } from '../config/resolve.ts';
import type { ProbeResult, StateEvent } from '../store/types.ts';
import { DueHeap } from './due-heap.ts';
import { SampleWindow, type Percentiles } from './lag-stats.ts';
import { initialTargetStatus, nextTargetState, type TargetStatus } from './target-state.ts';

/** The probe function the scheduler calls (runProbe in production, a fake in tests). */
export type ProbeFn = (target: Target, opts: { clock: Clock; signal: AbortSignal }) => Promise<ProbeResult>;

/** Options of `createScheduler`. */
export interface SchedulerOptions {
  targets: readonly Target[];
  clock: Clock;
  /** Most probes running at once; the rest wait in a FIFO queue. */
  concurrency: number;
  /** Random offset added to each run after the first, as a fraction of the interval (0–0.5); default 0. */
  jitter?: number;
  /** Random source in [0, 1); default Math.random. */
  random?: () => number;
  runProbe: ProbeFn;
  /** Called with every result and the target's status after it. */
  onResult?: (result: ProbeResult, status: TargetStatus) => void;
  /** Called on every confirmed state change. */
  onEvent?: (event: StateEvent) => void;
}

/** Counters and latency figures of a running scheduler. */
export interface SchedulerStats {
  targets: number;
  started: number;
  completed: number;
  /** Runs skipped: the previous run of the target was still queued or running, or it waited a whole interval. */
  skipped: number;
  running: number;
  queued: number;
  maxQueued: number;
  /** Actual start − planned time, over recent runs. */
  lagMs: Percentiles;
  /** Time spent waiting for a concurrency slot, over recent runs. */
  queueWaitMs: Percentiles;
}

/** A running scheduler. */
export interface Scheduler {
  start(): void;
  /**
   * Stops planning new runs, drops queued ones and waits for running probes to finish;
   * with `abort: true` running probes are aborted first (they end as `internal` failures).
   */
  stop(options?: { abort?: boolean }): Promise<void>;
  /** Replaces the target list; unchanged targets keep their schedule and state. */
  update(targets: readonly Target[]): void;
  stats(): SchedulerStats;
  /** Current status of a target, if it is scheduled. */
  status(name: string): TargetStatus | undefined;
  /** Resets lag/queue-wait windows and counters (e.g. after a warm-up). */
  resetStats(): void;
}

interface Entry {
  target: Target;
  key: string;
  status: TargetStatus;
  phase: number;
  k: number;
  removed: boolean;
}

interface Job {
  entry: Entry;
  planned: number;
  enqueuedAt: number;
}

const identity = (t: Target) => `${t.kind}\u0000${t.url}\u0000${t.model ?? ''}`;

/** Creates a scheduler; nothing runs until `start()`. */
export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { clock } = opts;
  const random = opts.random ?? Math.random;
  const jitter = Math.min(0.5, Math.max(0, opts.jitter ?? 0));
  const concurrency = Math.max(1, opts.concurrency);
  const entries = new Map<string, Entry>();
  const heap = new DueHeap<Entry>();
  const queue: Job[] = [];
  let queueHead = 0;
  const inFlight = new Set<Promise<void>>();
  /** Names with a run queued or running (by name, so a reloaded target never overlaps its old run). */
  const busy = new Set<string>();
  /** One signal shared by every probe (not one per probe: cheap at 1,000 checks/s); aborted by stop({ abort: true }). */
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal);
  const lag = new SampleWindow();
  const wait = new SampleWindow();
  const counters = { started: 0, completed: 0, skipped: 0, maxQueued: 0 };
  let running = 0;
  let started = false;
  let stopped = false;
  let timer: TimerHandle | undefined;
  let armedAt = Infinity;
  /** Targets to schedule at start(); update() before start() replaces them. */
  let initial: readonly Target[] = opts.targets;

  const plannedAt = (e: Entry) =>
    e.phase + e.k * e.target.interval + (e.k > 0 ? random() * jitter * e.target.interval : 0);

  function addEntry(target: Target, now: number, status = initialTargetStatus()): void {
    const e: Entry = {
      target,
      key: JSON.stringify(target),
      status,
      phase: now + random() * target.interval,
      k: 0,
      removed: false,
    };
    entries.set(target.name, e);
    heap.push(plannedAt(e), e);
  }

  function arm(): void {
    if (stopped || !started) return;
    const top = heap.peek();
    if (!top) return;
    if (timer && top.at >= armedAt) return;
    timer?.cancel();
    armedAt = top.at;
    timer = clock.setTimer(top.at - clock.now(), onTimer);
  }

  function onTimer(): void {
    timer = undefined;
    armedAt = Infinity;
    const now = clock.now();
    for (let top = heap.peek(); top && top.at <= now; top = heap.peek()) {
      heap.pop();
      const e = top.value;
      if (e.removed || entries.get(e.target.name) !== e) continue;
      due(e, top.at, now);
    }
    pump();
    arm();
  }

  function due(e: Entry, planned: number, now: number): void {
    if (busy.has(e.target.name)) counters.skipped++;
    else {
      busy.add(e.target.name);
      queue.push({ entry: e, planned, enqueuedAt: now });
    }
    e.k++;
    const behind = Math.floor((now - e.phase) / e.target.interval) + 1;
    if (behind > e.k) {
      counters.skipped += behind - e.k;
      e.k = behind;
    }
    heap.push(plannedAt(e), e);
  }

  function pump(): void {
    while (running < concurrency && queueHead < queue.length && !stopped) {
      const job = queue[queueHead++]!;
      if (queueHead > 1024 && queueHead * 2 > queue.length) {
        queue.splice(0, queueHead);
        queueHead = 0;
      }
      if (job.entry.removed) {
        busy.delete(job.entry.target.name);
        continue;
      }
      if (clock.now() - job.planned >= job.entry.target.interval) {
        // waited a whole interval for a slot: the next run is already due, so this one is stale
        busy.delete(job.entry.target.name);
        counters.skipped++;
        continue;
      }
      launch(job);
    }
    counters.maxQueued = Math.max(counters.maxQueued, queue.length - queueHead);
  }

  function launch(job: Job): void {
    const now = clock.now();
    const e = job.entry;
    lag.add(now - job.planned);
    wait.add(now - job.enqueuedAt);
    counters.started++;
    running++;
    const target =
      e.target.timeout > e.target.interval ? { ...e.target, timeout: e.target.interval } : e.target;
    let probing: Promise<ProbeResult>;
    try {
      probing = opts.runProbe(target, { clock, signal: shutdown.signal });
    } catch (err) {
      probing = Promise.reject(err);
    }
    const p = probing
      .catch((err: unknown): ProbeResult => {
        const message = err instanceof Error ? err.message : String(err);
        return {
          target: target.name,
          at: job.planned,
          outcome: 'failed',
          latencyMs: 0,
          timings: { totalMs: 0 },
          errorClass: 'internal',
          error: message,
        };
      })
      .then((result) => {
        counters.completed++;
        if (e.removed || entries.get(e.target.name) !== e) return;
        const next = nextTargetState(e.status, result, e.target);
        e.status = next.status;
        opts.onResult?.(result, e.status);
        if (next.event) opts.onEvent?.(next.event);
      })
      .catch(() => {
        // a throwing onResult/onEvent must not stop the scheduler
      })
      .finally(() => {
        running--;
        busy.delete(e.target.name);
        inFlight.delete(p);
        pump();
      });
    inFlight.add(p);
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      const now = clock.now();
      for (const t of initial) addEntry(t, now);
      arm();
    },
    async stop(options = {}) {
      stopped = true;
      if (options.abort) shutdown.abort(new Error('scheduler stopped'));
      timer?.cancel();
      timer = undefined;
      for (let i = queueHead; i < queue.length; i++) busy.delete(queue[i]!.entry.target.name);
      queue.length = 0;
      queueHead = 0;
      heap.clear();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    update(targets) {
      if (!started) {
        initial = targets;
        return;
      }
      const now = clock.now();
      const names = new Set(targets.map((t) => t.name));
      for (const [name, e] of entries) {
        if (!names.has(name)) {
          e.removed = true;
          entries.delete(name);
        }
      }
      for (const t of targets) {
        const e = entries.get(t.name);
        if (e && e.key === JSON.stringify(t)) continue;
        if (e) e.removed = true;
        addEntry(t, now, e && identity(e.target) === identity(t) ? e.status : initialTargetStatus());
      }
      // stale heap items of replaced entries are dropped when they come due; re-arm for new ones
      arm();
    },
    stats() {
      return {
        targets: entries.size,
        ...counters,
        running,
        queued: queue.length - queueHead,
        lagMs: lag.summary(),
        queueWaitMs: wait.summary(),
      };
    },
    status: (name) => entries.get(name)?.status,
    resetStats() {
      lag.reset();
      wait.reset();
      counters.started = counters.completed = counters.skipped = counters.maxQueued = 0;
    },
  };
}
