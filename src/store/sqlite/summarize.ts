/**
 * `summarizeRollups` for SQLite (hour and day tiers; minute packs are folded in `store.ts`): one
 * row per target, folded inside SQLite with built-in functions only. Counters are `SUM`s; a
 * target's sketches come back as one blob, the concatenation of their (non-empty) serialised
 * forms, merged in one pass by `QuantileSketch.mergeConcatenated`; its error counts as one JSON
 * array. SQLite has no blob concatenation aggregate, so each sketch goes through
 * `group_concat` as TEXT (`CAST(… AS TEXT)` keeps the bytes, unchecked) and the result is cast
 * back to a BLOB, byte for byte. Per-row calls into JavaScript (custom aggregates), per-row values
 * (a Buffer per blob) or hex text cost several times more: a 30-day report for 1,000 targets
 * folds 30,000 day rows.
 */
import type Database from 'better-sqlite3';
import { byTarget, finishFold, newFold, type SummaryFold } from '../summary.ts';
import type { RollupRange, RollupSummary, RollupTier, TimeRange } from '../types.ts';

/** Serialised sketches longer than this are non-empty (the empty form is 2 bytes). */
const EMPTY_MAX = 2;

const SELECT = `SELECT target, COUNT(*), SUM(total), SUM(ok), SUM(degraded), SUM(failed), SUM(latency_sum_ms),
  CAST(group_concat(CASE WHEN length(latency_sketch) > ${EMPTY_MAX} THEN CAST(latency_sketch AS TEXT) END, '') AS BLOB),
  SUM(ttft_count),
  CAST(group_concat(CASE WHEN ttft_count > 0 AND length(ttft_sketch) > ${EMPTY_MAX}
    THEN CAST(ttft_sketch AS TEXT) END, '') AS BLOB),
  group_concat(CASE WHEN failed > 0 AND errors <> '{}' THEN errors END) FROM rollups`;

type Row = [
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  Uint8Array | null,
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
      .prepare(`${SELECT} WHERE tier = @tier AND bucket >= @from AND bucket < @to GROUP BY target`)
      .raw();
    this.some = db
      .prepare(
        `${SELECT} WHERE target IN (SELECT value FROM json_each(@targets))
           AND tier = @tier AND bucket >= @from AND bucket < @to GROUP BY target`,
      )
      .raw();
  }

  /** Per target (sorted by name), the fold of its rollups of `tier` with bucket in [from, to). */
  summarize(q: TimeRange & { tier: RollupTier; targets?: readonly string[] }): RollupSummary[] {
    return this.summarizeParts([q], q.targets);
  }

  /**
   * Per target (sorted by name), the fold of its rollups over several (tier, range) parts: one
   * query per part, each target's sketches merged once across all of them.
   */
  summarizeParts(parts: readonly RollupRange[], targets?: readonly string[]): RollupSummary[] {
    const json = targets ? JSON.stringify(targets) : undefined;
    const folds = new Map<string, SummaryFold>();
    for (const part of parts) {
      const params = { from: part.from, to: part.to, tier: part.tier };
      const rows = (json ? this.some.all({ ...params, targets: json }) : this.all.all(params)) as Row[];
      for (const r of rows) {
        let f = folds.get(r[0]);
        if (!f) folds.set(r[0], (f = newFold(r[0])));
        const s = f.s;
        s.buckets += r[1];
        s.total += r[2];
        s.ok += r[3];
        s.degraded += r[4];
        s.failed += r[5];
        s.latencySumMs += r[6];
        if (r[7]) f.latency.mergeConcatenated(r[7]);
        s.ttftCount += r[8];
        if (r[9]) f.ttft.mergeConcatenated(r[9]);
        if (r[10]) addErrorCounts(s.errors as Record<string, number>, r[10]);
      }
    }
    // SQLite groups in its BINARY collation (byte order), which matches `<` on these strings
    // except around surrogate pairs; sort again so both backends agree exactly.
    return [...folds.values()].map(finishFold).sort(byTarget);
  }
}

/** Adds `{…},{…}` (a group_concat of error-count objects) into `into`. */
function addErrorCounts(into: Record<string, number>, concatenated: string): void {
  for (const counts of JSON.parse(`[${concatenated}]`) as Record<string, number>[]) {
    for (const k in counts) into[k] = (into[k] ?? 0) + counts[k]!;
  }
}
