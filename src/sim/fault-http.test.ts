import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { providerUrl, startSimServer, type SimServer } from './server.ts';
import type { FaultProfile } from '../config/sim.ts';

let server: SimServer;

const NAME = 'p';
before(async () => {
  server = await startSimServer({
    providers: [{ name: NAME, kind: 'openai', models: ['m'], streamChunks: 6 }],
    seed: 1,
  });
});
after(() => server.close());

function client(): OpenAI {
  return new OpenAI({ baseURL: providerUrl(server, NAME), apiKey: 'x', maxRetries: 0, timeout: 5000 });
}

const chat = (stream = false) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: 'What is 2+2?' }] }),
});
const chatUrl = () => `${providerUrl(server, NAME)}/chat/completions`;
const withFaults = (faults: FaultProfile) => server.setFaults(NAME, faults);
const dataLines = (text: string) => text.split('\n').filter((l) => l.startsWith('data: '));

test('down: refuse drops the connection (client connection error)', async () => {
  withFaults({ down: 'refuse' });
  await assert.rejects(
    client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    (err: unknown) => err instanceof OpenAI.APIConnectionError,
  );
});

test('down: reset accepts, waits, then resets', async () => {
  withFaults({ down: 'reset', latency: 20 });
  await assert.rejects(fetch(chatUrl(), chat()), TypeError);
});

test('rate limit answers 429 with Retry-After', async () => {
  withFaults({ rateLimit: { retryAfterS: 7 } });
  const res = await fetch(chatUrl(), chat());
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '7');
  const body = (await res.json()) as { error: { code: string } };
  assert.equal(body.error.code, 'rate_limit_exceeded');
});

test('truncation ends the stream after N chunks without [DONE]', async () => {
  withFaults({ truncate: { afterChunks: 2 } });
  const res = await fetch(chatUrl(), chat(true));
  const lines = dataLines(await res.text());
  assert.equal(lines.length, 3); // role chunk + 2 content chunks
  assert.ok(!lines.includes('data: [DONE]'));
});

test('a stall sends N chunks then keeps the stream open and silent', async () => {
  withFaults({ stall: { afterChunks: 1 } });
  const ac = new AbortController();
  const res = await fetch(chatUrl(), { ...chat(true), signal: ac.signal });
  const reader = res.body!.getReader();
  let text = '';
  const decoder = new TextDecoder();
  while (dataLines(text).length < 2) text += decoder.decode((await reader.read()).value);
  const more = await Promise.race([
    reader.read().then(() => 'data'),
    new Promise((r) => setTimeout(r, 150, 'silent')),
  ]);
  assert.equal(more, 'silent');
  assert.equal(dataLines(text).length, 2);
  ac.abort();
});

test('malformed replies: invalid JSON body and invalid SSE data', async () => {
  withFaults({ malformedRate: 1 });
  const res = await fetch(chatUrl(), chat());
  assert.equal(res.status, 200);
  await assert.rejects(res.json(), SyntaxError);
  const stream = await fetch(chatUrl(), chat(true));
  const lines = dataLines(await stream.text());
  assert.throws(() => JSON.parse(lines[1]!.slice(6)) as unknown, SyntaxError);
  assert.equal(lines.at(-1), 'data: [DONE]');
});

test('wrong answers', async () => {
  withFaults({ wrongAnswerRate: 1 });
  const res = await client().chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: '2+2' }],
  });
  assert.equal(res.choices[0]!.message.content, '5');
});

test('latency, slow first token and inter-chunk delay', async () => {
  withFaults({ latency: 40, ttftMs: 40, interChunkMs: 10 });
  const t0 = performance.now();
  const res = await fetch(chatUrl(), chat(true));
  const lines = dataLines(await res.text());
  const elapsed = performance.now() - t0;
  assert.equal(lines.at(-1), 'data: [DONE]');
  assert.ok(elapsed >= 40 + 40 + 5 * 10 - 5, `elapsed ${elapsed}`);
});

test('non-streamed truncation cuts the body mid-JSON', async () => {
  withFaults({ truncate: { afterChunks: 0 } });
  const res = await fetch(chatUrl(), chat());
  await assert.rejects(res.text());
});

test('hang never answers, and close() still finishes promptly', async () => {
  const hung = await startSimServer({
    providers: [{ name: 'h', kind: 'openai', models: ['m'], faults: { down: 'hang' } }],
  });
  const pending = fetch(`${providerUrl(hung, 'h')}/models`);
  const outcome = await Promise.race([
    pending.then(() => 'answered'),
    new Promise((r) => setTimeout(r, 150, 'hung')),
  ]);
  assert.equal(outcome, 'hung');
  const t0 = performance.now();
  await hung.close();
  assert.ok(performance.now() - t0 < 1000);
  await assert.rejects(pending);
});

test('faults are counted', () => {
  const { faults } = server.stats().providers[NAME]!;
  assert.equal(faults.refuse, 1);
  assert.equal(faults.rateLimited, 1);
  assert.ok((faults.malformed ?? 0) >= 2);
});
