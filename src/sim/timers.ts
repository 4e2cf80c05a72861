/**
 * Timers of one sim server, on its clock, tracked so that closing the server cancels every
 * pending delay (no stray callbacks writing to closed sockets after `close()`).
 */
import type { Clock, TimerHandle } from '../core/clock.ts';

/** A set of live timers on a clock; `cancelAll` stops them all. */
export class TimerSet {
  private readonly live = new Set<TimerHandle>();
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** Runs `fn` after `ms` of clock time (at once, synchronously, when `ms <= 0`); returns a canceller. */
  after(ms: number, fn: () => void): () => void {
    if (this.closed) return () => {};
    if (ms <= 0) {
      fn();
      return () => {};
    }
    const handle: TimerHandle = this.clock.setTimer(ms, () => {
      this.live.delete(handle);
      fn();
    });
    this.live.add(handle);
    return () => {
      handle.cancel();
      this.live.delete(handle);
    };
  }

  /** Cancels every pending timer and refuses new ones. */
  cancelAll(): void {
    this.closed = true;
    for (const handle of this.live) handle.cancel();
    this.live.clear();
  }
}
