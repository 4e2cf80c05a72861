import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runDetectCommand } from '../cli/commands/detect.ts';
import { createDetector } from './detector.ts';

const dir = mkdtempSync(join(tmpdir(), 'nines-detect-'));

function capture(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      buf += String(chunk);
      cb();
    },
  });
  return { stream, text: () => buf };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await runDetectCommand(args, { stdout: out.stream, stderr: err.stream });
  return { code, out: out.text(), err: err.text() };
}

function series(n: number): string {
  const rows = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    rows.push(`${t},${i === n - 10 ? 500 : 10 + Math.sin(i / 10)}`);
  }
  return `${rows.join('\n')}\n`;
}

test('writes timestamp,value,anomaly_score in the same order, scores equal to the live detector', async () => {
  const file = join(dir, 'ok.csv');
  writeFileSync(file, series(400));
  const { code, out, err } = await run([file]);
  assert.equal(code, 0, err);
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'timestamp,value,anomaly_score');
  assert.equal(lines.length, 401);
  const input = readFileSync(file, 'utf8').trim().split('\n');
  const live = createDetector();
  lines.slice(1).forEach((l, i) => {
    const [ts, v, s] = l.split(',');
    assert.equal(`${ts},${v}`, input[i + 1]);
    const score = Number(s);
    assert.ok(score >= 0 && score <= 1);
    const expected = live.update(Date.parse(`${ts!.replace(' ', 'T')}Z`), Number(v));
    assert.ok(Math.abs(score - expected) <= 5e-7);
  });
  assert.ok(Number(lines[400 - 10 + 1]!.split(',')[2]) > 0.9, 'the spike scores high');
});

test('--out writes the file and nothing to stdout', async () => {
  const file = join(dir, 'ok2.csv');
  const outFile = join(dir, 'scored.csv');
  writeFileSync(file, series(20));
  const { code, out } = await run([file, '--out', outFile]);
  assert.equal(code, 0);
  assert.equal(out, '');
  assert.equal(readFileSync(outFile, 'utf8').trim().split('\n').length, 21);
});

test('bad input: exit 2 with a message naming the file and line', async () => {
  const file = join(dir, 'bad.csv');
  writeFileSync(file, 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,oops\n');
  const { code, err } = await run([file]);
  assert.equal(code, 2);
  assert.equal(err, `nines detect: ${file}: line 3: value "oops" is not a finite number\n`);
});

test('empty file, missing file and bad usage', async () => {
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  assert.match((await run([empty])).err, /empty file: expected the header "timestamp,value" on line 1/);
  assert.match((await run([join(dir, 'missing.csv')])).err, /cannot read .*missing\.csv: ENOENT/);
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['a.csv', '--bogus'])).code, 2);
});

test('--skip-bad-values scores bad rows 0; --allow-unordered keeps duplicate timestamps', async () => {
  const file = join(dir, 'mixed.csv');
  writeFileSync(
    file,
    'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:00:00,NaN\n2024-01-01 00:05:00,2\n',
  );
  assert.equal((await run([file])).code, 2);
  assert.equal((await run([file, '--allow-unordered'])).code, 2);
  const ok = await run([file, '--allow-unordered', '--skip-bad-values']);
  assert.equal(ok.code, 0);
  assert.deepEqual(
    ok.out
      .trim()
      .split('\n')
      .map((l) => l.split(',')[2]),
    ['anomaly_score', '0', '0', '0'],
  );
  assert.match(ok.err, /kept 1 rows whose timestamp is not after the previous one \(first on line 3\)/);
});
