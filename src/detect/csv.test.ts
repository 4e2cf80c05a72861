import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NinesError } from '../core/errors.ts';
import { createCsvRowParser, parseTimestamp, type CsvParserOptions, type CsvRow } from './csv.ts';

function parseAll(text: string, options?: CsvParserOptions): CsvRow[] {
  const p = createCsvRowParser(options);
  const rows: CsvRow[] = [];
  for (const line of text === '' ? [] : text.split('\n')) {
    const r = p.push(line);
    if (r) rows.push(r);
  }
  p.end();
  return rows;
}

function rejects(text: string, message: string | RegExp, options?: CsvParserOptions): void {
  assert.throws(
    () => parseAll(text, options),
    (err: unknown) => {
      assert.ok(err instanceof NinesError);
      assert.equal(err.code, 'VALIDATION');
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

test('parses NAB-style rows, keeping the original text', () => {
  const rows = parseAll('timestamp,value\n2014-04-01 00:00:00,20.5\n2014-04-01 00:05:00,-3e2\n');
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.timestampMs, Date.UTC(2014, 3, 1));
  assert.equal(rows[1]!.value, -300);
  assert.equal(rows[1]!.valueText, '-3e2');
  assert.equal(rows[1]!.line, 3);
});

test('timestamp forms: ISO with zone, space form as UTC, epoch seconds and milliseconds', () => {
  assert.equal(parseTimestamp('2014-04-01T01:00:00+01:00'), Date.UTC(2014, 3, 1));
  assert.equal(parseTimestamp('2014-04-01T00:00:00Z'), Date.UTC(2014, 3, 1));
  assert.equal(parseTimestamp('2014-04-01 00:00:00.000000'), Date.UTC(2014, 3, 1));
  assert.equal(parseTimestamp('1396310400'), Date.UTC(2014, 3, 1));
  assert.equal(parseTimestamp('1396310400000'), Date.UTC(2014, 3, 1));
  assert.ok(Number.isNaN(parseTimestamp('2014-02-30 00:00:00')));
  assert.ok(Number.isNaN(parseTimestamp('yesterday')));
});

test('header, BOM, CRLF and blank lines', () => {
  const rows = parseAll('\uFEFFTimestamp, Value\r\n\r\n2014-04-01 00:00:00,1\r\n\n');
  assert.equal(rows.length, 1);
});

test('missing header', () =>
  rejects(
    '2014-04-01 00:00:00,1\n',
    'line 1: expected the header "timestamp,value", got "2014-04-01 00:00:00,1"',
  ));

test('empty file', () => rejects('', 'empty file: expected the header "timestamp,value" on line 1'));

test('header only', () => rejects('timestamp,value\n', 'no data rows after the header'));

test('non-numeric value', () =>
  rejects('timestamp,value\n2014-04-01 00:00:00,abc\n', 'line 2: value "abc" is not a finite number'));

test('NaN value', () =>
  rejects('timestamp,value\n2014-04-01 00:00:00,NaN\n', 'line 2: value "NaN" is not a finite number'));

test('Infinity value', () =>
  rejects(
    'timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,Infinity\n',
    'line 3: value "Infinity" is not a finite number',
  ));

test('empty value', () =>
  rejects('timestamp,value\n2014-04-01 00:00:00,\n', 'line 2: value "" is not a finite number'));

test('bad values can be kept as NaN rows', () => {
  const rows = parseAll('timestamp,value\n2014-04-01 00:00:00,NaN\n', { badValues: 'skip' });
  assert.ok(Number.isNaN(rows[0]!.value));
});

test('bad timestamp', () =>
  rejects(
    'timestamp,value\nnot-a-time,1\n',
    'line 2: timestamp "not-a-time" is not ISO 8601, "YYYY-MM-DD HH:MM:SS" or epoch',
  ));

test('too many fields', () =>
  rejects(
    'timestamp,value\n2014-04-01 00:00:00,1,2\n',
    'line 2: expected 2 fields (timestamp,value), got 3',
  ));

test('duplicate timestamp', () =>
  rejects(
    'timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:00:00,2\n',
    'line 3: duplicate timestamp "2014-04-01 00:00:00" (same as line 2) (--allow-unordered keeps such rows)',
  ));

test('unsorted timestamps', () =>
  rejects(
    'timestamp,value\n2014-04-01 00:05:00,1\n2014-04-01 00:00:00,2\n',
    /^line 3: timestamp "2014-04-01 00:00:00" is earlier than line 2; rows must be sorted/,
  ));

test('unordered rows can be kept, flagged', () => {
  const rows = parseAll(
    'timestamp,value\n2014-04-01 00:05:00,1\n2014-04-01 00:05:00,2\n2014-04-01 00:10:00,3\n',
    {
      unordered: 'keep',
    },
  );
  assert.deepEqual(
    rows.map((r) => r.outOfOrder),
    [false, true, false],
  );
});
