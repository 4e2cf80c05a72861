/**
 * Strict, line-at-a-time parsing of `timestamp,value` CSV for `nines detect`. Pure: the caller
 * reads the stream (node:readline) and hands each line here, so this file stays free of I/O.
 *
 * Rules (each violation is a `NinesError('VALIDATION')` naming the line):
 * - line 1 is the header `timestamp,value` (case-insensitive, spaces and a UTF-8 BOM allowed);
 * - blank lines are skipped; every other line has exactly two fields;
 * - timestamps are ISO 8601 (no zone = UTC), `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC), or epoch
 *   numbers (≤ 11 integer digits = seconds, more = milliseconds);
 * - timestamps strictly increase: a duplicate or earlier timestamp is an error, unless the parser
 *   was created with `unordered: 'keep'` (real exports repeat an hour at a DST change): then the
 *   row is kept in file order, flagged `outOfOrder`, and the detector's clock does not go back;
 * - values are finite decimal numbers; empty, `NaN`, `Infinity` or text is an error unless the
 *   parser was created with `badValues: 'skip'`, in which case the row is returned with
 *   `value: NaN` (the detector scores it 0 and does not learn from it).
 */
import { NinesError } from '../core/errors.ts';

/** One parsed data row. */
export interface CsvRow {
  /** 1-based line number in the file. */
  line: number;
  /** The timestamp text as written (trimmed). */
  timestampText: string;
  /** The value text as written (trimmed). */
  valueText: string;
  timestampMs: number;
  /** The value, or NaN for a skipped bad value. */
  value: number;
  /** True when the timestamp is not after the previous row's (only with `unordered: 'keep'`). */
  outOfOrder: boolean;
}

/** Options of the parser. */
export interface CsvParserOptions {
  /** What to do with a non-numeric or non-finite value: fail (default) or keep the row as NaN. */
  badValues?: 'error' | 'skip';
  /** What to do with a duplicate or earlier timestamp: fail (default) or keep the row, flagged. */
  unordered?: 'error' | 'keep';
}

/** Feeds lines in order; returns a row, or undefined for the header and blank lines. */
export interface CsvRowParser {
  push(line: string): CsvRow | undefined;
  /** Call at end of input: throws when the file was empty or had no data rows. */
  end(): void;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const EPOCH = /^\d{1,16}(\.\d+)?$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a timestamp per the rules above into epoch milliseconds, or NaN when it is not one. */
export function parseTimestamp(text: string): number {
  if (EPOCH.test(text)) {
    const n = Number(text);
    return text.split('.')[0]!.length <= 11 ? n * 1000 : n;
  }
  const m = DATE_TIME.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = m;
    const ms = frac ? Math.round(Number(`0${frac}`) * 1000) : 0;
    const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
    if (!sameCalendar(base, y!, mo!, d!) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return NaN;
    if (zone === 'Z') return base;
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    return base - sign * offsetMin * 60_000;
  }
  const d = DATE_ONLY.exec(text);
  if (d) {
    const base = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    return sameCalendar(base, d[1]!, d[2]!, d[3]!) ? base : NaN;
  }
  return NaN;
}

function sameCalendar(ms: number, y: string, mo: string, d: string): boolean {
  const date = new Date(ms);
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() + 1 === Number(mo) &&
    date.getUTCDate() === Number(d)
  );
}

function unquote(field: string): string {
  const t = field.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

const fail = (line: number, msg: string): never => {
  throw new NinesError('VALIDATION', `line ${line}: ${msg}`, { details: { line } });
};

/** Creates a parser for one file. */
export function createCsvRowParser(options: CsvParserOptions = {}): CsvRowParser {
  let lineNo = 0;
  let sawHeader = false;
  let rows = 0;
  let lastT = Number.NEGATIVE_INFINITY;
  let lastLine = 0;
  return {
    push(raw: string): CsvRow | undefined {
      lineNo++;
      const line = (lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '');
      if (!sawHeader) {
        const fields = line.split(',').map((f) => unquote(f).toLowerCase());
        if (fields.length !== 2 || fields[0] !== 'timestamp' || fields[1] !== 'value') {
          const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
          fail(lineNo, `expected the header "timestamp,value", got "${shown}"`);
        }
        sawHeader = true;
        return undefined;
      }
      if (line.trim() === '') return undefined;
      const fields = line.split(',');
      if (fields.length !== 2) fail(lineNo, `expected 2 fields (timestamp,value), got ${fields.length}`);
      const timestampText = unquote(fields[0]!);
      const valueText = unquote(fields[1]!);
      const timestampMs = parseTimestamp(timestampText);
      if (!Number.isFinite(timestampMs)) {
        fail(lineNo, `timestamp "${timestampText}" is not ISO 8601, "YYYY-MM-DD HH:MM:SS" or epoch`);
      }
      const outOfOrder = timestampMs <= lastT;
      if (outOfOrder && options.unordered !== 'keep') {
        const hint = '(--allow-unordered keeps such rows)';
        if (timestampMs === lastT)
          fail(lineNo, `duplicate timestamp "${timestampText}" (same as line ${lastLine}) ${hint}`);
        fail(
          lineNo,
          `timestamp "${timestampText}" is earlier than line ${lastLine}; rows must be sorted ${hint}`,
        );
      }
      let value = NUMBER.test(valueText) ? Number(valueText) : Number.NaN;
      if (!Number.isFinite(value)) {
        if (options.badValues !== 'skip') fail(lineNo, `value "${valueText}" is not a finite number`);
        value = Number.NaN;
      }
      if (!outOfOrder) {
        lastT = timestampMs;
        lastLine = lineNo;
      }
      rows++;
      return { line: lineNo, timestampText, valueText, timestampMs, value, outOfOrder };
    },
    end(): void {
      if (!sawHeader)
        throw new NinesError('VALIDATION', 'empty file: expected the header "timestamp,value" on line 1');
      if (rows === 0) throw new NinesError('VALIDATION', 'no data rows after the header');
    },
  };
}
