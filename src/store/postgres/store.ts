/**
 * The PostgreSQL `Store`: a `pg` Pool, one transaction per batch, multi-row inserts through
 * `unnest` arrays, and rollups merged under row locks (see rollup-writer.ts). Timestamps are
 * BIGINT ms and come back as numbers.
 */
import pg from 'pg';
import { systemClock, type Clock } from '../../core/clock.ts';
import { NinesError } from '../../core/errors.ts';
import { eventFromRow, requestDetails, requestFromRow, resultDetails, resultFromRow } from '../rows.ts';
import type { EventRow, RequestRow, ResultRow } from '../rows.ts';
import { requestRollupFromRow, rollupFromRow } from '../rollup-agg.ts';
import type { RequestRollupRow, RollupRow } from '../rollup-agg.ts';
import type { Rollup, StateEvent, Store } from '../types.ts';
import { foldRollups } from '../summary.ts';
import { migratePostgres } from './migrate.ts';
import { writeRequestRollups, writeResultRollups } from './rollup-writer.ts';

/** Options of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /** Connection URL, e.g. postgres://user@host:5432/db. */
  url: string;
  /** Schema to use (created by `migrate()`); the connection's default search_path otherwise. */
  schema?: string;
  /** Pool size; default 4. */
  maxConnections?: number;
  /** Time source for bookkeeping (migration timestamps); defaults to the system clock. */
  clock?: Clock;
}

/** The PostgreSQL store, plus its pool for tools and tests that need raw SQL. */
export interface PostgresStore extends Store {
  readonly pool: pg.Pool;
}

const INT8_OID = 20;
/** Parses BIGINT as a JS number (ms timestamps and token counts stay well below 2^53). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connects a pool to PostgreSQL; call `migrate()` before the first read or write. */
export function openPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const clock = options.clock ?? systemClock;
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_RE.test(schema)) {
    throw new NinesError('VALIDATION', `invalid PostgreSQL schema name "${schema}"`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 4,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);

  async function tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async function connect(): Promise<pg.PoolClient> {
    try {
      return await pool.connect();
    } catch (err) {
      throw new NinesError('UNAVAILABLE', `cannot connect to PostgreSQL: ${String(err)}`, { cause: err });
    }
  }

  async function rows<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    return (await pool.query<R>(sql, params)).rows;
  }

  async function queryRollups(q: Parameters<Store['queryRollups']>[0]): Promise<Rollup[]> {
    const found = await rows<RollupRow>(
      `SELECT * FROM rollups WHERE tier = $1 AND bucket >= $2 AND bucket < $3
         AND ($4::text[] IS NULL OR target = ANY($4::text[])) ORDER BY target, bucket`,
      [q.tier, q.from, q.to, q.targets ? [...q.targets] : null],
    );
    return found.map(rollupFromRow);
  }

  return {
    pool,
    async migrate() {
      const client = await connect();
      try {
        await migratePostgres(client, clock.now(), schema);
      } finally {
        client.release();
      }
    },
    async insertResults(results) {
      if (results.length === 0) return;
      await tx(async (c) => {
        await c.query(
          `INSERT INTO probe_results (target, at, outcome, latency_ms, status, error_class, error, location, details)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::float8[], $5::int[], $6::text[], $7::text[],
             $8::text[], $9::text[])`,
          [
            results.map((r) => r.target),
            results.map((r) => r.at),
            results.map((r) => r.outcome),
            results.map((r) => r.latencyMs),
            results.map((r) => r.status ?? null),
            results.map((r) => r.errorClass ?? null),
            results.map((r) => r.error ?? null),
            results.map((r) => r.location ?? null),
            results.map(resultDetails),
          ],
        );
        await writeResultRollups(c, results);
      });
    },
    async insertEvents(events) {
      if (events.length === 0) return;
      await pool.query(
        `INSERT INTO state_events (target, at, from_state, to_state, reason)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[])`,
        [
          events.map((e) => e.target),
          events.map((e) => e.at),
          events.map((e) => e.from),
          events.map((e) => e.to),
          events.map((e) => e.reason),
        ],
      );
    },
    async insertRequests(records) {
      if (records.length === 0) return;
      await tx(async (c) => {
        await c.query(
          `INSERT INTO request_records (id, at, route, deployment, status, outcome, latency_ms, details)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[], $7::float8[],
             $8::text[])`,
          [
            records.map((r) => r.id),
            records.map((r) => r.at),
            records.map((r) => r.route),
            records.map((r) => r.deployment ?? null),
            records.map((r) => r.status),
            records.map((r) => r.outcome),
            records.map((r) => r.latencyMs),
            records.map(requestDetails),
          ],
        );
        await writeRequestRollups(c, records);
      });
    },
    async queryResults(q) {
      const found = await rows<ResultRow>(
        `SELECT * FROM probe_results WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR target = $3)
           AND (NOT $4::boolean OR outcome = 'failed')
           ORDER BY ${q.newestFirst ? 'at DESC, id DESC' : 'at, id'} LIMIT $5`,
        [q.from, q.to, q.target ?? null, q.onlyFailures ?? false, q.limit ?? null],
      );
      return found.map(resultFromRow);
    },
    async queryEvents(q) {
      const found = await rows<EventRow>(
        `SELECT * FROM state_events WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR target = $3)
           ORDER BY at, id LIMIT $4`,
        [q.from, q.to, q.target ?? null, q.limit ?? null],
      );
      return found.map(eventFromRow);
    },
    async lastEventBefore(target, at) {
      const found = await rows<EventRow>(
        'SELECT * FROM state_events WHERE target = $1 AND at < $2 ORDER BY at DESC, id DESC LIMIT 1',
        [target, at],
      );
      return found[0] ? eventFromRow(found[0]) : undefined;
    },
    async lastEventsBefore(targets, at) {
      const out = new Map<string, StateEvent>();
      if (targets.length === 0) return out;
      const found = await rows<EventRow>(
        `SELECT e.* FROM (SELECT DISTINCT name FROM unnest($1::text[]) AS t(name)) AS t
           CROSS JOIN LATERAL (SELECT * FROM state_events WHERE target = t.name AND at < $2
             ORDER BY at DESC, id DESC LIMIT 1) AS e`,
        [targets, at],
      );
      for (const row of found) out.set(row.target, eventFromRow(row));
      return out;
    },
    queryRollups,
    async summarizeRollups(q) {
      // Folded in the app; PostgreSQL has no sketch merge (a C extension could do it in SQL).
      return foldRollups(await queryRollups(q));
    },
    async queryRequests(q) {
      const found = await rows<RequestRow>(
        `SELECT * FROM request_records WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR route = $3)
           ORDER BY at, seq LIMIT $4`,
        [q.from, q.to, q.route ?? null, q.limit ?? null],
      );
      return found.map(requestFromRow);
    },
    async queryRequestRollups(q) {
      const found = await rows<RequestRollupRow>(
        `SELECT * FROM request_rollups WHERE tier = $1 AND bucket >= $2 AND bucket < $3
           AND ($4::text IS NULL OR route = $4) ORDER BY route, deployment, bucket`,
        [q.tier, q.from, q.to, q.route ?? null],
      );
      return found.map(requestRollupFromRow);
    },
    async applyRetention(now, p) {
      return tx(async (c) => {
        const del = async (sql: string, keepMs: number) => (await c.query(sql, [now - keepMs])).rowCount ?? 0;
        return {
          results: await del('DELETE FROM probe_results WHERE at < $1', p.rawMs),
          // State events are few and define every window's starting state: kept as long as hour rollups.
          events: await del('DELETE FROM state_events WHERE at < $1', p.hourMs),
          minuteRollups: await del("DELETE FROM rollups WHERE tier = 'minute' AND bucket < $1", p.minuteMs),
          hourRollups: await del("DELETE FROM rollups WHERE tier = 'hour' AND bucket < $1", p.hourMs),
          dayRollups: await del(
            "DELETE FROM rollups WHERE tier = 'day' AND bucket < $1",
            p.dayMs ?? p.hourMs,
          ),
          requests: await del('DELETE FROM request_records WHERE at < $1', p.requestsMs),
          requestMinuteRollups: await del(
            "DELETE FROM request_rollups WHERE tier = 'minute' AND bucket < $1",
            p.minuteMs,
          ),
          requestHourRollups: await del(
            "DELETE FROM request_rollups WHERE tier = 'hour' AND bucket < $1",
            p.hourMs,
          ),
        };
      });
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
