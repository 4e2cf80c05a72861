import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimServer, type SimServer } from '../sim/server.ts';
import { runProbe } from './run-probe.ts';
import { testTarget } from './test-targets.ts';

let sim: SimServer;
before(async () => {
  sim = await startSimServer({
    seed: 1,
    providers: [
      { name: 'oa', kind: 'openai', models: ['gpt-4o-mini', 'text-embedding-3-small'], apiKey: 'sk-test' },
      { name: 'an', kind: 'anthropic', models: ['claude-3-5-haiku'], apiKey: 'ak-test' },
      { name: 'ks', kind: 'kserve', models: ['iris'] },
      { name: 'bad', kind: 'openai', models: ['m'] },
    ],
  });
});
after(() => sim.close());

const auth = { authorization: 'Bearer sk-test' };
const chat = (extra = {}) =>
  testTarget('openai-chat', sim.baseUrl('oa'), { model: 'gpt-4o-mini', headers: auth, ...extra });

test('openai-chat non-streaming: answer, tokens, default assertion', async () => {
  const r = await runProbe(
    chat({ assertions: ['answer matches /\\b4\\b/', 'status == 200', 'json.$.object == "chat.completion"'] }),
  );
  assert.equal(r.outcome, 'ok', r.error);
  assert.equal(r.status, 200);
  assert.ok(r.outputTokens! > 0);
  assert.ok(r.timings.ttfbMs! > 0 && r.timings.ttfbMs! <= r.latencyMs);
  assert.equal(r.assertions?.length, 3);
  assert.ok(r.assertions!.every((a) => a.ok));
});

test('openai-chat streaming: ttft, tokens/s, [DONE]', async () => {
  sim.setFaults('oa', { ttftMs: 30, interChunkMs: 5 });
  try {
    const r = await runProbe(
      chat({ stream: true, assertions: ['answer matches /4/', 'ttft < 2s', 'tokens_per_s > 0'] }),
    );
    assert.equal(r.outcome, 'ok', r.error);
    assert.ok(r.timings.ttftMs! >= 25, `ttft ${r.timings.ttftMs}`);
    assert.ok(r.timings.ttftMs! >= r.timings.ttfbMs!);
    assert.ok(r.outputTokens! > 0);
    assert.ok(r.tokensPerSec! > 0);
  } finally {
    sim.resetFaults('oa');
  }
});

test('wrong key → http_4xx; 5xx → http_5xx; 429 → http_429', async () => {
  const r401 = await runProbe(chat({ headers: { authorization: 'Bearer nope' } }));
  assert.equal(r401.errorClass, 'http_4xx');
  assert.equal(r401.status, 401);
  assert.match(r401.error!, /HTTP 401/);
  sim.setFaults('bad', { errorRate: 1, errorStatuses: [503] });
  const r503 = await runProbe(testTarget('openai-chat', sim.baseUrl('bad'), { model: 'm' }));
  assert.equal(r503.errorClass, 'http_5xx');
  sim.setFaults('bad', { rateLimit: { rate: 1, retryAfterS: 3 } });
  const r429 = await runProbe(testTarget('openai-chat', sim.baseUrl('bad'), { model: 'm' }));
  assert.equal(r429.errorClass, 'http_429');
  sim.resetFaults('bad');
});

const faultCases: [string, Record<string, unknown>, boolean, string][] = [
  ['stalled stream', { stall: { afterChunks: 1 } }, true, 'timeout'],
  ['truncated stream', { truncate: { afterChunks: 1 } }, true, 'malformed'],
  ['malformed stream', { malformedRate: 1 }, true, 'malformed'],
  ['malformed JSON', { malformedRate: 1 }, false, 'malformed'],
  ['hang', { down: 'hang' }, false, 'timeout'],
  ['reset', { down: 'reset' }, false, 'reset'],
  ['refuse', { down: 'refuse' }, false, 'reset'],
];
for (const [name, faults, stream, errorClass] of faultCases) {
  test(`fault ${name} → ${errorClass}`, async () => {
    sim.setFaults('bad', faults);
    try {
      const r = await runProbe(
        testTarget('openai-chat', sim.baseUrl('bad'), { model: 'm', stream, timeout: 400 }),
      );
      assert.equal(r.outcome, 'failed');
      assert.equal(r.errorClass, errorClass, r.error);
      assert.ok(r.latencyMs < 1500);
    } finally {
      sim.resetFaults('bad');
    }
  });
}

test('wrong answer fails the answer assertion; degrade severity only degrades', async () => {
  sim.setFaults('bad', { wrongAnswerRate: 1 });
  try {
    const t = testTarget('openai-chat', sim.baseUrl('bad'), { model: 'm' });
    const failed = await runProbe({ ...t, assertions: ['answer matches /\\b4\\b/'] });
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.errorClass, 'assertion');
    assert.equal(failed.assertions?.[0]?.ok, false);
    const degraded = await runProbe({
      ...t,
      assertions: [{ expr: 'answer matches /\\b4\\b/', severity: 'degrade' }],
    });
    assert.equal(degraded.outcome, 'degraded');
    assert.equal(degraded.errorClass, undefined);
  } finally {
    sim.resetFaults('bad');
  }
});

test('openai-embeddings: dimension check', async () => {
  const t = testTarget('openai-embeddings', sim.baseUrl('oa'), {
    model: 'text-embedding-3-small',
    headers: auth,
  });
  assert.equal((await runProbe({ ...t, dimension: 1536 })).outcome, 'ok');
  const wrong = await runProbe({ ...t, dimension: 768 });
  assert.equal(wrong.outcome, 'failed');
  assert.match(wrong.error!, /embedding.dim == 768 \(actual 1536\)/);
});

test('anthropic-messages: non-stream and stream', async () => {
  const t = testTarget('anthropic-messages', `${sim.baseUrl('an')}/v1`, {
    model: 'claude-3-5-haiku',
    headers: { 'x-api-key': 'ak-test' },
  });
  const plain = await runProbe({ ...t, assertions: ['answer matches /4/'] });
  assert.equal(plain.outcome, 'ok', plain.error);
  assert.ok(plain.outputTokens! > 0);
  const streamed = await runProbe({ ...t, stream: true });
  assert.equal(streamed.outcome, 'ok', streamed.error);
  assert.ok(streamed.timings.ttftMs !== undefined);
  assert.ok(streamed.outputTokens! > 0);
  const noKey = await runProbe({ ...t, headers: {} });
  assert.equal(noKey.errorClass, 'http_4xx');
});

test('kserve-v2: ready, model ready, infer; unknown model fails at model ready', async () => {
  const t = testTarget('kserve-v2', sim.baseUrl('ks'), { model: 'iris' });
  const ok = await runProbe({ ...t, assertions: ['json.$.outputs[0].data[0] == 2'] });
  assert.equal(ok.outcome, 'ok', ok.error);
  const missing = await runProbe({ ...t, model: 'nope' });
  assert.equal(missing.errorClass, 'http_4xx');
  assert.match(missing.error!, /^model ready: HTTP 404/);
  const badReq = await runProbe({ ...t, inferRequest: { inputs: [] } });
  assert.match(badReq.error!, /^infer: HTTP 400/);
});
