/**
 * `UserStore` over SQL that runs on both SQLite and PostgreSQL through the store's `SqlRunner`
 * (placeholders are written `?`; the runner rewrites them for PostgreSQL).
 */
import { NinesError } from '../core/errors.ts';
import type { SqlRunner } from '../store/sql-runner.ts';
import type { Role } from '../config/sections.ts';
import type { UserRecord, UserStore } from './users.ts';

/** The table the user store uses (portable SQLite/PostgreSQL DDL; the lead adds it to migrations). */
export const USERS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  password_changed_at BIGINT NOT NULL
)`;

function fromRow(r: Record<string, unknown>): UserRecord {
  return {
    name: String(r.name),
    role: String(r.role) as Role,
    passwordHash: String(r.password_hash),
    createdAt: Number(r.created_at),
    passwordChangedAt: Number(r.password_changed_at),
  };
}

/** Users in the `users` table. */
export class SqlUserStore implements UserStore {
  constructor(private readonly sql: SqlRunner) {}

  async get(name: string): Promise<UserRecord | undefined> {
    const [row] = await this.sql.all<Record<string, unknown>>('SELECT * FROM users WHERE name = ?', [name]);
    return row && fromRow(row);
  }

  async list(): Promise<UserRecord[]> {
    return (await this.sql.all<Record<string, unknown>>('SELECT * FROM users ORDER BY name', [])).map(
      fromRow,
    );
  }

  async insert(u: UserRecord): Promise<void> {
    if (await this.get(u.name)) throw new NinesError('CONFLICT', `user "${u.name}" already exists`);
    await this.sql.run(
      'INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)',
      [u.name, u.role, u.passwordHash, u.createdAt, u.passwordChangedAt],
    );
  }

  async setPassword(name: string, passwordHash: string, changedAt: number): Promise<void> {
    const n = await this.sql.run(
      'UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?',
      [passwordHash, changedAt, name],
    );
    if (n === 0) throw new NinesError('NOT_FOUND', `no user named "${name}"`);
  }
}
