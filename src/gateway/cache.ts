/**
 * The opt-in exact-match response cache: a bounded LRU (a Map in recency order) with a TTL per
 * entry. Pure apart from the Map: `now` is passed in. Only deterministic, non-streamed requests
 * are cached (see `isCacheable`).
 */
import { createHash } from 'node:crypto';

/** One cached answer: status, the body bytes and the tokens it reported. */
export interface CachedResponse {
  status: number;
  body: Buffer;
  inputTokens?: number;
  outputTokens?: number;
  deployment: string;
}

interface Entry {
  value: CachedResponse;
  expires: number;
}

/** A bounded LRU with TTL. */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  /** The entry for `key` if present and fresh (and marks it recently used). */
  get(key: string, now: number): CachedResponse | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expires <= now) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  /** Stores `value`, evicting the least recently used entries beyond the bound. */
  set(key: string, value: CachedResponse, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }
}

/** Cache key of a request: endpoint and a hash of the exact body text. */
export function cacheKey(endpoint: string, body: string): string {
  return endpoint + ':' + createHash('sha256').update(body).digest('base64url');
}

/** Deterministic requests only: embeddings, or non-streamed generations at temperature 0 or with a seed. */
export function isCacheable(endpoint: string, body: Record<string, unknown>): boolean {
  if (endpoint === 'embeddings') return true;
  if (body.stream === true) return false;
  if (typeof body.n === 'number' && body.n > 1) return false;
  return body.temperature === 0 || typeof body.seed === 'number';
}
