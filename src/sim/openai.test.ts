import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { providerUrl, startSimServer, type SimServer } from './server.ts';

let server: SimServer;
let client: OpenAI;

before(async () => {
  server = await startSimServer({
    providers: [
      {
        name: 'openai-a',
        kind: 'openai',
        models: ['gpt-4o-mini', 'text-embedding-3-small'],
        streamChunks: 10,
      },
      { name: 'locked', kind: 'openai', models: ['gpt-4o-mini'], apiKey: 'sk-right' },
      {
        name: 'flaky',
        kind: 'openai',
        models: ['gpt-4o-mini'],
        faults: { errorRate: 1, errorStatuses: [503] },
      },
    ],
  });
  client = new OpenAI({ baseURL: providerUrl(server, 'openai-a'), apiKey: 'sk-sim', maxRetries: 0 });
});
after(() => server.close());

const ask = 'What is 2+2? Answer with a number.';

test('chat completion answers arithmetic and reports usage', async () => {
  const res = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: ask }],
  });
  assert.equal(res.object, 'chat.completion');
  assert.equal(res.choices[0]!.message.content, '4');
  assert.equal(res.choices[0]!.finish_reason, 'stop');
  assert.ok(res.usage && res.usage.prompt_tokens > 0 && res.usage.completion_tokens === 1);
  assert.equal(res.usage.total_tokens, res.usage.prompt_tokens + res.usage.completion_tokens);
});

test('max_tokens cuts the answer with finish_reason length', async () => {
  const res = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    max_tokens: 2,
    messages: [{ role: 'user', content: 'Tell me something.' }],
  });
  assert.equal(res.choices[0]!.finish_reason, 'length');
  assert.equal(res.usage?.completion_tokens, 2);
});

test('streamed chat sends the configured chunks and a final usage chunk', async () => {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: ask }],
  });
  let text = '';
  let contentChunks = 0;
  let usage: OpenAI.CompletionUsage | null | undefined;
  let finish: string | null = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    const delta = chunk.choices[0]?.delta.content;
    if (delta) {
      text += delta;
      contentChunks++;
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(contentChunks, 10);
  assert.match(text, /^4\b/);
  assert.equal(finish, 'stop');
  assert.equal(usage?.completion_tokens, 10);
});

test('legacy completions', async () => {
  const res = await client.completions.create({ model: 'gpt-4o-mini', prompt: 'What is 6*7?' });
  assert.equal(res.choices[0]!.text, '42');
});

test('embeddings have the model dimension, in base64 (client default) and float', async () => {
  const b64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] });
  assert.equal(b64.data.length, 2);
  assert.equal(b64.data[0]!.embedding.length, 1536);
  const float = await client.embeddings.create({
    model: 'text-embedding-3-small',
    input: 'hello',
    encoding_format: 'float',
  });
  assert.equal(float.data[0]!.embedding.length, 1536);
  assert.ok(Math.abs(float.data[0]!.embedding[5]! - b64.data[0]!.embedding[5]!) < 1e-6);
  const small = await client.embeddings.create({
    model: 'text-embedding-3-small',
    input: 'x',
    dimensions: 256,
  });
  assert.equal(small.data[0]!.embedding.length, 256);
});

test('models list', async () => {
  const ids: string[] = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.deepEqual(ids, ['gpt-4o-mini', 'text-embedding-3-small']);
});

test('errors are OpenAI-shaped APIErrors', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-5-huge', messages: [{ role: 'user', content: 'hi' }] }),
    (err: unknown) => err instanceof OpenAI.NotFoundError && err.code === 'model_not_found',
  );
  const flaky = new OpenAI({ baseURL: providerUrl(server, 'flaky'), apiKey: 'x', maxRetries: 0 });
  await assert.rejects(
    flaky.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    (err: unknown) => err instanceof OpenAI.APIError && err.status === 503 && err.type === 'server_error',
  );
});

test('an apiKey requires the matching bearer token', async () => {
  const wrong = new OpenAI({ baseURL: providerUrl(server, 'locked'), apiKey: 'sk-wrong', maxRetries: 0 });
  await assert.rejects(wrong.models.list(), (err: unknown) => err instanceof OpenAI.AuthenticationError);
  const right = new OpenAI({ baseURL: providerUrl(server, 'locked'), apiKey: 'sk-right', maxRetries: 0 });
  const res = await right.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: '1+1' }],
  });
  assert.equal(res.choices[0]!.message.content, '2');
});

test('stats count requests and statuses per provider', () => {
  const stats = server.stats().providers;
  assert.ok(stats['openai-a']!.requests >= 7);
  assert.equal(stats.flaky!.byStatus['503'], 1);
  assert.equal(stats.flaky!.faults.error, 1);
});
