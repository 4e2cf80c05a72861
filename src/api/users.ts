/**
 * Dashboard users: names, roles and scrypt password hashes. The `UserStore` interface is defined
 * here, by its consumer (DESIGN rule 2); `MemoryUserStore` serves tests, `SqlUserStore` the
 * database. Password hashes are `scrypt$N$r$p$salt$hash` (base64) and compared in constant time.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { NinesError } from '../core/errors.ts';
import type { Role } from '../config/sections.ts';

/** A stored user. `passwordChangedAt` revokes sessions that started before it. */
export interface UserRecord {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
}

/** Persistence for users (small on purpose: the session logic lives in `UserService`). */
export interface UserStore {
  get(name: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  /** Inserts a user; CONFLICT when the name exists. */
  insert(user: UserRecord): Promise<void>;
  /** Replaces the hash and change time; NOT_FOUND when there is no such user. */
  setPassword(name: string, passwordHash: string, changedAt: number): Promise<void>;
}

/** A user as the API shows it (never the hash). */
export interface UserView {
  name: string;
  role: Role;
  createdAt: number;
}

/** Users kept in memory (tests, `--no-db` runs). */
export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, UserRecord>();
  async get(name: string): Promise<UserRecord | undefined> {
    const u = this.users.get(name);
    return u && { ...u };
  }
  async list(): Promise<UserRecord[]> {
    return [...this.users.values()].map((u) => ({ ...u }));
  }
  async insert(user: UserRecord): Promise<void> {
    if (this.users.has(user.name)) throw new NinesError('CONFLICT', `user "${user.name}" already exists`);
    this.users.set(user.name, { ...user });
  }
  async setPassword(name: string, passwordHash: string, changedAt: number): Promise<void> {
    const u = this.users.get(name);
    if (!u) throw new NinesError('NOT_FOUND', `no user named "${name}"`);
    u.passwordHash = passwordHash;
    u.passwordChangedAt = changedAt;
  }
}

const SCRYPT = { N: 16384, r: 8, p: 1 };
const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, KEY_LEN, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Hashes a password with scrypt and a random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a hash from `hashPassword`, in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** The minimum password length for dashboard users. */
export const MIN_PASSWORD_LENGTH = 10;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new NinesError('VALIDATION', `password: must be at least ${MIN_PASSWORD_LENGTH} characters`, {
      details: { path: 'password' },
    });
}

/** A hash that matches no password, compared against when the user does not exist (timing). */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Users: create, verify credentials, change passwords, bootstrap the first admin. */
export class UserService {
  constructor(
    private readonly store: UserStore,
    private readonly now: () => number,
  ) {}

  /** Creates a user (admin action). */
  async create(name: string, role: Role, password: string): Promise<UserView> {
    checkPassword(password);
    const at = this.now();
    const user: UserRecord = {
      name,
      role,
      passwordHash: await hashPassword(password),
      createdAt: at,
      passwordChangedAt: at,
    };
    await this.store.insert(user);
    return view(user);
  }

  /** All users, without hashes. */
  async list(): Promise<UserView[]> {
    return (await this.store.list()).map(view);
  }

  /** The user when name and password match, else undefined (same work either way). */
  async verify(name: string, password: string): Promise<UserRecord | undefined> {
    const user = await this.store.get(name);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    return ok && user ? user : undefined;
  }

  /** The user record (for session checks), or undefined. */
  get(name: string): Promise<UserRecord | undefined> {
    return this.store.get(name);
  }

  /** Sets a new password; returns the change time (sessions started before it are revoked). */
  async setPassword(name: string, password: string): Promise<number> {
    checkPassword(password);
    const at = this.now();
    await this.store.setPassword(name, await hashPassword(password), at);
    return at;
  }

  /**
   * Makes sure an admin exists. With no users yet, creates `admin` with `password` (from
   * `NINES_ADMIN_PASSWORD`) or a random one-time password, returned so the caller can print it.
   */
  async ensureAdmin(
    password: string | undefined,
  ): Promise<{ created: boolean; name: string; password?: string }> {
    const users = await this.store.list();
    if (users.length > 0)
      return { created: false, name: users.find((u) => u.role === 'admin')?.name ?? users[0]!.name };
    const chosen =
      password && password.length >= MIN_PASSWORD_LENGTH ? password : randomBytes(12).toString('base64url');
    await this.create('admin', 'admin', chosen);
    return { created: true, name: 'admin', ...(password === chosen ? {} : { password: chosen }) };
  }
}

function view(u: UserRecord): UserView {
  return { name: u.name, role: u.role, createdAt: u.createdAt };
}
