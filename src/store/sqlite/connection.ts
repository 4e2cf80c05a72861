/**
 * Opens one better-sqlite3 connection configured the way every nines connection to a file must
 * be: WAL journal, `synchronous=NORMAL`, a 5 s busy timeout, a 64 MiB page cache, foreign keys,
 * and the rollup SQL functions. Used by the store's own connection (`store.ts`) and by the
 * request writer thread's (`request-writer-worker.ts`), so both agree on journal and locking.
 */
import Database from 'better-sqlite3';
import { NinesError } from '../../core/errors.ts';
import { registerRollupFunctions } from './rollup-writer.ts';

/**
 * Opens `path` (creating the file if needed) with nines' pragmas and SQL functions. Throws
 * `NinesError('UNAVAILABLE')` when the file cannot be opened.
 */
export function openSqliteConnection(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new NinesError('UNAVAILABLE', `cannot open SQLite database ${path}: ${String(err)}`, {
      cause: err,
      retryable: false,
    });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Two connections write this file (the store's and the request writer thread's): a writer
  // waits up to 5 s for the other's lock instead of failing with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  // 64 MiB page cache: rollup upserts touch one page per target; the 2 MiB default thrashes.
  db.pragma('cache_size = -65536');
  db.pragma('foreign_keys = ON');
  registerRollupFunctions(db);
  return db;
}
