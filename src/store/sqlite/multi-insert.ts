/**
 * Multi-row INSERT for better-sqlite3: binds up to `rowsPerStatement` rows per statement, which
 * cuts the per-statement cost that dominates row-at-a-time inserts. Statements for each chunk
 * size are prepared once and reused.
 */
import type Database from 'better-sqlite3';

/** Runs `INSERT … VALUES (…), (…) …[suffix]` over many rows, in chunks. */
export class MultiRowInsert {
  private readonly statements = new Map<number, Database.Statement>();
  private readonly rowPlaceholder: string;

  /**
   * @param head  e.g. `INSERT INTO t (a, b) VALUES`
   * @param columns number of values per row
   * @param tail  e.g. `ON CONFLICT (a) DO UPDATE SET …`, or ''
   */
  constructor(
    private readonly db: Database.Database,
    private readonly head: string,
    private readonly columns: number,
    private readonly tail = '',
    private readonly rowsPerStatement = 64,
  ) {
    this.rowPlaceholder = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  }

  /**
   * Inserts every row (each an array of `columns` values); call inside a transaction. Returns
   * the rowid of the last row inserted (0 when `rows` is empty).
   */
  run(rows: readonly unknown[][]): number {
    const cols = this.columns;
    return this.runEach(rows, (row, params, at) => {
      for (let c = 0; c < cols; c++) params[at + c] = row[c];
    });
  }

  /**
   * Inserts one row per item, `fill` writing the item's `columns` values into `params` from
   * index `at` (no array per row). Returns the rowid of the last row inserted (0 when none).
   */
  runEach<T>(items: readonly T[], fill: (item: T, params: unknown[], at: number) => void): number {
    const per = this.rowsPerStatement;
    const cols = this.columns;
    let last = 0;
    for (let i = 0; i < items.length; i += per) {
      const n = Math.min(per, items.length - i);
      const params: unknown[] = new Array(n * cols);
      for (let r = 0; r < n; r++) fill(items[i + r]!, params, r * cols);
      last = Number(this.statement(n).run(params).lastInsertRowid);
    }
    return last;
  }

  private statement(rows: number): Database.Statement {
    let stmt = this.statements.get(rows);
    if (!stmt) {
      const values = Array.from({ length: rows }, () => this.rowPlaceholder).join(', ');
      stmt = this.db.prepare(`${this.head} ${values} ${this.tail}`);
      this.statements.set(rows, stmt);
    }
    return stmt;
  }
}
