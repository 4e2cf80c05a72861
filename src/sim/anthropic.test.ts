import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { providerUrl, startSimServer, type SimServer } from './server.ts';

let server: SimServer;
let base: string;

before(async () => {
  server = await startSimServer({
    providers: [
      { name: 'claude', kind: 'anthropic', models: ['claude-3-5-haiku'], apiKey: 'ak', streamChunks: 4 },
    ],
    mount: 'root',
  });
  base = providerUrl(server, 'claude');
});
after(() => server.close());

const headers = { 'content-type': 'application/json', 'x-api-key': 'ak', 'anthropic-version': '2023-06-01' };
const body = (extra: object = {}) =>
  JSON.stringify({
    model: 'claude-3-5-haiku',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'What is 3*7?' }],
    ...extra,
  });

test('root mount serves the provider at the server root', () => {
  assert.equal(base, server.url);
});

test('non-streamed message', async () => {
  const res = await fetch(`${base}/v1/messages`, { method: 'POST', headers, body: body() });
  assert.equal(res.status, 200);
  const msg = (await res.json()) as {
    type: string;
    content: { type: string; text: string }[];
    stop_reason: string;
    usage: { input_tokens: number; output_tokens: number };
  };
  assert.equal(msg.type, 'message');
  assert.deepEqual(msg.content, [{ type: 'text', text: '21' }]);
  assert.equal(msg.stop_reason, 'end_turn');
  assert.equal(msg.usage.output_tokens, 1);
});

test('streamed message emits the events in order, usage in message_delta', async () => {
  const res = await fetch(`${base}/v1/messages`, { method: 'POST', headers, body: body({ stream: true }) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const frames = (await res.text()).split('\n\n').filter(Boolean);
  const events = frames.map((f) => /^event: (.*)$/m.exec(f)?.[1]);
  const data = frames.map((f) => JSON.parse(/^data: (.*)$/m.exec(f)![1]!) as Record<string, unknown>);
  assert.deepEqual(events, [
    'message_start',
    'content_block_start',
    'ping',
    'content_block_delta',
    'content_block_delta',
    'content_block_delta',
    'content_block_delta',
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
  data.forEach((d, i) => assert.equal(d.type, events[i]));
  assert.deepEqual(data[8]!.usage, { output_tokens: 4 });
  const text = data
    .filter((d) => d.type === 'content_block_delta')
    .map((d) => (d.delta as { text: string }).text)
    .join('');
  assert.match(text, /^21 /);
});

test('missing anthropic-version or wrong key is refused', async () => {
  const noVersion = await fetch(`${base}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': 'ak' },
    body: body(),
  });
  assert.equal(noVersion.status, 400);
  const wrongKey = await fetch(`${base}/v1/messages`, {
    method: 'POST',
    headers: { ...headers, 'x-api-key': 'nope' },
    body: body(),
  });
  assert.equal(wrongKey.status, 401);
  assert.deepEqual(await wrongKey.json(), {
    type: 'error',
    error: { type: 'authentication_error', message: 'invalid x-api-key' },
  });
});

test('max_tokens is required and honoured', async () => {
  const missing = await fetch(`${base}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'claude-3-5-haiku', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(missing.status, 400);
  const res = await fetch(`${base}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: 'claude-3-5-haiku',
      max_tokens: 2,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  const msg = (await res.json()) as { stop_reason: string; usage: { output_tokens: number } };
  assert.equal(msg.stop_reason, 'max_tokens');
  assert.equal(msg.usage.output_tokens, 2);
});
