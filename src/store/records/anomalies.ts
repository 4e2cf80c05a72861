/**
 * The `anomaly_scores` table: one row per series point the live detectors scored (series key,
 * target or gateway route, metric, bucket time, value, score), written by the detection runtime
 * and read by the API and probable-cause ranking. Same SQL on SQLite and PostgreSQL.
 */
import type { SqlRunner } from '../sql-runner.ts';

/** The CREATE statements of the anomaly score table for one dialect (append as a migration). */
export function anomaliesSchema(t: { ms: string; real: string; autoId: string }): string {
  return `
CREATE TABLE IF NOT EXISTS anomaly_scores (
  id ${t.autoId},
  series TEXT NOT NULL,
  target TEXT,
  route TEXT,
  metric TEXT NOT NULL,
  at ${t.ms} NOT NULL,
  value ${t.real} NOT NULL,
  score ${t.real} NOT NULL
);
CREATE INDEX IF NOT EXISTS anomaly_scores_target_at ON anomaly_scores (target, at);
CREATE INDEX IF NOT EXISTS anomaly_scores_at ON anomaly_scores (at)
`;
}

/** One scored point of one series. `target` or `route` names what the series measures. */
export interface AnomalyScoreRow {
  series: string;
  target?: string;
  route?: string;
  metric: string;
  /** Bucket start, ms since epoch. */
  at: number;
  value: number;
  score: number;
}

/** Which rows to read: a time range [from, to), optionally one target and/or metric. */
export interface AnomalyScoreQuery {
  from: number;
  to: number;
  target?: string;
  metric?: string;
  /** Only rows scoring at least this. */
  minScore?: number;
  limit?: number;
}

/** Reads and writes anomaly scores. */
export interface AnomalyScoreStore {
  insert(rows: readonly AnomalyScoreRow[]): Promise<void>;
  /** Rows in the query, oldest first (then by series). */
  query(q: AnomalyScoreQuery): Promise<AnomalyScoreRow[]>;
  /** The newest stored point time of any series, or undefined when the table is empty. */
  latestAt(): Promise<number | undefined>;
  /** Deletes rows older than `before` (retention). */
  deleteBefore(before: number): Promise<void>;
}

interface Row {
  series: string;
  target: string | null;
  route: string | null;
  metric: string;
  at: number | string;
  value: number | string;
  score: number | string;
}

const COLUMNS = 7;
/** Rows per INSERT statement (7 parameters each: far under SQLite's parameter limit). */
const CHUNK = 200;

function fromRow(r: Row): AnomalyScoreRow {
  return {
    series: r.series,
    ...(r.target !== null ? { target: r.target } : {}),
    ...(r.route !== null ? { route: r.route } : {}),
    metric: r.metric,
    at: Number(r.at),
    value: Number(r.value),
    score: Number(r.score),
  };
}

/** The anomaly score store on a SQL runner (SQLite or PostgreSQL). */
export function sqlAnomalyScores(sql: SqlRunner): AnomalyScoreStore {
  return {
    async insert(rows) {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        const values = chunk.map(() => `(${Array(COLUMNS).fill('?').join(', ')})`).join(', ');
        const params = chunk.flatMap((r) => [
          r.series,
          r.target ?? null,
          r.route ?? null,
          r.metric,
          r.at,
          r.value,
          r.score,
        ]);
        await sql.run(
          `INSERT INTO anomaly_scores (series, target, route, metric, at, value, score) VALUES ${values}`,
          params,
        );
      }
    },
    async query(q) {
      const where = ['at >= ?', 'at < ?'];
      const params: unknown[] = [q.from, q.to];
      if (q.target !== undefined) {
        where.push('target = ?');
        params.push(q.target);
      }
      if (q.metric !== undefined) {
        where.push('metric = ?');
        params.push(q.metric);
      }
      if (q.minScore !== undefined) {
        where.push('score >= ?');
        params.push(q.minScore);
      }
      params.push(q.limit ?? 100_000);
      const rows = await sql.all<Row>(
        `SELECT series, target, route, metric, at, value, score FROM anomaly_scores WHERE ${where.join(' AND ')} ORDER BY at, series LIMIT ?`,
        params,
      );
      return rows.map(fromRow);
    },
    async latestAt() {
      const [row] = await sql.all<{ at: number | string | null }>('SELECT MAX(at) AS at FROM anomaly_scores');
      return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
    },
    async deleteBefore(before) {
      await sql.run('DELETE FROM anomaly_scores WHERE at < ?', [before]);
    },
  };
}
