/**
 * Durations as people write them in config and on the command line: `500ms`, `15s`, `5m`,
 * `1h30m`, `7d`, `2w`. Parsed to milliseconds; formatted back for messages.
 */
import { NinesError } from './errors.ts';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/;

/** Parses a duration string (`1h30m`, `250ms`) into milliseconds; throws VALIDATION on bad input. */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (input === '') throw new NinesError('VALIDATION', 'empty duration');
  if (input === '0') return 0;
  let rest = input;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION_RE.exec(rest);
    if (!m) {
      throw new NinesError('VALIDATION', `invalid duration "${text}" (use e.g. 500ms, 15s, 5m, 1h30m, 7d)`);
    }
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Formats milliseconds as the shortest readable duration: 90000 → `1m30s`, 1500 → `1.5s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
