/**
 * `RequestWriterThread`: writes gateway request records to a SQLite file from a worker thread, so
 * the transaction (raw rows, rollup upserts, sketch serialisation: 1–2 ms per 250 records) runs
 * off the event loop that serves gateway traffic. The main thread only flattens the batch, posts
 * it, and awaits the commit.
 *
 * - The worker (`request-writer-worker.ts`) starts on the first batch, with its own connection to
 *   the same file. Batches are answered in order, one promise each. A promise resolves after the
 *   commit: a read on any other connection started afterwards sees the rows (WAL).
 * - If the worker dies (a crash, `killWorker()`), every batch in flight is rejected with a
 *   retryable `NinesError('UNAVAILABLE')` — `BufferedWriter` keeps and retries it — and the next
 *   batch starts a new worker. A batch whose commit happened just before the death is written
 *   twice on retry (as with PostgreSQL when the connection drops at COMMIT).
 * - A failed batch rejects with the `SqliteError` the inline path would throw (same message and
 *   code); the transaction was rolled back and the worker keeps running.
 * - The worker never keeps the process alive on its own: it is `unref()`ed while idle and
 *   `ref()`ed while a batch is in flight (and while closing), so a pending write is not cut off.
 * - Both connections write one WAL file, so a write on either may wait for the other's lock (up to
 *   busy_timeout, 5 s). The store's connection then waits on the event loop, for at most one
 *   request batch's transaction.
 */
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { NinesError } from '../../core/errors.ts';
import type { RequestRecord } from '../types.ts';
import { encodeRequestBatch } from './request-writer-protocol.ts';
import type {
  FromRequestWriter,
  RequestWriterWorkerData,
  ToRequestWriter,
} from './request-writer-protocol.ts';

const WORKER_URL = new URL('./request-writer-worker.boot.js', import.meta.url);

interface InFlight {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Writes request record batches to one SQLite file from a worker thread; see the module comment. */
export class RequestWriterThread {
  private worker: Worker | undefined;
  private readonly inFlight: InFlight[] = [];
  /** Settles after the last batch posted has settled (batches settle in order). */
  private drained: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private workerError: string | undefined;

  /** @param path absolute path of the migrated SQLite file */
  constructor(private readonly path: string) {}

  /** True while a worker thread exists (started, and not exited). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Writes one batch in one transaction; resolves once committed. See the module comment for errors. */
  write(records: readonly RequestRecord[]): Promise<void> {
    if (this.closing) {
      return Promise.reject(
        new NinesError('UNAVAILABLE', 'the SQLite request writer is closed', { retryable: false }),
      );
    }
    const worker = this.worker ?? this.start();
    const done = new Promise<void>((resolve, reject) => {
      if (this.inFlight.length === 0) worker.ref();
      this.inFlight.push({ resolve, reject });
    });
    this.drained = done.catch(() => undefined);
    const msg: ToRequestWriter = { batch: encodeRequestBatch(records) };
    worker.postMessage(msg);
    return done;
  }

  /** Waits for the batches in flight, then closes the worker's database and waits for it to exit. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Test hook: kills the worker as a crash would (batches in flight are rejected, retryable). */
  async killWorker(): Promise<void> {
    await this.worker?.terminate();
  }

  private async shutdown(): Promise<void> {
    await this.drained;
    const worker = this.worker;
    if (!worker) return;
    worker.ref(); // the database must be closed before the process may exit
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const msg: ToRequestWriter = { close: true };
    worker.postMessage(msg);
    await exited;
  }

  private start(): Worker {
    const workerData: RequestWriterWorkerData = { path: this.path };
    // No inherited options (e.g. `--input-type`, `--eval`, `--test` would break or confuse it):
    // the boot file registers tsx itself.
    const worker = new Worker(WORKER_URL, { workerData, execArgv: [] });
    this.worker = worker;
    this.workerError = undefined;
    worker.on('message', (reply: FromRequestWriter) => this.settle(worker, reply));
    // Without a listener a worker's uncaught error would crash this process; 'exit' follows it.
    worker.on('error', (err) => (this.workerError = err.message));
    worker.on('exit', (code) => this.exited(worker, code));
    return worker;
  }

  private settle(worker: Worker, reply: FromRequestWriter): void {
    const batch = this.inFlight.shift();
    if (this.inFlight.length === 0) worker.unref();
    if (!batch) return;
    if ('ok' in reply) batch.resolve();
    else if (reply.code) batch.reject(new Database.SqliteError(reply.error, reply.code));
    else
      batch.reject(new NinesError('INTERNAL', `SQLite request writer: ${reply.error}`, { retryable: false }));
  }

  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const cause = this.workerError ? `: ${this.workerError}` : '';
    const lost = this.inFlight.splice(0);
    for (const batch of lost) {
      batch.reject(
        new NinesError(
          'UNAVAILABLE',
          `the SQLite request writer thread stopped (exit code ${code}${cause}) before acknowledging ` +
            'the batch; retry it: the next batch starts a new thread',
          { retryable: true, details: { exitCode: code } },
        ),
      );
    }
  }
}
