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

  /** Inserts every row (each an array of `columns` values); call inside a transaction. */
  run(rows: readonly unknown[][]): void {
    const per = this.rowsPerStatement;
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      this.statement(chunk.length).run(chunk.flat());
    }
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
