/**
 * `BufferedWriter`: accepts observations synchronously on hot paths (probe runs, gateway requests)
 * and writes them to the store in batches, every `flushIntervalMs` or as soon as `batchSize`
 * items wait. Accepted data is never dropped: a failed batch stays at the head of its queue and is
 * retried with exponential backoff. Memory is bounded by `maxPending`: once that many items wait
 * unwritten, `write*` throws `NinesError('UNAVAILABLE', retryable)` — back-pressure on the caller,
 * which knows whether to skip, count, or slow down — rather than losing data it already accepted.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import { NinesError } from '../core/errors.ts';
import type { ProbeResult, RequestRecord, StateEvent, Store } from './types.ts';

/** Options of a `BufferedWriter`. */
export interface BufferedWriterOptions {
  store: Pick<Store, 'insertResults' | 'insertEvents' | 'insertRequests'>;
  clock: Clock;
  /** Longest time an accepted item waits before a flush starts (config `storage.flushInterval`). */
  flushIntervalMs: number;
  /** Items per store call, and the queue length that triggers an early flush; default `DEFAULT_BATCH_SIZE`. */
  batchSize?: number;
  /** Most items held unwritten before `write*` refuses more; default 200,000. */
  maxPending?: number;
  /** First retry delay after a failed flush, doubled per failure up to `maxRetryDelayMs`; default 1 s. */
  retryDelayMs?: number;
  /** Default 30 s. */
  maxRetryDelayMs?: number;
  /** Told about every failed background flush (the batch is kept and retried). */
  onError?: (err: unknown) => void;
}

/**
 * Default items per store call. With SQLite, results and events are written on the event loop
 * (better-sqlite3 is synchronous), so the batch size bounds how long a flush stalls the gateway
 * and the probe scheduler sharing that loop: 250 results take about 1–2 ms. Bigger batches write
 * faster per item (`bench:ingest`: 1,000 → 5,000 rows per call is ~1.4× the rate) but stall
 * longer. Request records of a SQLite file are written by a worker thread
 * (`sqlite/request-writer-thread.ts`); the event loop only hands each batch over.
 */
export const DEFAULT_BATCH_SIZE = 250;

/** Counters for /metrics and tests. */
export interface WriterStats {
  pending: number;
  written: number;
  failedFlushes: number;
  refused: number;
}

/** Batches results, events and request records into the store; see the module comment. */
export class BufferedWriter {
  private readonly results: ProbeResult[] = [];
  private readonly events: StateEvent[] = [];
  private readonly requests: RequestRecord[] = [];
  private readonly batchSize: number;
  private readonly maxPending: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> | undefined;
  private consecutiveFailures = 0;
  private closed = false;
  private written = 0;
  private failedFlushes = 0;
  private refused = 0;

  constructor(private readonly options: BufferedWriterOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxPending = options.maxPending ?? 200_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  }

  /** Accepts one probe result; throws UNAVAILABLE when closed or full (see module comment). */
  write(result: ProbeResult): void {
    this.accept(this.results, result);
  }

  /** Accepts one state event. */
  writeEvent(event: StateEvent): void {
    this.accept(this.events, event);
  }

  /** Accepts one gateway request record. */
  writeRequest(record: RequestRecord): void {
    this.accept(this.requests, record);
  }

  /** Items accepted and not yet written. */
  get pending(): number {
    return this.results.length + this.events.length + this.requests.length;
  }

  /** Counters since construction. */
  stats(): WriterStats {
    return {
      pending: this.pending,
      written: this.written,
      failedFlushes: this.failedFlushes,
      refused: this.refused,
    };
  }

  /** Writes everything pending now; rejects (keeping the data) if the store fails. */
  async flush(): Promise<void> {
    while (this.pending > 0) {
      await this.idle();
      if (this.pending === 0) break;
      this.inFlight = this.writeOneBatch();
      try {
        await this.inFlight;
      } catch (err) {
        this.schedule(this.backoffMs());
        throw err;
      } finally {
        this.inFlight = undefined;
      }
    }
  }

  /** Stops accepting, cancels the timer and flushes; on failure the data stays and close may be retried. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.flush();
  }

  /** Resolves when no flush is running (for tests driving a ManualClock, and for shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
  }

  private accept<T>(queue: T[], item: T): void {
    if (this.closed) throw new NinesError('UNAVAILABLE', 'store writer is closed', { retryable: false });
    if (this.pending >= this.maxPending) {
      this.refused++;
      throw new NinesError(
        'UNAVAILABLE',
        `store writer is full (${this.maxPending} items waiting to be written)`,
        {
          retryable: true,
          details: { pending: this.pending },
        },
      );
    }
    queue.push(item);
    if (this.inFlight) return;
    if (this.consecutiveFailures > 0) this.schedule(this.backoffMs());
    else if (this.pending >= this.batchSize) this.startBackgroundFlush();
    else this.schedule(this.options.flushIntervalMs);
  }

  private backoffMs(): number {
    return Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** Math.max(0, this.consecutiveFailures - 1));
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = this.options.clock.setTimer(delayMs, () => {
      this.timer = undefined;
      this.startBackgroundFlush();
    });
  }

  private startBackgroundFlush(): void {
    if (this.inFlight || this.pending === 0) return;
    this.timer?.cancel();
    this.timer = undefined;
    const run = this.writeOneBatch().then(
      () => {
        this.inFlight = undefined;
        if (this.pending >= this.batchSize) this.startBackgroundFlush();
        else if (this.pending > 0) this.schedule(this.options.flushIntervalMs);
      },
      (err: unknown) => {
        this.inFlight = undefined;
        this.options.onError?.(err);
        this.schedule(this.backoffMs());
      },
    );
    this.inFlight = run;
  }

  /** Writes up to one batch of each kind; each kind leaves its queue only once the store has it. */
  private async writeOneBatch(): Promise<void> {
    try {
      if (this.events.length > 0) {
        const batch = this.events.slice(0, this.batchSize);
        await this.options.store.insertEvents(batch);
        this.events.splice(0, batch.length);
        this.written += batch.length;
      }
      if (this.results.length > 0) {
        const batch = this.results.slice(0, this.batchSize);
        await this.options.store.insertResults(batch);
        this.results.splice(0, batch.length);
        this.written += batch.length;
      }
      if (this.requests.length > 0) {
        const batch = this.requests.slice(0, this.batchSize);
        await this.options.store.insertRequests(batch);
        this.requests.splice(0, batch.length);
        this.written += batch.length;
      }
      this.consecutiveFailures = 0;
    } catch (err) {
      this.consecutiveFailures++;
      this.failedFlushes++;
      throw err;
    }
  }
}
