/**
 * Dashboard sessions: random ids held in memory with an absolute and an idle expiry, a CSRF
 * token each, and revocation of every session of a user when their password changes. Sessions
 * are looked up synchronously (the API's authenticator is synchronous); a restart logs users out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../config/sections.ts';

/** The cookie that carries the session id. */
export const SESSION_COOKIE = 'nines_session';

/** One logged-in session. */
export interface Session {
  user: string;
  role: Role;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** Session lifetimes. */
export interface SessionOptions {
  /** Absolute lifetime, ms (default 12 h). */
  absoluteMs?: number;
  /** Idle timeout, ms (default 30 min). */
  idleMs?: number;
}

function key(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** Creates, finds, expires and revokes sessions. Time is passed in. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  readonly absoluteMs: number;
  readonly idleMs: number;

  constructor(options: SessionOptions = {}) {
    this.absoluteMs = options.absoluteMs ?? 12 * 3_600_000;
    this.idleMs = options.idleMs ?? 30 * 60_000;
  }

  /** Starts a session; returns its secret id (for the cookie) and the session. */
  create(user: string, role: Role, now: number): { id: string; session: Session } {
    this.sweep(now);
    const id = randomBytes(32).toString('base64url');
    const session: Session = {
      user,
      role,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.absoluteMs,
    };
    this.sessions.set(key(id), session);
    return { id, session };
  }

  /** The live session for an id (refreshing its idle timer), or undefined if unknown or expired. */
  get(id: string | undefined, now: number): Session | undefined {
    if (!id) return undefined;
    const k = key(id);
    const s = this.sessions.get(k);
    if (!s) return undefined;
    if (now >= s.expiresAt || now - s.lastSeenAt >= this.idleMs) {
      this.sessions.delete(k);
      return undefined;
    }
    s.lastSeenAt = now;
    return s;
  }

  /** Ends one session (logout). */
  delete(id: string | undefined): void {
    if (id) this.sessions.delete(key(id));
  }

  /** Ends every session of `user` (password change), except the one with id `keep`. */
  revokeUser(user: string, keep?: string): number {
    const keepKey = keep ? key(keep) : undefined;
    let n = 0;
    for (const [k, s] of this.sessions) {
      if (s.user === user && k !== keepKey) {
        this.sessions.delete(k);
        n++;
      }
    }
    return n;
  }

  /** Number of live sessions (for tests and metrics). */
  size(): number {
    return this.sessions.size;
  }

  private sweep(now: number): void {
    for (const [k, s] of this.sessions)
      if (now >= s.expiresAt || now - s.lastSeenAt >= this.idleMs) this.sessions.delete(k);
  }
}

/**
 * Login throttling: at most `maxFailures` failed attempts per user name and per client address
 * within `windowMs`; a success clears the name's counter.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Milliseconds until another attempt is allowed for any of `keys` (0 = allowed now). */
  retryAfter(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const k of keys) {
      const list = (this.failures.get(k) ?? []).filter((t) => now - t < this.windowMs);
      this.failures.set(k, list);
      if (list.length >= this.maxFailures) wait = Math.max(wait, list[0]! + this.windowMs - now);
    }
    return wait;
  }

  /** Records a failed attempt under each key. */
  fail(keys: readonly string[], now: number): void {
    for (const k of keys) {
      const list = this.failures.get(k) ?? [];
      list.push(now);
      if (list.length > this.maxFailures * 4) list.shift();
      this.failures.set(k, list);
    }
    if (this.failures.size > 100_000) this.failures.clear();
  }

  /** Clears the counter for a key (after a successful login). */
  clear(k: string): void {
    this.failures.delete(k);
  }
}
