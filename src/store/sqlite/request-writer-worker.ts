/**
 * The request writer worker (started by `request-writer-thread.ts` through
 * `request-writer-worker.boot.js`): its own connection to the store's SQLite file, opened with
 * the store's pragmas (`connection.ts`), and the same request insert as the store's inline path
 * (`request-insert.ts`). Each batch message is one IMMEDIATE transaction, answered in order with
 * `{ ok }` or `{ error, code }`. The close message closes the database and ends the thread.
 * Both connections write one WAL file: while the store's connection writes (results, events,
 * rollup checkpoints, retention), a batch here waits for its lock (busy_timeout, 5 s).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteConnection } from './connection.ts';
import { prepareRequestInsert } from './request-insert.ts';
import { decodeRequestBatch } from './request-writer-protocol.ts';
import type {
  FromRequestWriter,
  RequestWriterWorkerData,
  ToRequestWriter,
} from './request-writer-protocol.ts';

const port = parentPort;
if (!port) throw new Error('request-writer-worker.ts runs in a worker thread only');
const { path } = workerData as RequestWriterWorkerData;
const db = openSqliteConnection(path);
const insert = prepareRequestInsert(db);

port.on('message', (msg: ToRequestWriter) => {
  if ('close' in msg) {
    db.close();
    process.exit(0); // ends this thread only
  }
  let reply: FromRequestWriter;
  try {
    insert(decodeRequestBatch(msg.batch));
    reply = { ok: true };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = {
      error: err instanceof Error ? err.message : String(err),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  port.postMessage(reply);
});
