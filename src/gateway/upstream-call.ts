/**
 * One upstream HTTP request, driven through the pool's handler interface (`upstream/types.ts`,
 * undici's `DispatchHandler` subset): no Readable body, no async-iterator adapter, no
 * AbortSignal per attempt. The
 * head resolves `start()`; the body is either collected whole (`readAll`) or pulled chunk by
 * chunk (`next`, with backpressure: the socket is paused while chunks wait unread).
 */
import { NinesError } from '../core/errors.ts';
import type { CancelListener } from './cancellation.ts';
import type { DeadlineTarget } from './deadlines.ts';
import {
  parseRawHeaders,
  type UpstreamDispatcher,
  type UpstreamHandler,
  type UpstreamRequestOptions,
} from './upstream/types.ts';

/** Chunks held unread before the upstream socket is paused. */
const HIGH_WATER_CHUNKS = 16;

type Headers = Record<string, string | string[] | undefined>;

/**
 * A started upstream request: head, then body; abortable at any point. It is its own
 * cancellation listener (the client went away) and attempt-deadline target, so an attempt needs
 * no closure or timer of its own.
 */
export class UpstreamCall implements AsyncIterator<Buffer>, CancelListener, DeadlineTarget, UpstreamHandler {
  /** The upstream's status, once `start()` resolved. */
  status = 0;
  /** The reason given to `abort`, if any (the attempt's own deadline, or the client gone). */
  abortReason: unknown = undefined;

  private rawHeaders: string[] | null = null;
  private parsedHeaders: Headers | undefined;
  private abortFn: ((err: Error) => void) | undefined;
  private resumeFn: (() => void) | undefined;
  private paused = false;
  private readonly queue: Buffer[] = [];
  private size = 0;
  private ended = false;
  private error: unknown = undefined;
  private onHead: { resolve(): void; reject(err: unknown): void } | undefined;
  private waiter: { resolve(r: IteratorResult<Buffer>): void; reject(err: unknown): void } | undefined;
  private collector: { resolve(b: Buffer): void; reject(err: unknown): void } | undefined;

  /**
   * @param limit largest body accepted, bytes (a bigger one aborts with UPSTREAM).
   * @param timeoutText what the attempt deadline says it waited for (`<deployment>: no answer`).
   */
  constructor(
    private readonly limit: number,
    private readonly timeoutText = 'no answer',
  ) {}

  /** Dispatches the request on `dispatcher`; resolves when the response head arrived. */
  start(dispatcher: UpstreamDispatcher, opts: UpstreamRequestOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onHead = { resolve, reject };
      dispatcher.dispatch(opts, this);
    });
  }

  /**
   * Dispatches the request and resolves with the whole body once it is complete (`status` is
   * set by then): one promise for a non-streamed answer instead of head, then body.
   */
  fetch(dispatcher: UpstreamDispatcher, opts: UpstreamRequestOptions): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.collector = { resolve, reject };
      dispatcher.dispatch(opts, this);
    });
  }

  /** The request was cancelled (client gone, total deadline): aborts with its reason. */
  cancelled(reason: unknown): void {
    this.abort(reason);
  }

  /** The attempt deadline passed: aborts with a retryable TIMEOUT. */
  onDeadline(ms: number): void {
    this.abort(new NinesError('TIMEOUT', `${this.timeoutText} within ${ms} ms`, { retryable: true }));
  }

  /** Response headers (parsed on first use: only error answers need them). */
  headers(): Headers {
    if (!this.parsedHeaders) this.parsedHeaders = parseRawHeaders(this.rawHeaders ?? []);
    return this.parsedHeaders;
  }

  /** Aborts the request (closing its connection); pending reads reject with `reason`. */
  abort(reason: unknown): void {
    if (this.ended || this.error !== undefined) return;
    this.abortReason = reason;
    const err = reason instanceof Error ? reason : new Error(String(reason));
    if (this.abortFn) this.abortFn(err);
    else this.fail(err); // still queued in the pool: settle now, abort on connect
  }

  /** The whole body (what was already received included). */
  readAll(): Promise<Buffer> {
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve(this.concat());
    return new Promise((resolve, reject) => {
      this.collector = { resolve, reject };
      this.resume();
    });
  }

  /** The next body chunk (AsyncIterator protocol); chunks that waited unread come as one. */
  next(): Promise<IteratorResult<Buffer>> {
    const waiting = this.queue.length;
    if (waiting > 0) {
      const value = waiting === 1 ? this.queue[0]! : Buffer.concat(this.queue);
      this.queue.length = 0;
      this.resume();
      return Promise.resolve({ value, done: false });
    }
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.resume();
    });
  }

  private resume(): void {
    if (this.paused && this.queue.length < HIGH_WATER_CHUNKS) {
      this.paused = false;
      this.resumeFn?.();
    }
  }

  private concat(): Buffer {
    return this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue);
  }

  private fail(err: unknown): void {
    if (this.error !== undefined || this.ended) return;
    this.error = err;
    const { onHead, waiter, collector } = this;
    this.onHead = this.waiter = this.collector = undefined;
    onHead?.reject(err);
    waiter?.reject(err);
    collector?.reject(err);
  }

  // ---- UpstreamHandler (called by the pool's connection) ----

  /** @internal */
  onConnect(abort: (err?: Error) => void): void {
    if (this.error !== undefined) abort(this.error as Error);
    else this.abortFn = abort;
  }

  /** @internal */
  onHeaders(status: number, rawHeaders: string[], resume: () => void): boolean {
    this.status = status;
    this.rawHeaders = rawHeaders;
    this.resumeFn = resume;
    const h = this.onHead;
    this.onHead = undefined;
    h?.resolve();
    return true;
  }

  /** @internal */
  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.abort(
        new NinesError('UPSTREAM', `upstream answer over ${this.limit} bytes`, { retryable: false }),
      );
      return false;
    }
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve({ value: chunk, done: false });
      return true;
    }
    this.queue.push(chunk);
    if (this.collector) return true;
    if (this.queue.length >= HIGH_WATER_CHUNKS) this.paused = true;
    return !this.paused;
  }

  /** @internal */
  onComplete(): void {
    if (this.error !== undefined) return;
    this.ended = true;
    const { waiter, collector } = this;
    this.waiter = this.collector = undefined;
    waiter?.resolve({ value: undefined, done: true });
    collector?.resolve(this.concat());
  }

  /** @internal */
  onError(err: Error): void {
    this.fail(this.abortReason instanceof Error ? this.abortReason : err);
  }
}
