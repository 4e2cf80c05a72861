import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAssertions, defaultAssertions, evaluateAssertions } from './assert.ts';
import { testTarget } from './test-targets.ts';

const facts = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  ttfbMs: 120,
  ttftMs: 300,
  answer: 'The answer is 4.',
  outputTokens: 7,
  tokensPerSec: 42,
  rawBody: Buffer.from('{"data":[{"id":"m1","tags":["a","b"]}]}'),
};

function check(expr: string, f: object = facts, latency = 900) {
  const t = testTarget('http', 'http://x', { assertions: [expr] });
  return evaluateAssertions(compileAssertions(t), f, latency)[0]!;
}

test('evaluates each field and operator', () => {
  const ok = [
    'status == 200',
    'status != 500',
    'latency < 1s',
    'latency >= 900ms',
    'ttfb <= 120',
    'ttft < 2s',
    'answer matches /\\b4\\b/',
    'answer contains "answer"',
    'output_tokens > 5',
    'tokens_per_s >= 42',
    'header.content-type contains "json"',
    'json.valid == true',
    'json.$.data[0].id == "m1"',
    'json.$.data[0].tags contains "b"',
    'body contains "m1"',
  ];
  for (const expr of ok) assert.equal(check(expr).ok, true, expr);
  const bad = [
    'status == 201',
    'latency < 500ms',
    'answer matches /^5$/',
    'json.$.data[1].id == "m1"',
    'cert.days > 1',
    'header.x-missing == "a"',
  ];
  for (const expr of bad) assert.equal(check(expr).ok, false, expr);
});

test('records the actual value; missing and invalid bodies fail cleanly', () => {
  assert.equal(check('status == 201').actual, '200');
  assert.equal(check('cert.days > 1').actual, 'missing');
  const invalid = { rawBody: Buffer.from([0xff, 0x00]) };
  assert.equal(check('json.valid == false', invalid).ok, true);
  assert.equal(check('body contains "x"', invalid).ok, false);
  const bomb = { rawBody: Buffer.from('['.repeat(100_000)) };
  assert.equal(check('json.valid == true', bomb).ok, false);
});

test('default assertions per kind', () => {
  assert.deepEqual(defaultAssertions(testTarget('http', 'http://x')), ['status < 400']);
  assert.deepEqual(defaultAssertions(testTarget('openai-chat', 'http://x')), ['answer != ""']);
  assert.deepEqual(defaultAssertions(testTarget('openai-embeddings', 'http://x', { dimension: 8 })), [
    'embedding.dim == 8',
  ]);
  assert.deepEqual(defaultAssertions(testTarget('tcp', 'x:1')), []);
});
