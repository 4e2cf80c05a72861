/**
 * Time is passed in (DESIGN rule 1). Everything that needs "now" or a timer takes a `Clock`,
 * so tests drive time with `ManualClock` instead of sleeping.
 */

/** A cancellable timer handle returned by `Clock.setTimer`. */
export interface TimerHandle {
  cancel(): void;
}

/** Source of the current time (ms since epoch) and of timers. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `delayMs` milliseconds of this clock's time. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

/** The real wall clock, backed by Date.now and setTimeout (timers do not keep the process alive). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock for tests: time moves only when `advance`/`set` is called, firing due timers in order. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = {
      at: this.current + Math.max(0, delayMs),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Number of timers still waiting to fire. */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Moves time to `targetMs`, firing every timer due by then, earliest first. */
  set(targetMs: number): void {
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > targetMs) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = Math.max(this.current, targetMs);
  }
}
