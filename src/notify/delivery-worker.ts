/**
 * The delivery worker: claims due outbox items, sends them with a concurrency bound, and records
 * every outcome: delivered, retry later (exponential backoff with jitter), or dead (permanent
 * error, integration gone, or retried past `maxAgeMs`). Time comes from a `Clock`, so tests and
 * the bench drive it with `ManualClock` over real HTTP.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import { formatDuration } from '../core/duration.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import type { DeliveryResult } from './delivery-result.ts';
import type { Notifier } from './notifier.ts';
import type { OutboxItem, OutboxStore } from './outbox-store.ts';

/** Options of a `DeliveryWorker`. */
export interface DeliveryWorkerOptions {
  store: OutboxStore;
  clock: Clock;
  /** The notifier of an integration id, or undefined when it is no longer configured. */
  resolve(integration: string): Notifier | undefined;
  /** Sends in flight at once; default 4. */
  concurrency?: number;
  /** How long a claim holds before another worker may take the item; longer than any send timeout. Default 2m. */
  leaseMs?: number;
  /** How often `start()` looks for due items; default 1s. */
  pollIntervalMs?: number;
  backoff?: BackoffPolicy;
  /** Give up (dead) on an item still failing this long after it was enqueued; default 6h. */
  maxAgeMs?: number;
  random?: () => number;
  /** Called after each attempt, e.g. for metrics and logs. */
  onAttempt?(item: OutboxItem, result: DeliveryResult): void;
  /**
   * Called when a polling round fails (the store is unreachable, say). Claimed items stay
   * `sending` and are offered again when their lease expires. Default: console.error.
   */
  onError?(err: unknown): void;
}

/** What one `runOnce` did. */
export interface RunSummary {
  attempted: number;
  delivered: number;
  retrying: number;
  dead: number;
}

/** Delivers the outbox. `runOnce` drains what is due now; `start` repeats it on the clock. */
export class DeliveryWorker {
  private readonly o: Required<Omit<DeliveryWorkerOptions, 'onAttempt'>> &
    Pick<DeliveryWorkerOptions, 'onAttempt'>;
  private timer: TimerHandle | undefined;
  private running: Promise<RunSummary> | undefined;
  private abort = new AbortController();
  private stopped = false;

  constructor(options: DeliveryWorkerOptions) {
    this.o = {
      concurrency: 4,
      leaseMs: 120_000,
      pollIntervalMs: 1000,
      backoff: DEFAULT_BACKOFF,
      maxAgeMs: 6 * 3_600_000,
      random: Math.random,
      onError: (err: unknown) => console.error('notify: delivery round failed:', err),
      ...options,
    };
  }

  /** Claims and sends everything due at the clock's current time, until nothing is due. */
  runOnce(): Promise<RunSummary> {
    if (!this.running) this.running = this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Polls on the clock every `pollIntervalMs` until `stop`. */
  start(): void {
    this.stopped = false;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    const tick = () => {
      if (this.stopped) return;
      void this.runOnce()
        .catch((err: unknown) => this.o.onError(err))
        .finally(() => {
          if (!this.stopped) this.timer = this.o.clock.setTimer(this.o.pollIntervalMs, tick);
        });
    };
    this.timer = this.o.clock.setTimer(0, tick);
  }

  /** Stops polling, cancels sends in flight (they are recorded as retryable failures) and waits. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private async drain(): Promise<RunSummary> {
    const summary: RunSummary = { attempted: 0, delivered: 0, retrying: 0, dead: 0 };
    for (;;) {
      if (this.abort.signal.aborted) return summary;
      const items = await this.o.store.claimDue(this.o.clock.now(), this.o.concurrency * 4, this.o.leaseMs);
      if (items.length === 0) return summary;
      let next = 0;
      const lane = async () => {
        while (next < items.length) {
          const item = items[next++]!;
          summary[await this.deliver(item)]++;
          summary.attempted++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.o.concurrency, items.length) }, lane));
    }
  }

  private async deliver(item: OutboxItem): Promise<'delivered' | 'retrying' | 'dead'> {
    const { store, clock } = this.o;
    const notifier = this.o.resolve(item.integration);
    let result: DeliveryResult;
    if (!notifier) {
      result = {
        ok: false,
        retryable: false,
        code: 'NOT_FOUND',
        message: `integration ${item.integration} is no longer configured`,
      };
    } else {
      try {
        result = await notifier.send(item.notification, {
          signal: this.abort.signal,
          idempotencyKey: item.idempotencyKey,
        });
      } catch (err) {
        result = { ok: false, retryable: true, code: 'INTERNAL', message: `notifier threw: ${String(err)}` };
      }
    }
    this.o.onAttempt?.(item, result);
    const now = clock.now();
    if (result.ok) {
      await store.markDelivered(
        item.id,
        now,
        result.skipped ? 'skipped (send_resolved: false)' : result.detail,
      );
      return 'delivered';
    }
    const error = { code: result.code, message: result.message };
    if (!result.retryable) {
      await store.markDead(item.id, now, { code: error.code, message: `permanent: ${error.message}` });
      return 'dead';
    }
    const deadline = item.createdAt + this.o.maxAgeMs;
    if (now >= deadline) {
      const message = `gave up after ${item.attempts} attempts over ${formatDuration(now - item.createdAt)}: ${error.message}`;
      await store.markDead(item.id, now, { code: error.code, message });
      return 'dead';
    }
    const nextAt = Math.min(deadline, now + backoffDelay(item.attempts, this.o.backoff, this.o.random));
    await store.markFailed(item.id, now, error, nextAt);
    return 'retrying';
  }
}
