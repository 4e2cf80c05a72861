import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import { collect, eventually, startHarness, TEST_KEY, type Harness } from './test-harness.ts';

describe('gateway: OpenAI API through the official client', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());
  beforeEach(() => {
    h.sim.resetFaults('a');
    h.sim.resetFaults('b');
    h.records.length = 0;
  });

  it('proxies a non-streamed chat completion and records it', async () => {
    const r = await h.client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'what is 2+2?' }],
    });
    assert.ok(r.choices[0]!.message.content);
    await eventually(() => h.records.length === 1);
    const rec = h.records[0]!;
    assert.equal(rec.route, 'm');
    assert.equal(rec.deployment, 'a');
    assert.equal(rec.keyId, 'app');
    assert.equal(rec.status, 200);
    assert.equal(rec.outcome, 'ok');
    assert.equal(rec.attempts, 1);
    assert.ok((rec.inputTokens ?? 0) > 0 && (rec.outputTokens ?? 0) > 0);
    assert.equal(rec.prompt, undefined);
    assert.ok(!JSON.stringify(rec).includes('upstream-secret'));
  });

  it('streams a chat completion with usage and records TTFT', async () => {
    const stream = await h.client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const text = await collect(stream);
    assert.ok(text.length > 0);
    await eventually(() => h.records.length === 1);
    const rec = h.records[0]!;
    assert.equal(rec.stream, true);
    assert.equal(rec.outcome, 'ok');
    assert.ok(rec.ttftMs !== undefined);
    assert.ok((rec.outputTokens ?? 0) > 0);
  });

  it('records tokens of a stream whose client did not ask for usage, without sending it usage', async () => {
    const stream = await h.client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const c of stream) assert.equal(c.usage ?? undefined, undefined);
    await eventually(() => h.records.length === 1);
    assert.ok((h.records[0]!.outputTokens ?? 0) > 0);
  });

  it('serves completions, embeddings and the model list', async () => {
    const c = await h.client.completions.create({ model: 'm', prompt: 'say hi', max_tokens: 5 });
    assert.ok(c.choices[0]!.text);
    const e = await h.client.embeddings.create({ model: 'emb', input: 'hello' });
    assert.ok(e.data[0]!.embedding.length > 0);
    const models = await h.client.models.list();
    assert.deepEqual(models.data.map((m) => m.id).sort(), ['claude', 'emb', 'm']);
  });

  it('answers from the cache the second time (header and metric)', async () => {
    const raw1 = await h.client.embeddings.create({ model: 'emb', input: 'cache me' }).withResponse();
    const raw2 = await h.client.embeddings.create({ model: 'emb', input: 'cache me' }).withResponse();
    assert.equal(raw1.response.headers.get('x-nines-cache'), 'miss');
    assert.equal(raw2.response.headers.get('x-nines-cache'), 'hit');
    assert.deepEqual(raw1.data.data[0]!.embedding, raw2.data.data[0]!.embedding);
    const metrics = await h.registry.metrics();
    assert.match(metrics, /nines_gateway_cache_total\{route="emb",result="hit"\} 1/);
    // Request and token counts are summed in memory and flushed into prom-client on scrape.
    assert.match(
      metrics,
      /nines_gateway_requests_total\{route="emb",endpoint="embeddings",status="200",deployment="[^"]+"\} [1-9]/,
    );
    assert.match(metrics, /nines_gateway_tokens_total\{route="emb",deployment="[^"]+",kind="input"\} [1-9]/);
    const again = await h.client.embeddings.create({ model: 'emb', input: 'count me' }).withResponse();
    assert.equal(again.response.status, 200);
    const before = Number(
      /nines_gateway_requests_total\{route="emb"[^}]*status="200"[^}]*\} (\d+)/.exec(metrics)![1],
    );
    const after = await h.registry.metrics();
    assert.match(
      after,
      new RegExp(`nines_gateway_requests_total\\{route="emb"[^}]*status="200"[^}]*\\} ${before + 1}\\b`),
    );
  });

  it('translates chat to Anthropic messages, streamed and not', async () => {
    const r = await h.client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    assert.ok(r.choices[0]!.message.content);
    assert.ok((r.usage?.completion_tokens ?? 0) > 0);
    const s = await h.client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of s) {
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) usage = c.usage;
    }
    assert.equal(text, r.choices[0]!.message.content);
    assert.ok((usage?.completion_tokens ?? 0) > 0);
  });
});

describe('gateway: bad input gets OpenAI-style errors', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ gateway: { maxBodyBytes: 10_000 } });
  });
  after(() => h.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEY}`, ...headers },
      body,
    });

  it('refuses a missing or wrong key with 401', async () => {
    const bad = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(
      bad.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
      OpenAI.AuthenticationError,
    );
    const res = await post('{}', { authorization: '' });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: { type: string; code: string } };
    assert.equal(body.error.code, 'invalid_api_key');
  });

  it('refuses malformed JSON, wrong types, unknown models and huge bodies', async () => {
    let res = await post('{"model":');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
    res = await post(JSON.stringify({ model: 'm', messages: 'hi' }));
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { param: string } }).error.param, 'messages');
    res = await post(JSON.stringify({ model: 42, messages: [] }));
    assert.equal(res.status, 400);
    res = await post(JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'model_not_found');
    res = await post(
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] }),
    );
    assert.equal(res.status, 413);
    res = await post(JSON.stringify({ model: 'emb', input: 'x' }));
    assert.equal(res.status, 400); // wrong endpoint shape: no messages
  });
});
