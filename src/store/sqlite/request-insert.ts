/**
 * The one write path of gateway request records into SQLite: raw rows plus their minute and hour
 * rollups, in one IMMEDIATE transaction per batch. Shared by the store's inline path (`store.ts`,
 * `requestWriter: 'inline'`) and the request writer thread (`request-writer-worker.ts`), so both
 * write exactly the same rows.
 */
import type Database from 'better-sqlite3';
import { requestDetails } from '../rows.ts';
import type { RequestRecord } from '../types.ts';
import { SqliteRollupWriter } from './rollup-writer.ts';

/** Writes one batch of request records, rows and rollups, in its own IMMEDIATE transaction. */
export type RequestInsert = (records: readonly RequestRecord[]) => void;

/**
 * Prepares the request insert on `db` (migrated, rollup functions registered). The returned
 * function throws the SQLite error of a failed batch, after rolling the whole batch back.
 */
export function prepareRequestInsert(db: Database.Database): RequestInsert {
  const rollups = new SqliteRollupWriter(db);
  const insertRequest = db.prepare(
    `INSERT INTO request_records (id, at, route, deployment, status, outcome, latency_ms, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const tx = db.transaction((records: readonly RequestRecord[]) => {
    for (const r of records) {
      insertRequest.run(
        r.id,
        r.at,
        r.route,
        r.deployment ?? null,
        r.status,
        r.outcome,
        r.latencyMs,
        requestDetails(r),
      );
    }
    rollups.writeRequests(records);
  });
  return (records) => tx.immediate(records);
}
