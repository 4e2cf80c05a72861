/** The SQL `IncidentStore` (src/incident's interface) for SQLite and PostgreSQL alike. */
import type { Incident, IncidentState, IncidentStore, TimelineEntry } from '../../incident/types.ts';
import type { SqlRunner } from '../sql-runner.ts';

interface IncidentRow {
  id: string;
  group_key: string;
  state: string;
  opened_at: number;
  body: string;
}

interface TimelineRow {
  incident_id: string;
  at: number;
  kind: string;
  actor: string | null;
  text: string;
  is_public: number | boolean;
  data: string | null;
}

function fromRow(r: IncidentRow): Incident {
  return JSON.parse(r.body) as Incident;
}

/** Incidents and timelines in the `incidents` and `incident_timeline` tables. */
export function sqlIncidentStore(sql: SqlRunner): IncidentStore {
  return {
    async insertIncident(i) {
      await sql.run('INSERT INTO incidents (id, group_key, state, opened_at, body) VALUES (?, ?, ?, ?, ?)', [
        i.id,
        i.groupKey,
        i.state,
        i.openedAt,
        JSON.stringify(i),
      ]);
    },
    async updateIncident(i) {
      await sql.run('UPDATE incidents SET state = ?, body = ? WHERE id = ?', [
        i.state,
        JSON.stringify(i),
        i.id,
      ]);
    },
    async getIncident(id) {
      const [row] = await sql.all<IncidentRow>('SELECT * FROM incidents WHERE id = ?', [id]);
      return row && fromRow(row);
    },
    async findOpenByGroup(groupKey) {
      const [row] = await sql.all<IncidentRow>(
        "SELECT * FROM incidents WHERE group_key = ? AND state <> 'resolved' ORDER BY opened_at DESC LIMIT 1",
        [groupKey],
      );
      return row && fromRow(row);
    },
    async listIncidents(q) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.from !== undefined) {
        where.push('opened_at >= ?');
        params.push(q.from);
      }
      if (q.to !== undefined) {
        where.push('opened_at < ?');
        params.push(q.to);
      }
      if (q.states?.length) {
        where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
        params.push(...(q.states as readonly IncidentState[]));
      }
      params.push(q.limit ?? 1000);
      const rows = await sql.all<IncidentRow>(
        `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC LIMIT ?`,
        params,
      );
      return rows.map(fromRow);
    },
    async appendTimeline(e) {
      await sql.run(
        'INSERT INTO incident_timeline (incident_id, at, kind, actor, text, is_public, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          e.incidentId,
          e.at,
          e.kind,
          e.actor ?? null,
          e.text,
          e.public ? 1 : 0,
          e.data ? JSON.stringify(e.data) : null,
        ],
      );
    },
    async timeline(incidentId) {
      const rows = await sql.all<TimelineRow>(
        'SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY at, id',
        [incidentId],
      );
      return rows.map((r): TimelineEntry => ({
        incidentId: r.incident_id,
        at: Number(r.at),
        kind: r.kind as TimelineEntry['kind'],
        ...(r.actor !== null ? { actor: r.actor } : {}),
        text: r.text,
        ...(Number(r.is_public) === 1 || r.is_public === true ? { public: true } : {}),
        ...(r.data !== null ? { data: JSON.parse(r.data) as Record<string, unknown> } : {}),
      }));
    },
  };
}
