/**
 * `summarizeRollups` for SQLite: reads the covered rows in target order (raw arrays, only the
 * columns a summary needs, blobs only where non-empty) and folds them in one JavaScript loop.
 * About 4 times cheaper than folding with SQL aggregate functions, whose per-row callbacks from
 * SQLite into JavaScript dominated: a 30-day report for 1,000 targets folds 30,000 day rows.
 */
import type Database from 'better-sqlite3';
import { QuantileSketch } from '../../core/sketch.ts';
import type { RollupSummary, RollupTier, TimeRange } from '../types.ts';

const COLUMNS = `target, total, ok, degraded, failed, latency_sum_ms, latency_sketch, ttft_count,
  CASE WHEN ttft_count > 0 THEN ttft_sketch END, CASE WHEN failed > 0 AND errors <> '{}' THEN errors END`;

type Row = [
  string,
  number,
  number,
  number,
  number,
  number,
  Uint8Array,
  number,
  Uint8Array | null,
  string | null,
];

/** Prepared summary queries for one connection. */
export class SqliteSummaries {
  private readonly all: Database.Statement;
  private readonly some: Database.Statement;

  constructor(db: Database.Database) {
    this.all = db
      .prepare(
        `SELECT ${COLUMNS} FROM rollups WHERE tier = @tier AND bucket >= @from AND bucket < @to
         ORDER BY target`,
      )
      .raw();
    this.some = db
      .prepare(
        `SELECT ${COLUMNS} FROM rollups WHERE target IN (SELECT value FROM json_each(@targets))
           AND tier = @tier AND bucket >= @from AND bucket < @to ORDER BY target`,
      )
      .raw();
  }

  /** Per target (sorted by name), the fold of its rollups of `tier` with bucket in [from, to). */
  summarize(q: TimeRange & { tier: RollupTier; targets?: readonly string[] }): RollupSummary[] {
    const params = { from: q.from, to: q.to, tier: q.tier };
    const rows = (
      q.targets ? this.some.all({ ...params, targets: JSON.stringify(q.targets) }) : this.all.all(params)
    ) as Row[];
    const out: RollupSummary[] = [];
    let cur: RollupSummary | undefined;
    let lat = new QuantileSketch();
    let ttft = new QuantileSketch();
    const finish = () => {
      if (!cur) return;
      cur.latencySketch = lat.serialize();
      cur.ttftSketch = ttft.serialize();
      out.push(cur);
    };
    for (const r of rows) {
      if (cur?.target !== r[0]) {
        finish();
        cur = {
          target: r[0],
          buckets: 0,
          total: 0,
          ok: 0,
          degraded: 0,
          failed: 0,
          latencySumMs: 0,
          latencySketch: new Uint8Array(0),
          ttftCount: 0,
          ttftSketch: new Uint8Array(0),
          errors: {},
        };
        lat = new QuantileSketch();
        ttft = new QuantileSketch();
      }
      cur.buckets++;
      cur.total += r[1];
      cur.ok += r[2];
      cur.degraded += r[3];
      cur.failed += r[4];
      cur.latencySumMs += r[5];
      lat.mergeSerialized(r[6]);
      cur.ttftCount += r[7];
      if (r[8]) ttft.mergeSerialized(r[8]);
      if (r[9]) {
        const errors = cur.errors as Record<string, number>;
        for (const [k, n] of Object.entries(JSON.parse(r[9]) as Record<string, number>))
          errors[k] = (errors[k] ?? 0) + n;
      }
    }
    finish();
    // SQLite orders by its own collation (BINARY, byte order), which matches `<` on these strings
    // except for surrogate pairs; sort again so both backends agree exactly.
    return out.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  }
}
