/**
 * Test fixtures of the detection runtime: a temporary SQLite store with the `anomaly_scores`
 * table, and probe results of a synthetic latency series. Used by the detection and detect-route
 * tests only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECT, splitStatements } from '../store/migrations.ts';
import { anomaliesSchema } from '../store/records/anomalies.ts';
import { sqliteRunner, type SqlRunner } from '../store/sql-runner.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/store.ts';
import type { ProbeResult } from '../store/types.ts';

/** A migrated temporary SQLite store with the anomaly table, and a cleanup. */
export async function openDetectionTestStore(): Promise<{
  store: SqliteStore;
  sql: SqlRunner;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-detect-'));
  const store = openSqliteStore({ path: join(dir, 'nines.db') });
  await store.migrate();
  const sql = sqliteRunner(store.db);
  for (const stmt of splitStatements(anomaliesSchema(DIALECT.sqlite))) await sql.run(stmt);
  return {
    store,
    sql,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One probe result per minute from `start`, latency from `latencyAt(i)`; `failedAt(i)` marks failures. */
export function minuteResults(
  target: string,
  start: number,
  minutes: number,
  latencyAt: (i: number) => number,
  failedAt: (i: number) => boolean = () => false,
): ProbeResult[] {
  return Array.from({ length: minutes }, (_, i): ProbeResult => {
    const latencyMs = latencyAt(i);
    const failed = failedAt(i);
    return {
      target,
      at: start + i * 60_000 + 1000,
      outcome: failed ? 'failed' : 'ok',
      latencyMs,
      timings: { totalMs: latencyMs },
      ...(failed ? { errorClass: 'http_5xx' as const, status: 503 } : { status: 200 }),
    };
  });
}
