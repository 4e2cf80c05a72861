import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { FastHistogram } from './histogram.ts';

const BOUNDS = [0.005, 0.01, 0.1, 1, 10];
const OBSERVATIONS: [string, string, number][] = [
  ['gpt', 'chat', 0.004],
  ['gpt', 'chat', 0.005], // on a bound: counted in that bucket (le is inclusive)
  ['gpt', 'chat', 0.05],
  ['gpt', 'embeddings', 2],
  ['claude "x"\\', 'chat', 42], // above every bound; a label value that needs escaping
  ['gpt', 'chat', 0],
];

describe('FastHistogram', () => {
  it("exposes exactly what prom-client's Histogram exposes for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new FastHistogram<'route' | 'endpoint'>('t_seconds', 'Help text.', BOUNDS, [ours]);
    const slow = new Histogram({
      name: 't_seconds',
      help: 'Help text.',
      labelNames: ['route', 'endpoint'],
      buckets: BOUNDS,
      registers: [theirs],
    });
    for (const [route, endpoint, v] of OBSERVATIONS) {
      fast.observe(`${route}\n${endpoint}`, () => ({ route, endpoint }), v);
      slow.observe({ route, endpoint }, v);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.match(await ours.metrics(), /t_seconds_bucket\{le="\+Inf",route="gpt",endpoint="chat"\} 4/);
  });

  it('keeps the labels of the first use of a key, skips values that are not finite, and resets', async () => {
    const reg = new Registry();
    const h = new FastHistogram<'route'>('u_seconds', 'U.', BOUNDS, [reg]);
    h.observe('a', () => ({ route: 'a' }), 1);
    h.observe('a', () => assert.fail('labels are built once per key'), 1);
    h.observe('a', () => ({ route: 'a' }), Number.NaN);
    h.observe('a', () => ({ route: 'a' }), Number.POSITIVE_INFINITY);
    assert.match(await reg.metrics(), /u_seconds_count\{route="a"\} 2\n/);
    reg.resetMetrics();
    assert.doesNotMatch(await reg.metrics(), /u_seconds_count/);
  });

  it('refuses bounds that do not ascend', () => {
    assert.throws(() => new FastHistogram('v', 'V.', [1, 1], []), /must ascend/);
  });

  it('passes promtool check metrics', async (t) => {
    if (spawnSync('promtool', ['--version']).status !== 0) {
      t.skip('promtool is not installed (scripts/install-system-deps.sh installs it)');
      return;
    }
    const reg = new Registry();
    const h = new FastHistogram<'route'>('nines_test_duration_seconds', 'Test durations.', BOUNDS, [reg]);
    h.observe('a', () => ({ route: 'a' }), 0.02);
    const file = join(mkdtempSync(join(tmpdir(), 'nines-hist-')), 'metrics.txt');
    writeFileSync(file, await reg.metrics());
    const r = spawnSync('sh', ['-c', `promtool check metrics < ${file}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
