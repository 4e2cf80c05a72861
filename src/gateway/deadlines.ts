/**
 * Deadlines without a timer per request: every deadline of the same length goes into one FIFO
 * list (added in time order, so the list stays sorted), and each list keeps at most one clock
 * timer armed, for its oldest entry. Adding and cancelling are O(1) and allocate one small entry;
 * a cancelled head is dropped lazily when that timer fires, which then re-arms for the new head.
 * Deadlines fire at the same time as one timer each would (same clock, same length).
 */
import type { Clock } from '../core/clock.ts';

/** What a deadline calls when it passes; `ms` is the deadline's length. */
export interface DeadlineTarget {
  onDeadline(ms: number): void;
}

/** A pending deadline, as returned by `Deadlines.add` (pass it to `cancel`). */
export class Deadline {
  prev: Deadline | null = null;
  next: Deadline | null = null;
  queue: DeadlineQueue | null = null;

  constructor(
    readonly at: number,
    readonly target: DeadlineTarget,
  ) {}
}

/** The deadlines of one length, oldest first. */
class DeadlineQueue {
  head: Deadline | null = null;
  tail: Deadline | null = null;
  armed = false;

  constructor(readonly ms: number) {}
}

/** A set of deadlines on one clock. */
export class Deadlines {
  private readonly queues = new Map<number, DeadlineQueue>();

  constructor(private readonly clock: Clock) {}

  /** Calls `target.onDeadline(ms)` in `ms` milliseconds unless cancelled first. */
  add(ms: number, target: DeadlineTarget): Deadline {
    let q = this.queues.get(ms);
    if (q === undefined) {
      q = new DeadlineQueue(ms);
      this.queues.set(ms, q);
    }
    const d = new Deadline(this.clock.now() + ms, target);
    d.queue = q;
    d.prev = q.tail;
    if (q.tail) q.tail.next = d;
    else q.head = d;
    q.tail = d;
    if (!q.armed) this.arm(q, ms);
    return d;
  }

  /** Cancels `d` (no effect once it fired or was cancelled). */
  cancel(d: Deadline): void {
    const q = d.queue;
    if (q === null) return;
    if (d.prev) d.prev.next = d.next;
    else q.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else q.tail = d.prev;
    d.prev = d.next = d.queue = null;
  }

  /** Deadlines still pending (for tests). */
  pending(): number {
    let n = 0;
    for (const q of this.queues.values()) for (let d = q.head; d; d = d.next) n++;
    return n;
  }

  private arm(q: DeadlineQueue, delay: number): void {
    q.armed = true;
    this.clock.setTimer(delay, () => this.fire(q));
  }

  private fire(q: DeadlineQueue): void {
    q.armed = false;
    const now = this.clock.now();
    try {
      for (let d = q.head; d !== null && d.at <= now; d = q.head) {
        this.cancel(d);
        d.target.onDeadline(q.ms);
      }
    } finally {
      if (q.head) this.arm(q, Math.max(1, q.head.at - now));
      else if (this.queues.get(q.ms) === q) this.queues.delete(q.ms);
    }
  }
}
