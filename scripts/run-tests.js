#!/usr/bin/env node
// Runs every *.test.ts file under src/ and test/ with node's own test runner (TypeScript via tsx),
// then prints the plain closing line 'N passed, N failed, N skipped'.
// Usage: node scripts/run-tests.js [--unit] [path-substring ...]
//   --unit        skip the slow end-to-end tests (files under test/e2e/)
//   substrings    run only test files whose path contains one of them
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

let files = [...walk(join(root, 'src'), []), ...walk(join(root, 'test'), [])].sort();
if (unitOnly) files = files.filter((f) => !f.startsWith('test/e2e/'));
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    // a file whose tests are done but that left a handle open must not hang the run
    '--test-force-exit',
    '--test-timeout=180000',
    '--test-reporter=spec',
    ...files,
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } },
);

const counts = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = tail + chunk.toString('utf8');
  const lines = text.split('\n');
  tail = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^ℹ (pass|fail|skipped|todo|cancelled) (\d+)\s*$/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
  }
});
child.on('close', (code) => {
  const failed = counts.fail + counts.cancelled;
  console.log(`\n${counts.pass} passed, ${failed} failed, ${counts.skipped + counts.todo} skipped`);
  process.exit(code ?? 1);
});
