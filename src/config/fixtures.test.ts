// Every rejected config example is a fixture with its expected messages (DESIGN rule 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { loadConfigText, formatProblem } from './load.ts';

const root = new URL('./fixtures/', import.meta.url).pathname;

for (const dir of readdirSync(root)) {
  for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.bad.yaml'))) {
    test(`config fixture ${dir}/${file} is rejected with its expected message`, () => {
      const text = readFileSync(join(root, dir, file), 'utf8');
      const expected = readFileSync(join(root, dir, file.replace('.bad.yaml', '.expected')), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      const result = loadConfigText(text, basename(file), { env: {}, requireEnv: false });
      assert.equal(result.ok, false, 'fixture should be rejected');
      if (result.ok) return;
      assert.deepEqual(result.problems.map(formatProblem), expected);
    });
  }
}
