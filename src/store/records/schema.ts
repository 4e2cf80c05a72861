/**
 * Tables of the record stores in src/store/records (incidents, timelines, runtime state, dashboard users), as a
 * migration body per dialect; appended to src/store/migrations.ts.
 */

/** The SQL of the records migration for one dialect. */
export function recordsSchema(t: { ms: string; autoId: string }): string {
  return `
CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY,
  group_key TEXT NOT NULL,
  state TEXT NOT NULL,
  opened_at ${t.ms} NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_group_state ON incidents (group_key, state);
CREATE INDEX IF NOT EXISTS incidents_opened_at ON incidents (opened_at);
CREATE TABLE IF NOT EXISTS incident_timeline (
  id ${t.autoId},
  incident_id TEXT NOT NULL,
  at ${t.ms} NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT,
  text TEXT NOT NULL,
  is_public INTEGER NOT NULL DEFAULT 0,
  data TEXT
);
CREATE INDEX IF NOT EXISTS incident_timeline_incident ON incident_timeline (incident_id, at);
CREATE TABLE IF NOT EXISTS kv_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at ${t.ms} NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password_hash TEXT NOT NULL,
  created_at ${t.ms} NOT NULL,
  password_changed_at ${t.ms} NOT NULL
)
`;
}
