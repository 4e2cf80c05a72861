import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ResponseCache, isCacheable } from './cache.ts';
import { openaiAdapter } from './providers/openai.ts';
import { RateWindow } from './rate-window.ts';

describe('response cache', () => {
  it('is an LRU bounded in size with a TTL', () => {
    const c = new ResponseCache(2, 1000);
    const v = (d: string) => ({ status: 200, body: Buffer.from(d), deployment: d });
    c.set('a', v('a'), 0);
    c.set('b', v('b'), 0);
    assert.ok(c.get('a', 10)); // a is now most recent
    c.set('c', v('c'), 10);
    assert.equal(c.get('b', 10), undefined);
    assert.ok(c.get('a', 10));
    assert.equal(c.get('a', 1001), undefined);
    assert.equal(c.size, 1);
  });
  it('caches only deterministic requests', () => {
    assert.ok(isCacheable('embeddings', {}));
    assert.ok(isCacheable('chat', { temperature: 0 }));
    assert.ok(!isCacheable('chat', { temperature: 0, stream: true }));
    assert.ok(!isCacheable('chat', {}));
  });
});

describe('rate window', () => {
  it('slides over a minute', () => {
    const w = new RateWindow();
    w.add(10, 0);
    assert.equal(w.used(0), 10);
    assert.equal(w.used(90_000), 5); // half of the previous minute still overlaps
    assert.equal(w.used(120_000), 0);
  });
});

describe('openai stream scanning', () => {
  it('finds the first token, usage and [DONE] across split chunks, and flags bad frames', () => {
    const t = openaiAdapter.stream('chat', 'm', true, false);
    const frames =
      'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n' +
      'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}\n\ndata: [DONE]\n\n';
    const a = t.push(Buffer.from(frames.slice(0, 70)));
    assert.equal(a.content, false);
    const b = t.push(Buffer.from(frames.slice(70)));
    assert.equal(b.content, true);
    assert.equal(b.done, true);
    assert.deepEqual(b.usage, { inputTokens: 3, outputTokens: 1 });
    assert.equal(String(a.out) + String(b.out), frames);
    const bad = openaiAdapter
      .stream('chat', 'm', false, false)
      .push(Buffer.from('data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: {"cho\n\n'));
    assert.match(bad.error ?? '', /not valid JSON/);
    assert.ok(!bad.out.includes('{"cho\n'));
  });
});

describe('openai stream scanning after the first token', () => {
  it('still sees usage, errors and bad frames without parsing every frame', () => {
    const t = openaiAdapter.stream('chat', 'm', true, false);
    t.push(Buffer.from('data: {"choices":[{"delta":{"content":"a"}}]}\n\n'));
    const u = t.push(
      Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\n'),
    );
    assert.deepEqual(u.usage, { inputTokens: 1, outputTokens: 2 });
    const e = t.push(Buffer.from('data: {"error":{"message":"overloaded"}}\n\n'));
    assert.match(e.error ?? '', /overloaded/);
    const t2 = openaiAdapter.stream('chat', 'm', false, false);
    t2.push(Buffer.from('data: {"choices":[{"delta":{"content":"a"}}]}\n\n'));
    assert.match(t2.push(Buffer.from('data: {"choices":[{"del\n\n')).error ?? '', /not valid JSON/);
  });
});

describe('openai stream scanning of text that is not ASCII', () => {
  it('reads UTF-8 content, usage and [DONE] at the right places, split anywhere', () => {
    const frames =
      'data: {"choices":[{"delta":{"content":"héllo 👋"}}]}\r\n\r\n' +
      'data: {"choices":[{"delta":{"content":" – ünïcode"}}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":4}}\n\ndata:[DONE]\n\n';
    const bytes = Buffer.from(frames);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const t = openaiAdapter.stream('chat', 'm', true, true);
      const a = t.push(bytes.subarray(0, cut));
      const b = t.push(bytes.subarray(cut));
      assert.equal(a.text + b.text, 'héllo 👋 – ünïcode', `cut at ${cut}`);
      assert.deepEqual(a.usage ?? b.usage, { inputTokens: 2, outputTokens: 4 });
      assert.equal(b.done, true);
      assert.equal(Buffer.concat([a.out, b.out].map((o) => Buffer.from(o))).toString(), frames);
    }
  });
});

describe('openai stream usage the client did not ask for', () => {
  it('is read for records but not forwarded', () => {
    const t = openaiAdapter.stream('chat', 'm', false, false);
    const frames =
      'data: {"choices":[{"delta":{"content":"a"}}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\ndata: [DONE]\n\n';
    const s = t.push(Buffer.from(frames));
    assert.deepEqual(s.usage, { inputTokens: 1, outputTokens: 2 });
    assert.equal(String(s.out), 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n\ndata: [DONE]\n\n');
    const kept = openaiAdapter.stream('chat', 'm', true, false).push(Buffer.from(frames));
    assert.equal(String(kept.out), frames);
  });
});

describe('openai request and answer without re-serialising', () => {
  const provider = {
    name: 'p',
    kind: 'openai' as const,
    origin: 'http://x',
    basePath: '/v1',
    apiKey: 'k',
    headers: {},
    streamUsage: true,
  };
  it('sends the client bytes on when the model name is the same, splicing in the usage option', () => {
    const raw = Buffer.from('{"model":"m","messages":[{"role":"user","content":"hi"}]}');
    const body = JSON.parse(raw.toString()) as Record<string, unknown>;
    assert.equal(openaiAdapter.request('chat', body, 'm', provider, raw).body, raw);
    const sRaw = Buffer.from(' {"model":"m","stream":true,"messages":[]}');
    const sBody = JSON.parse(sRaw.toString()) as Record<string, unknown>;
    const up = JSON.parse(String(openaiAdapter.request('chat', sBody, 'm', provider, sRaw).body)) as {
      stream_options: unknown;
      model: string;
    };
    assert.deepEqual(up.stream_options, { include_usage: true });
    const renamed = openaiAdapter.request('chat', body, 'other', provider, raw);
    assert.equal((JSON.parse(String(renamed.body)) as { model: string }).model, 'other');
  });
  it('reads usage of a big answer from its tail, and still refuses a body that is not JSON', () => {
    const big = JSON.stringify({
      data: [{ embedding: Array.from({ length: 2000 }, (_, i) => i / 3) }],
      usage: { prompt_tokens: 5, total_tokens: 5, details: { note: '}{"' } },
    });
    assert.deepEqual(openaiAdapter.response('embeddings', Buffer.from(big), 'm').usage, { inputTokens: 5 });
    assert.throws(
      () => openaiAdapter.response('chat', Buffer.from(`<html>${'x'.repeat(5000)}`), 'm'),
      /not valid JSON/,
    );
  });
});
