/**
 * Query-parameter parsing for the API: time instants (`2026-11-01T00:00:00Z`, epoch ms, `-24h`,
 * `now`), windows (`30d`) and limits, each with a clear VALIDATION error naming the parameter.
 */
import { parseDuration } from '../core/duration.ts';
import { NinesError } from '../core/errors.ts';

/** Parses an instant relative to `now`; undefined input yields `fallback`. */
export function parseInstant(name: string, value: string | undefined, now: number, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (value === 'now') return now;
  if (/^-/.test(value)) {
    try {
      return now - parseDuration(value.slice(1));
    } catch {
      throw new NinesError(
        'VALIDATION',
        `query parameter ${name}: "${value}" is not a relative time like -24h`,
      );
    }
  }
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new NinesError(
      'VALIDATION',
      `query parameter ${name}: "${value}" is not a time (ISO 8601, epoch ms, -24h or now)`,
    );
  return t;
}

/** Parses a `[from, to)` range from `from`/`to` query parameters, defaulting to the last `defaultMs`. */
export function parseRange(
  q: Record<string, string | undefined>,
  now: number,
  defaultMs: number,
): { from: number; to: number } {
  const to = parseInstant('to', q.to, now, now);
  const from = parseInstant('from', q.from, now, to - defaultMs);
  if (from >= to)
    throw new NinesError(
      'VALIDATION',
      `query parameters: from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`,
    );
  return { from, to };
}

/** Parses a window such as `30d` (default `fallback`). */
export function parseWindow(value: string | undefined, fallback: string): number {
  try {
    const ms = parseDuration(value ?? fallback);
    if (ms <= 0) throw new Error();
    return ms;
  } catch {
    throw new NinesError(
      'VALIDATION',
      `query parameter window: "${value}" is not a duration like 24h, 7d or 30d`,
    );
  }
}

/** Parses a positive integer limit, capped at `max`. */
export function parseLimit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new NinesError('VALIDATION', `query parameter limit: "${value}" is not a positive integer`);
  return Math.min(n, max);
}
