// The `nines` command as a user runs it: a real process, real files, real exit codes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nines-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function nines(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/nines.js'), ...args], {
      cwd: dir,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

test('nines check: exit 0 for a valid file, 1 with FILE:LINE:COL: path: message lines otherwise', async () => {
  writeFileSync(
    join(dir, 'good.yaml'),
    'targets:\n  - { name: a, kind: http, url: "http://127.0.0.1:1/" }\n',
  );
  writeFileSync(
    join(dir, 'bad.yaml'),
    'targets:\n  - name: a\n    kind: openai-chat\n    url: http://127.0.0.1:1/v1\n    model: m\n    interval: 15s\n    timeout: 30s\n  - name: b\n    kind: http\n    url: http://x/\n    assertions: ["latncy < 2s"]\n',
  );
  const good = await nines(['check', 'good.yaml']);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /good\.yaml: ok \(1 target\)/);
  const bad = await nines(['check', 'bad.yaml']);
  assert.equal(bad.code, 1);
  // schema problems come first; cross-field checks run once the schema is satisfied
  assert.match(bad.stdout.trim(), /^bad\.yaml:11:18: targets\[1\]\.assertions\[0\]: unknown field "latncy"/);
  writeFileSync(
    join(dir, 'bad.yaml'),
    'targets:\n  - name: a\n    kind: openai-chat\n    url: http://127.0.0.1:1/v1\n    model: m\n    interval: 15s\n    timeout: 30s\n',
  );
  const cross = await nines(['check', 'bad.yaml']);
  assert.equal(cross.code, 1);
  assert.equal(cross.stdout.trim(), 'bad.yaml:7:14: targets[0].timeout: 30s is longer than interval 15s');
  const usage = await nines(['frobnicate']);
  assert.equal(usage.code, 2);
});

test('nines demo starts with backfilled history, serves the API, and nines report reads the same store', async () => {
  const db = join(dir, 'demo.db');
  const demo = await nines(
    ['demo', '--port', '0', '--gateway-port', '0', '--db', db, '--backfill-days', '2', '--exit-after', '8'],
    { NINES_DEMO_TOKEN: 'demo-token-0123456789' },
    120_000,
  );
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stdout, /wrote \d+ results/);
  assert.match(demo.stdout, /nines demo is running: open http:\/\/127\.0\.0\.1:\d+/);
  assert.match(demo.stdout, /OpenAI-compatible gateway: http:\/\/127\.0\.0\.1:\d+\/v1/);

  writeFileSync(
    join(dir, 'report.yaml'),
    `storage: { sqlite: { path: ${db} } }\ntargets:\n  - { name: openai-east-chat, kind: openai-chat, url: "http://127.0.0.1:1/v1", model: gpt-4o-mini }\n  - { name: triton-resnet, kind: kserve-v2, url: "http://127.0.0.1:1", model: resnet }\n`,
  );
  const report = await nines(['report', '-c', 'report.yaml', '--window', '2d']);
  assert.equal(report.code, 0, report.stderr);
  const [, header, , ...rows] = report.stdout.trim().split('\n');
  assert.match(header!, /target\s+availability\s+checks\s+failures\s+outages\s+downtime\s+MTBF\s+MTTR/);
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /^openai-east-chat\s+\d+\.\d{3}%\s+\d+/);
  const json = await nines(['report', '-c', 'report.yaml', '--window', '2d', '--json']);
  const parsed = JSON.parse(json.stdout) as { reports: { target: string; checks: number }[] };
  assert.ok(parsed.reports[0]!.checks > 1000, `checks ${parsed.reports[0]!.checks}`);
  const badWindow = await nines(['report', '-c', 'report.yaml', '--window', 'forever']);
  assert.equal(badWindow.code, 2);
  assert.match(badWindow.stderr, /--window "forever"/);
});

test('nines serve: SIGHUP reloads gateway routes from the file; a broken file keeps the running config', async () => {
  const { startSimServer, providerUrl } = await import('../../src/sim/index.ts');
  const sim = await startSimServer({ providers: [{ name: 'prov-a', kind: 'openai', models: ['m'] }] });
  const file = join(dir, 'serve-reload.yaml');
  const write = (routes: string[], apiKey = 'sk-sim') =>
    writeFileSync(
      file,
      [
        'server: { port: 0 }',
        `storage: { sqlite: { path: ${join(dir, 'serve-reload.db')} } }`,
        'gateway:',
        '  port: 0',
        '  allowAnonymous: true',
        `  providers: [{ name: prov-a, baseUrl: "${providerUrl(sim, 'prov-a')}", apiKey: "${apiKey}" }]`,
        '  routes:',
        ...routes.map((r) => `    - { model: ${r}, deployments: [{ provider: prov-a, model: m }] }`),
        '',
      ].join('\n'),
    );
  write(['first']);
  const child = spawn(process.execPath, [join(root, 'bin/nines.js'), 'serve', '-c', file], { cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const until = async (what: string, ok: () => boolean | Promise<boolean>) => {
    for (const end = Date.now() + 30_000; !(await ok()); await new Promise((r) => setTimeout(r, 50)))
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${stdout}\n${stderr}`);
  };
  try {
    await until('the gateway', () => /gateway: OpenAI-compatible API at (\S+)\/v1/.test(stdout));
    const base = /gateway: OpenAI-compatible API at (\S+)\/v1/.exec(stdout)![1]!;
    const models = async () => {
      const res = await fetch(`${base}/v1/models`);
      return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id).join(',');
    };
    assert.equal(await models(), 'first');

    write(['first', 'second']);
    child.kill('SIGHUP');
    await until('the reload', async () => (await models()) === 'first,second');
    assert.match(stdout, /config reloaded: .*2 gateway routes/);

    write(['first'], '${NINES_CLI_TEST_UNSET}');
    child.kill('SIGHUP');
    await until('the refusal', () => /reload of .* failed; keeping the running config/.test(stderr));
    assert.match(stderr, /NINES_CLI_TEST_UNSET/);
    assert.equal(await models(), 'first,second');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  } finally {
    child.kill('SIGKILL'); // a no-op once it exited
    await sim.close();
  }
});
