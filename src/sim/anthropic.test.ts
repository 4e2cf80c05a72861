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

const post = (extra: object) => fetch(`${base}/v1/messages`, { method: 'POST', headers, body: body(extra) });

const weather = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      days: { type: 'integer' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city'],
  },
};

test('tool_choice any answers with a tool_use block built from the input schema', async () => {
  const res = await post({ tools: [weather], tool_choice: { type: 'any' } });
  assert.equal(res.status, 200);
  const msg = (await res.json()) as {
    content: { type: string; id: string; name: string; input: unknown }[];
    stop_reason: string;
  };
  assert.equal(msg.stop_reason, 'tool_use');
  assert.equal(msg.content.length, 1);
  const block = msg.content[0]!;
  assert.equal(block.type, 'tool_use');
  assert.match(block.id, /^toolu_sim_/);
  assert.equal(block.name, 'get_weather');
  assert.deepEqual(block.input, { city: 'sim', days: 1, unit: 'celsius' });
});

test('tool_choice tool streams content_block_start and input_json_delta pieces', async () => {
  const other = { name: 'noop', input_schema: { type: 'object' } };
  const res = await post({
    tools: [other, weather],
    tool_choice: { type: 'tool', name: 'get_weather' },
    stream: true,
  });
  assert.equal(res.status, 200);
  const frames = (await res.text()).split('\n\n').filter(Boolean);
  const data = frames.map((f) => JSON.parse(/^data: (.*)$/m.exec(f)![1]!) as Record<string, unknown>);
  assert.deepEqual(
    data.map((d) => d.type),
    [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ],
  );
  const start = data[1]!.content_block as { type: string; id: string; name: string; input: unknown };
  assert.equal(start.type, 'tool_use');
  assert.equal(start.name, 'get_weather');
  assert.deepEqual(start.input, {});
  const json = data
    .filter((d) => d.type === 'content_block_delta')
    .map((d) => {
      const delta = d.delta as { type: string; partial_json: string };
      assert.equal(delta.type, 'input_json_delta');
      return delta.partial_json;
    })
    .join('');
  assert.deepEqual(JSON.parse(json), { city: 'sim', days: 1, unit: 'celsius' });
  assert.equal((data[7]!.delta as { stop_reason: string }).stop_reason, 'tool_use');
});

test('tools without a forcing tool_choice answer with text as before', async () => {
  const res = await post({ tools: [weather], tool_choice: { type: 'auto' } });
  const msg = (await res.json()) as { content: { type: string; text: string }[]; stop_reason: string };
  assert.deepEqual(msg.content, [{ type: 'text', text: '21' }]);
  assert.equal(msg.stop_reason, 'end_turn');
});

const toolTurns = (result: object[]) => [
  { role: 'user', content: 'weather?' },
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
  { role: 'user', content: result },
];

test('a tool_result is answered with text that mentions it', async () => {
  const res = await post({
    tools: [weather],
    messages: toolTurns([{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"temp":21}' }]),
  });
  assert.equal(res.status, 200);
  const msg = (await res.json()) as { content: { text: string }[] };
  assert.match(msg.content[0]!.text, /The tool returned: \{"temp":21\}/);
});

test('refuses what Anthropic refuses: roles, tool pairing, tool_choice, image media types', async () => {
  const cases: [object, RegExp][] = [
    [
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
      },
      /roles must alternate/,
    ],
    [{ messages: [{ role: 'system', content: 'a' }] }, /role: Input should be 'user' or 'assistant'/],
    [
      { messages: toolTurns([{ type: 'text', text: 'hi' }]) },
      /`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
    ],
    [
      { messages: toolTurns([{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'x' }]) },
      /unexpected `tool_use_id` found in `tool_result` blocks: toolu_2/,
    ],
    [{ tools: [weather], tool_choice: { type: 'tool', name: 'nope' } }, /tool_choice\.name/],
    [{ tools: [{ name: 'x' }] }, /tools\.0\.input_schema/],
    [
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AA==' } }],
          },
        ],
      },
      /media_type/,
    ],
  ];
  for (const [extra, message] of cases) {
    const res = await post(extra);
    assert.equal(res.status, 400, JSON.stringify(extra));
    const err = (await res.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(err.error.type, 'invalid_request_error');
    assert.match(err.error.message, message);
  }
});

test('accepts base64 and url images', async () => {
  const res = await post({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is 1+1?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        ],
      },
    ],
  });
  assert.equal(res.status, 200);
  const msg = (await res.json()) as { content: { text: string }[] };
  assert.equal(msg.content[0]!.text, '2');
});
