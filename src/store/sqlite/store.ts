/**
 * The SQLite `Store`: one file, WAL journal, `synchronous=NORMAL`, prepared statements, one
 * IMMEDIATE transaction per batch of raw rows, and result rollups held in memory and written at
 * checkpoints (`result-rollups.ts`): before every rollup read, every 10 s, and on close.
 * Gateway request records of a file database are written by a worker thread with its own
 * connection (`request-writer-thread.ts`), off the event loop; everything else, reads included,
 * runs on this connection. Both write one WAL file, so a write may wait for the other's lock.
 */
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../core/clock.ts';
import { NinesError } from '../../core/errors.ts';
import { eventFromRow, requestFromRow, resultDetails, resultFromRow } from '../rows.ts';
import type { EventRow, RequestRow, ResultRow } from '../rows.ts';
import { requestRollupFromRow, rollupFromRow } from '../rollup-agg.ts';
import type { RequestRollupRow, RollupRow } from '../rollup-agg.ts';
import type {
  ProbeResult,
  RetentionPolicy,
  Rollup,
  RollupRange,
  StateEvent,
  Store,
  TimeRange,
} from '../types.ts';
import { mergeSummaries } from '../summarize-window.ts';
import { foldRollups } from '../summary.ts';
import { migrateSqlite } from './migrate.ts';
import { decodePack, packHour } from './minute-packs.ts';
import { MultiRowInsert } from './multi-insert.ts';
import { MinutePackRetention } from './minute-pack-retention.ts';
import { SqliteResultRollups } from './result-rollups.ts';
import { SqliteSummaries } from './summarize.ts';
import { openSqliteConnection } from './connection.ts';
import { prepareRequestInsert } from './request-insert.ts';
import { RequestWriterThread } from './request-writer-thread.ts';

/** Options of `openSqliteStore`. */
export interface SqliteStoreOptions {
  /** File path (its directory must exist), or ':memory:'. */
  path: string;
  /** Time source for bookkeeping (migration timestamps); defaults to the system clock. */
  clock?: Clock;
  /**
   * Where `insertRequests` runs its transaction: `'thread'` (a worker thread with its own
   * connection; the default for a file) or `'inline'` (this connection, on the event loop; the
   * default, and the only choice, for ':memory:', which a worker cannot share).
   */
  requestWriter?: 'thread' | 'inline';
}

/** The SQLite store, plus the handle for tools and tests that need raw SQL. */
export interface SqliteStore extends Store {
  readonly db: Database.Database;
  /** Where request records are written (see `SqliteStoreOptions.requestWriter`). */
  readonly requestWriter: 'thread' | 'inline';
}

/** Opens (creating if needed) a SQLite database; call `migrate()` before the first read or write. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const clock = options.clock ?? systemClock;
  const inMemory = options.path === ':memory:' || options.path === '';
  const requestWriter = options.requestWriter ?? (inMemory ? 'inline' : 'thread');
  if (requestWriter === 'thread' && inMemory) {
    throw new NinesError('VALIDATION', "requestWriter 'thread' needs a database file, not ':memory:'");
  }
  const db = openSqliteConnection(options.path);
  // Resolved now: the worker opens the file later, and the working directory may change meanwhile.
  const thread = requestWriter === 'thread' ? new RequestWriterThread(resolve(options.path)) : undefined;

  let prepared: ReturnType<typeof prepare> | undefined;
  const stmts = (): ReturnType<typeof prepare> => {
    if (!prepared) throw new NinesError('INTERNAL', 'SQLite store used before migrate()');
    return prepared;
  };

  return {
    db,
    requestWriter,
    async migrate() {
      migrateSqlite(db, clock.now());
      prepared ??= prepare(db, () => clock.now());
    },
    async insertResults(results) {
      if (results.length === 0) return;
      const s = stmts();
      try {
        s.insertResultsTx.immediate(results);
      } catch (err) {
        // Memory may hold this batch's (rolled back) counts: rebuild it from the raw rows.
        s.resultRollups.invalidate();
        throw err;
      }
    },
    async insertEvents(events) {
      if (events.length > 0) stmts().insertEventsTx.immediate(events);
    },
    async insertRequests(records) {
      if (records.length === 0) return;
      const s = stmts();
      // The thread opens its connection on the first batch: after migrate(), as stmts() checks.
      if (thread) await thread.write(records);
      else s.insertRequests(records);
    },
    async queryResults(q) {
      const s = stmts();
      const rows = (q.newestFirst ? s.queryResultsNewest : s.queryResults).all({
        from: q.from,
        to: q.to,
        target: q.target ?? null,
        failed: q.onlyFailures ? 1 : 0,
        limit: q.limit ?? -1,
      }) as ResultRow[];
      return rows.map(resultFromRow);
    },
    async queryEvents(q) {
      const rows = stmts().queryEvents.all({
        from: q.from,
        to: q.to,
        target: q.target ?? null,
        limit: q.limit ?? -1,
      }) as EventRow[];
      return rows.map(eventFromRow);
    },
    async lastEventBefore(target, at) {
      const row = stmts().lastEventBefore.get(target, at) as EventRow | undefined;
      return row ? eventFromRow(row) : undefined;
    },
    async lastEventsBefore(targets, at) {
      const out = new Map<string, StateEvent>();
      if (targets.length === 0) return out;
      for (const row of stmts().lastEventsBefore.all({ targets: JSON.stringify(targets), at }) as EventRow[])
        out.set(row.target, eventFromRow(row));
      return out;
    },
    async queryRollups(q) {
      const s = stmts();
      s.syncRollups();
      if (q.tier === 'minute') return s.minuteRollups(q);
      const params = {
        from: q.from,
        to: q.to,
        tier: q.tier,
        targets: q.targets ? JSON.stringify(q.targets) : null,
      };
      const rows = (q.targets ? s.queryRollupsFor.all(params) : s.queryRollupsAll.all(params)) as RollupRow[];
      return rows.map(rollupFromRow);
    },
    async summarizeRollups(q) {
      const s = stmts();
      s.syncRollups();
      // Minute packs are folded here; hour and day rows inside SQLite.
      if (q.tier === 'minute') return foldRollups(s.minuteRollups(q));
      return s.summaries.summarize(q);
    },
    async summarizeParts(parts, targets) {
      const s = stmts();
      s.syncRollups();
      if (parts.some((p) => p.tier === 'minute')) {
        // Minute packs fold in JS, part by part.
        const range = (p: RollupRange) => (targets ? { ...p, targets } : p);
        return mergeSummaries(
          parts.flatMap((p) =>
            p.tier === 'minute' ? foldRollups(s.minuteRollups(range(p))) : s.summaries.summarize(range(p)),
          ),
        );
      }
      return s.summaries.summarizeParts(parts, targets);
    },
    async queryRequests(q) {
      const rows = stmts().queryRequests.all({
        from: q.from,
        to: q.to,
        route: q.route ?? null,
        limit: q.limit ?? -1,
      }) as RequestRow[];
      return rows.map(requestFromRow);
    },
    async queryRequestRollups(q) {
      const rows = stmts().queryRequestRollups.all({
        from: q.from,
        to: q.to,
        tier: q.tier,
        route: q.route ?? null,
      }) as RequestRollupRow[];
      return rows.map(requestRollupFromRow);
    },
    async applyRetention(now, policy) {
      const s = stmts();
      try {
        return s.retentionTx.immediate(now, policy);
      } finally {
        s.resultRollups.invalidate();
      }
    },
    async close() {
      if (!db.open) return;
      await thread?.close(); // lets the batches in flight commit; a no-op if it never started
      if (!db.open) return; // closed by a concurrent close()
      prepared?.syncRollups();
      db.close();
    },
  };
}

function prepare(db: Database.Database, now: () => number) {
  const resultRollups = new SqliteResultRollups(db, now);
  const checkpointTx = db.transaction(() => {
    resultRollups.recover();
    resultRollups.checkpoint();
  });
  const packsAll = db.prepare(
    'SELECT target, hour, data FROM minute_packs WHERE hour >= @from AND hour < @to ORDER BY target, hour',
  );
  const packsFor = db.prepare(
    `SELECT target, hour, data FROM minute_packs WHERE target IN (SELECT value FROM json_each(@targets))
       AND hour >= @from AND hour < @to ORDER BY target, hour`,
  );
  const minutePacks = new MinutePackRetention(db);
  const insertResults = new MultiRowInsert(
    db,
    'INSERT INTO probe_results (target, at, outcome, latency_ms, status, error_class, error, location, details) VALUES',
    9,
  );
  const insertEvent = db.prepare(
    'INSERT INTO state_events (target, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)',
  );
  const deletes = {
    results: db.prepare('DELETE FROM probe_results WHERE at < ?'),
    events: db.prepare('DELETE FROM state_events WHERE at < ?'),
    hourRollups: db.prepare("DELETE FROM rollups WHERE tier = 'hour' AND bucket < ?"),
    dayRollups: db.prepare("DELETE FROM rollups WHERE tier = 'day' AND bucket < ?"),
    requests: db.prepare('DELETE FROM request_records WHERE at < ?'),
    requestMinuteRollups: db.prepare("DELETE FROM request_rollups WHERE tier = 'minute' AND bucket < ?"),
    requestHourRollups: db.prepare("DELETE FROM request_rollups WHERE tier = 'hour' AND bucket < ?"),
  };
  return {
    resultRollups,
    /** Writes rollups held in memory, so SQL sees every stored result. */
    syncRollups(): void {
      if (!resultRollups.pending) return;
      try {
        checkpointTx.immediate();
      } catch (err) {
        // Memory may be half encoded: rebuild it from the raw rows on the next write.
        resultRollups.invalidate();
        throw err;
      }
    },
    /** Minute rollups of [from, to), decoded from their packs; by target, then bucket. */
    minuteRollups(q: TimeRange & { targets?: readonly string[] }): Rollup[] {
      const params = { from: packHour(q.from), to: q.to };
      const packs = (
        q.targets ? packsFor.all({ ...params, targets: JSON.stringify(q.targets) }) : packsAll.all(params)
      ) as { target: string; hour: number; data: Uint8Array }[];
      const out: Rollup[] = [];
      for (const p of packs) for (const r of decodePack(p.target, p.hour, p.data, q.from, q.to)) out.push(r);
      return out;
    },
    summaries: new SqliteSummaries(db),
    insertResultsTx: db.transaction((results: readonly ProbeResult[]) => {
      resultRollups.recover();
      const lastId = insertResults.runEach(results, (r, p, at) => {
        p[at] = r.target;
        p[at + 1] = r.at;
        p[at + 2] = r.outcome;
        p[at + 3] = r.latencyMs;
        p[at + 4] = r.status ?? null;
        p[at + 5] = r.errorClass ?? null;
        p[at + 6] = r.error ?? null;
        p[at + 7] = r.location ?? null;
        p[at + 8] = resultDetails(r);
      });
      resultRollups.add(results, lastId);
      if (resultRollups.due) resultRollups.checkpoint();
    }),
    insertEventsTx: db.transaction((events: readonly StateEvent[]) => {
      for (const e of events) insertEvent.run(e.target, e.at, e.from, e.to, e.reason);
    }),
    /** The inline request path (`requestWriter: 'inline'`); the thread prepares its own. */
    insertRequests: prepareRequestInsert(db),
    retentionTx: db.transaction((now: number, p: RetentionPolicy) => {
      // Write what memory holds first: the watermark must cover every raw row deleted below.
      resultRollups.recover();
      resultRollups.checkpoint();
      const run = (stmt: Database.Statement, keepMs: number) => stmt.run(now - keepMs).changes;
      return {
        results: run(deletes.results, p.rawMs),
        // State events are few and define every window's starting state: kept as long as hour rollups.
        events: run(deletes.events, p.hourMs),
        minuteRollups: minutePacks.deleteBefore(now - p.minuteMs),
        hourRollups: run(deletes.hourRollups, p.hourMs),
        dayRollups: run(deletes.dayRollups, p.dayMs ?? p.hourMs),
        requests: run(deletes.requests, p.requestsMs),
        requestMinuteRollups: run(deletes.requestMinuteRollups, p.minuteMs),
        requestHourRollups: run(deletes.requestHourRollups, p.hourMs),
      };
    }),
    queryResults: db.prepare(
      `SELECT * FROM probe_results WHERE at >= @from AND at < @to AND (@target IS NULL OR target = @target)
         AND (@failed = 0 OR outcome = 'failed') ORDER BY at, id LIMIT @limit`,
    ),
    queryResultsNewest: db.prepare(
      `SELECT * FROM probe_results WHERE at >= @from AND at < @to AND (@target IS NULL OR target = @target)
         AND (@failed = 0 OR outcome = 'failed') ORDER BY at DESC, id DESC LIMIT @limit`,
    ),
    queryEvents: db.prepare(
      `SELECT * FROM state_events WHERE at >= @from AND at < @to AND (@target IS NULL OR target = @target)
         ORDER BY at, id LIMIT @limit`,
    ),
    lastEventBefore: db.prepare(
      'SELECT * FROM state_events WHERE target = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1',
    ),
    // One index seek per target (state_events_target_at), not a scan of every earlier event.
    lastEventsBefore: db.prepare(
      `SELECT e.* FROM (SELECT DISTINCT value AS target FROM json_each(@targets)) AS t JOIN state_events AS e
         ON e.id = (SELECT id FROM state_events WHERE target = t.target AND at < @at ORDER BY at DESC, id DESC LIMIT 1)`,
    ),
    queryRollupsAll: db.prepare(
      'SELECT * FROM rollups WHERE tier = @tier AND bucket >= @from AND bucket < @to ORDER BY target, bucket',
    ),
    queryRollupsFor: db.prepare(
      `SELECT * FROM rollups WHERE target IN (SELECT value FROM json_each(@targets)) AND tier = @tier
         AND bucket >= @from AND bucket < @to ORDER BY target, bucket`,
    ),
    queryRequests: db.prepare(
      `SELECT * FROM request_records WHERE at >= @from AND at < @to AND (@route IS NULL OR route = @route)
         ORDER BY at, seq LIMIT @limit`,
    ),
    queryRequestRollups: db.prepare(
      `SELECT * FROM request_rollups WHERE tier = @tier AND bucket >= @from AND bucket < @to
         AND (@route IS NULL OR route = @route) ORDER BY route, deployment, bucket`,
    ),
  };
}
