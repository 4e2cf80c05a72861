import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startSimServer, type SimServer } from '../../sim/server.ts';
import { runProbeCommand } from './probe.ts';

let sim: SimServer;
before(async () => {
  sim = await startSimServer({
    providers: [{ name: 'oa', kind: 'openai', models: ['gpt-4o-mini'], apiKey: 'k' }],
  });
});
after(() => sim.close());

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runProbeCommand(argv, { stdout, stderr });
  return { code, out, err };
}

test('probes an openai-chat endpoint and prints snake_case JSON', async () => {
  const r = await run([
    '--kind',
    'openai-chat',
    '--url',
    sim.baseUrl('oa'),
    '--model',
    'gpt-4o-mini',
    '--stream',
    '--timeout',
    '5s',
    '--header',
    'Authorization: Bearer k',
    '--assert',
    'answer matches /4/',
  ]);
  assert.equal(r.code, 0, r.out + r.err);
  const json = JSON.parse(r.out);
  assert.equal(json.ok, true);
  assert.equal(json.outcome, 'ok');
  assert.equal(json.status, 200);
  assert.ok(json.ttft_ms >= 0 && json.latency_ms > 0 && json.output_tokens > 0);
  assert.equal(json.assertions[0].expr, 'answer matches /4/');
});

test('a failed probe exits 1', async () => {
  const r = await run(['--kind', 'openai-chat', '--url', sim.baseUrl('oa'), '--model', 'gpt-4o-mini']);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.out).error_class, 'http_4xx');
});

test('usage errors exit 2 with a clear message', async () => {
  assert.equal((await run(['--url', 'http://x'])).code, 2);
  const badKind = await run(['--kind', 'ftp', '--url', 'http://x']);
  assert.equal(badKind.code, 2);
  assert.match(badKind.err, /--kind/);
  const badAssert = await run(['--kind', 'http', '--url', 'http://x', '--assert', 'latncy < 2s']);
  assert.equal(badAssert.code, 2);
  assert.match(badAssert.err, /unknown field "latncy"/);
  assert.match(
    (await run(['--kind', 'http', '--url', 'http://x', '--header', 'nocolon'])).err,
    /bad --header/,
  );
  assert.equal((await run(['--bogus'])).code, 2);
});
