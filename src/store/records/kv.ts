/** A small key → JSON document table for runtime state (alert pipeline, rule state) that must survive restarts. */
import type { SqlRunner } from '../sql-runner.ts';

/** Reads and writes JSON documents by key. */
export interface KvStore {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown, now: number): Promise<void>;
}

/** The `kv_state` table as a KvStore. */
export function sqlKvStore(sql: SqlRunner): KvStore {
  return {
    async get(key) {
      const [row] = await sql.all<{ value: string }>('SELECT value FROM kv_state WHERE key = ?', [key]);
      return row ? (JSON.parse(row.value) as unknown) : undefined;
    },
    async put(key, value, now) {
      await sql.run(
        'INSERT INTO kv_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [key, JSON.stringify(value), now],
      );
    },
  };
}
