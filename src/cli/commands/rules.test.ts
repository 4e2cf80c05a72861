import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { runRulesCommand } from './rules.ts';

const CONFIG = `targets:
  - name: chat-a
    kind: http
    url: http://127.0.0.1:9/health
    labels: { provider: openai }
slos:
  - name: chat-availability
    target: chat-a
    sli: availability
    objective: 99.9
  - name: chat-latency
    target: chat-a
    sli: { kind: latency, threshold: 800ms }
    objective: 99
    window: 28d
`;

const OPENSLO = `apiVersion: openslo/v1
kind: SLO
metadata: { name: gw-ttft }
spec:
  service: chat
  indicator:
    metadata: { name: gw-ttft }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: nines, spec: { route: chat, sli: ttft, threshold: 2s } } }
        total: { metricSource: { type: nines, spec: { route: chat } } }
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 7d, isRolling: true }]
  objectives: [{ targetPercent: 99 }]
`;

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nines-rules-cli-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function promtoolCheckRules(file: string): { status: number; out: string } {
  const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail(
      'promtool not found: install it with `apt-get install prometheus` (Debian) to test exported rules',
    );
  }
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

test(
  'nines rules prints rules for config and OpenSLO SLOs that promtool accepts',
  withDir(async (dir) => {
    writeFileSync(join(dir, 'nines.yaml'), CONFIG);
    writeFileSync(join(dir, 'slo.yaml'), OPENSLO);
    const c = capture();
    const code = await runRulesCommand(
      ['-c', join(dir, 'nines.yaml'), '--openslo', join(dir, 'slo.yaml')],
      c.io,
    );
    assert.equal(code, 0, c.err());
    const doc = parse(c.out()) as { groups: { name: string; rules: { record?: string; expr: string }[] }[] };
    assert.deepEqual(
      doc.groups.map((g) => g.name),
      ['nines-slo-chat-availability', 'nines-slo-chat-latency', 'nines-slo-gw-ttft'],
    );
    const latencyExpr = doc.groups[1]!.rules[0]!.expr;
    assert.match(latencyExpr, /nines_probe_latency_seconds_bucket\{target="chat-a",le="0\.8"\}/);
    writeFileSync(join(dir, 'rules.yml'), c.out());
    const check = promtoolCheckRules(join(dir, 'rules.yml'));
    assert.equal(check.status, 0, check.out);
    assert.match(check.out, /SUCCESS/);
  }),
);

test(
  'nines rules --out writes the file',
  withDir(async (dir) => {
    writeFileSync(join(dir, 'nines.yaml'), CONFIG);
    const c = capture();
    const out = join(dir, 'out.yml');
    assert.equal(await runRulesCommand(['-c', join(dir, 'nines.yaml'), '--out', out], c.io), 0);
    assert.equal(c.out(), '');
    assert.match(c.err(), /wrote 2 rule groups/);
    assert.match(readFileSync(out, 'utf8'), /^groups:/);
  }),
);

test(
  'a bad config exits 1 with the located problem',
  withDir(async (dir) => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, CONFIG.replace('window: 28d', 'window: 30 days'));
    const c = capture();
    assert.equal(await runRulesCommand(['-c', file], c.io), 1);
    assert.equal(c.out(), '');
    assert.match(
      c.err(),
      new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}:15:13: slos\\[1\\]\\.window: window "30 days"`),
    );
  }),
);

test(
  'a bad OpenSLO file or a duplicate SLO name exits 1',
  withDir(async (dir) => {
    writeFileSync(join(dir, 'nines.yaml'), CONFIG);
    writeFileSync(join(dir, 'bad.yaml'), OPENSLO.replace('openslo/v1', 'openslo/v2'));
    const bad = capture();
    assert.equal(await runRulesCommand(['--openslo', join(dir, 'bad.yaml')], bad.io), 1);
    assert.match(bad.err(), /bad\.yaml:1:\d+: .*apiVersion openslo\/v2 is not supported/);
    writeFileSync(join(dir, 'dup.yaml'), OPENSLO.replace(/gw-ttft/g, 'chat-latency'));
    const dup = capture();
    assert.equal(
      await runRulesCommand(['-c', join(dir, 'nines.yaml'), '--openslo', join(dir, 'dup.yaml')], dup.io),
      1,
    );
    assert.match(dup.err(), /"chat-latency" is defined twice/);
  }),
);

test('usage errors exit 2', async () => {
  const c = capture();
  assert.equal(await runRulesCommand([], c.io), 2);
  assert.equal(await runRulesCommand(['--nope'], c.io), 2);
  assert.match(c.err(), /usage: nines rules/);
});
