/**
 * The schema of nines, as one ordered, append-only list of migrations shared by both backends.
 * Each store runs, in order, every entry whose id is not yet in its `schema_migrations` table,
 * each in its own transaction. To change the schema, APPEND an entry with the next id (never edit
 * or reorder a shipped one); see src/store/README.md.
 */
import { NinesError } from '../core/errors.ts';
import { recordsSchema } from './records/schema.ts';
import { anomaliesSchema } from './records/anomalies.ts';
import { DAY_ROLLUPS_MIGRATION, DAY_ROLLUPS_POSTGRES, DAY_ROLLUPS_SQLITE } from './day-rollups-backfill.ts';
import {
  MINUTE_PACKS_MIGRATION,
  MINUTE_PACKS_POSTGRES,
  MINUTE_PACKS_SQLITE,
} from './sqlite/minute-packs-migration.ts';

/** One schema step, written once for SQLite and once for PostgreSQL (kept as close as possible). */
export interface Migration {
  /** Strictly increasing, starting at 1; the key recorded in `schema_migrations`. */
  id: number;
  /** Short snake_case description, recorded alongside the id. */
  name: string;
  /** Statements for SQLite, separated by semicolons. */
  sqlite: string;
  /** Statements for PostgreSQL, separated by semicolons. */
  postgres: string;
}

/**
 * Column types that differ between the two dialects; everything else is written once. Later
 * migrations take `DIALECT.sqlite` / `DIALECT.postgres` the same way migration 1 does.
 */
export const DIALECT = {
  sqlite: {
    ms: 'INTEGER',
    real: 'REAL',
    bytes: 'BLOB',
    autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    // Rollups are looked up by their key only: store them in the key's b-tree (one write, not two).
    keyedTable: ' WITHOUT ROWID',
  },
  postgres: {
    ms: 'BIGINT',
    real: 'DOUBLE PRECISION',
    bytes: 'BYTEA',
    autoId: 'BIGSERIAL PRIMARY KEY',
    keyedTable: '',
  },
} as const;

/** The type-name table of one dialect. */
export type Dialect = (typeof DIALECT)[keyof typeof DIALECT];

function observationsSchema(t: Dialect): string {
  return `
CREATE TABLE IF NOT EXISTS probe_results (
  id ${t.autoId},
  target TEXT NOT NULL,
  at ${t.ms} NOT NULL,
  outcome TEXT NOT NULL,
  latency_ms ${t.real} NOT NULL,
  status INTEGER,
  error_class TEXT,
  error TEXT,
  location TEXT,
  details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS probe_results_target_at ON probe_results (target, at);
CREATE INDEX IF NOT EXISTS probe_results_at ON probe_results (at);

CREATE TABLE IF NOT EXISTS state_events (
  id ${t.autoId},
  target TEXT NOT NULL,
  at ${t.ms} NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS state_events_target_at ON state_events (target, at);
CREATE INDEX IF NOT EXISTS state_events_at ON state_events (at);

CREATE TABLE IF NOT EXISTS request_records (
  seq ${t.autoId},
  id TEXT NOT NULL,
  at ${t.ms} NOT NULL,
  route TEXT NOT NULL,
  deployment TEXT,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  latency_ms ${t.real} NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS request_records_at ON request_records (at);
CREATE INDEX IF NOT EXISTS request_records_route_at ON request_records (route, at);

CREATE TABLE IF NOT EXISTS rollups (
  target TEXT NOT NULL,
  tier TEXT NOT NULL,
  bucket ${t.ms} NOT NULL,
  total INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  degraded INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  latency_sum_ms ${t.real} NOT NULL,
  latency_sketch ${t.bytes} NOT NULL,
  ttft_count INTEGER NOT NULL,
  ttft_sketch ${t.bytes} NOT NULL,
  errors TEXT NOT NULL,
  PRIMARY KEY (target, tier, bucket)
)${t.keyedTable};
CREATE INDEX IF NOT EXISTS rollups_tier_bucket ON rollups (tier, bucket);

CREATE TABLE IF NOT EXISTS request_rollups (
  route TEXT NOT NULL,
  deployment TEXT NOT NULL,
  tier TEXT NOT NULL,
  bucket ${t.ms} NOT NULL,
  total INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  latency_sum_ms ${t.real} NOT NULL,
  latency_sketch ${t.bytes} NOT NULL,
  ttft_count INTEGER NOT NULL,
  ttft_sketch ${t.bytes} NOT NULL,
  input_tokens ${t.ms} NOT NULL,
  output_tokens ${t.ms} NOT NULL,
  failovers INTEGER NOT NULL,
  cached INTEGER NOT NULL,
  PRIMARY KEY (route, deployment, tier, bucket)
)${t.keyedTable};
CREATE INDEX IF NOT EXISTS request_rollups_tier_bucket ON request_rollups (tier, bucket);
`;
}

/**
 * Every migration, oldest first. Append only: later modules (alerting outbox, incidents, users)
 * add their tables here with the next id.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'observations_and_rollups',
    sqlite: observationsSchema(DIALECT.sqlite),
    postgres: observationsSchema(DIALECT.postgres),
  },
  {
    id: 2,
    name: 'incidents_and_runtime_state',
    sqlite: recordsSchema(DIALECT.sqlite),
    postgres: recordsSchema(DIALECT.postgres),
  },
  {
    id: 3,
    name: 'anomaly_scores',
    sqlite: anomaliesSchema(DIALECT.sqlite),
    postgres: anomaliesSchema(DIALECT.postgres),
  },
  {
    id: 4,
    name: DAY_ROLLUPS_MIGRATION,
    sqlite: DAY_ROLLUPS_SQLITE,
    postgres: DAY_ROLLUPS_POSTGRES,
  },
  {
    id: 5,
    name: MINUTE_PACKS_MIGRATION,
    sqlite: MINUTE_PACKS_SQLITE,
    postgres: MINUTE_PACKS_POSTGRES,
  },
];

/** Splits a migration's SQL into statements (no semicolons inside string literals, by convention). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Checks the list is well formed (ids 1, 2, 3, … in order); run by both stores before migrating. */
export function assertMigrationsOrdered(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.id !== i + 1) throw new NinesError('INTERNAL', `migration #${i} has id ${m.id}, expected ${i + 1}`);
  });
}
