/**
 * A minimal SQL runner over either backend, for the small record tables (incidents, runtime
 * state, users) whose code is written once: `?` placeholders are rewritten to `$1…` for
 * PostgreSQL. Hot paths (results, rollups) keep their backend-specific code.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';

/** Runs parameterised SQL on SQLite or PostgreSQL. */
export interface SqlRunner {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a write; resolves to the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

function toPg(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** A runner on a better-sqlite3 database (booleans are stored as 0/1). */
export function sqliteRunner(db: Database.Database): SqlRunner {
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const norm = (params: readonly unknown[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  return {
    dialect: 'sqlite',
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return stmt(sql).all(...norm(params)) as T[];
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return stmt(sql).run(...norm(params)).changes;
    },
  };
}

/** A runner on a pg Pool. */
export function postgresRunner(pool: pg.Pool): SqlRunner {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await pool.query(toPg(sql), params as unknown[])).rows as T[];
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return (await pool.query(toPg(sql), params as unknown[])).rowCount ?? 0;
    },
  };
}

/** The runner of an opened store (SQLite exposes `db`, PostgreSQL `pool`). */
export function runnerOf(store: object): SqlRunner {
  if ('db' in store) return sqliteRunner((store as { db: Database.Database }).db);
  if ('pool' in store) return postgresRunner((store as { pool: pg.Pool }).pool);
  throw new Error('runnerOf: this store exposes neither a SQLite db nor a PostgreSQL pool');
}
