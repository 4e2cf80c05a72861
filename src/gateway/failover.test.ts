import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { createGateway } from './gateway.ts';
import { hashKey } from './keys.ts';
import {
  collect,
  eventually,
  startHarness,
  TEST_KEY,
  type Harness,
  type HarnessOptions,
} from './test-harness.ts';

async function withHarness(opts: HarnessOptions, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness(opts);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const ask = (h: Harness) =>
  h.client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
const askStream = (h: Harness) =>
  h.client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });

describe('gateway failover paths', () => {
  it('fails over when the first deployment refuses connections', () =>
    withHarness({}, async (h) => {
      h.sim.setFaults('a', { down: 'refuse' });
      const r = await ask(h).withResponse();
      assert.equal(r.response.headers.get('x-nines-deployment'), 'b');
      assert.ok(await collect(await askStream(h)));
      await eventually(() => h.records.length === 2);
      assert.equal(h.records[0]!.failovers, 1);
      assert.equal(h.records[0]!.attempts, 2);
      assert.equal(h.records[0]!.deployment, 'b');
    }));

  it('fails over on 5xx, streamed and not', () =>
    withHarness({}, async (h) => {
      h.sim.setFaults('a', { errorRate: 1, errorStatuses: [503] });
      await ask(h);
      assert.ok(await collect(await askStream(h)));
      await eventually(() => h.records.length === 2);
      assert.ok(h.records.every((r) => r.outcome === 'ok' && r.deployment === 'b'));
    }));

  it('fails a stream over transparently when the first token misses its deadline', () =>
    withHarness({}, async (h) => {
      h.sim.setFaults('a', { ttftMs: 3000 });
      const started = Date.now();
      const text = await collect(await askStream(h));
      assert.ok(text.length > 0);
      assert.ok(Date.now() - started < 2500);
      await eventually(() => h.records.length === 1);
      assert.equal(h.records[0]!.deployment, 'b');
      assert.equal(h.records[0]!.failovers, 1);
    }));

  it('fails over when a stream is malformed before its first token', () =>
    withHarness({}, async (h) => {
      h.sim.setFaults('a', { malformedRate: 1 });
      assert.ok(await collect(await askStream(h)));
      await eventually(() => h.records.length === 1);
      assert.equal(h.records[0]!.deployment, 'b');
    }));

  it('ends a stream that breaks after it started with an error event, not a silent end', () =>
    withHarness({}, async (h) => {
      h.sim.setFaults('a', { truncate: { afterChunks: 2 } });
      h.sim.setFaults('b', { truncate: { afterChunks: 2 } });
      const stream = await askStream(h);
      await assert.rejects(
        collect(stream),
        (err: unknown) => err instanceof OpenAI.APIError && /truncated/.test(err.message),
      );
      await eventually(() => h.records.length === 1);
      assert.equal(h.records[0]!.outcome, 'error');
      assert.equal(h.records[0]!.errorType, 'stream_error');
      assert.match(
        await h.registry.metrics(),
        /nines_gateway_stream_errors_total\{route="m",deployment="a"\} 1/,
      );
    }));

  it('fails over on 429 and returns 429 with Retry-After when every deployment is limited', () =>
    withHarness({}, async (h) => {
      h.sim.setFaults('a', { rateLimit: { rate: 1, retryAfterS: 0 } });
      const r = await ask(h).withResponse();
      assert.equal(r.response.headers.get('x-nines-deployment'), 'b');
      h.sim.setFaults('b', { rateLimit: { rate: 1, retryAfterS: 0 } });
      await assert.rejects(ask(h), OpenAI.RateLimitError);
    }));

  it('waits for Retry-After within the budget when the same deployment is retried', () =>
    withHarness({ route: { deployments: [{ name: 'a', provider: 'a', model: 'sim-model' }] } }, async (h) => {
      h.sim.setFaults('a', { rateLimit: { rate: 1, retryAfterS: 0.2 } });
      // Clear the fault once the first 429 went out, so the retry (after Retry-After) succeeds.
      void eventually(() => (h.sim.stats().providers.a!.byStatus['429'] ?? 0) >= 1).then(() =>
        h.sim.resetFaults('a'),
      );
      const started = Date.now();
      await ask(h);
      assert.ok(Date.now() - started >= 190);
      await eventually(() => h.records.length === 1);
      assert.equal(h.records[0]!.attempts, 2);
      h.sim.setFaults('a', { rateLimit: { rate: 1, retryAfterS: 30 } });
      await assert.rejects(ask(h), OpenAI.RateLimitError); // over maxRetryAfter: no wait
    }));

  it("never retries the client's own 4xx", () =>
    withHarness({}, async (h) => {
      await assert.rejects(
        h.client.embeddings.create({ model: 'emb', input: 'x', encoding_format: 'bogus' as 'float' }),
        OpenAI.BadRequestError,
      );
      await eventually(() => h.records.length === 1);
      assert.equal(h.records[0]!.attempts, 1);
      assert.equal(h.records[0]!.status, 400);
    }));

  it('opens the breaker after consecutive failures and shows it', () =>
    withHarness({}, async (h) => {
      h.sim.setFaults('a', { errorRate: 1, errorStatuses: [500] });
      for (let i = 0; i < 3; i++) await ask(h);
      const a = h.gateway.breakerStates().find((d) => d.deployment === 'a')!;
      assert.equal(a.phase, 'open');
      assert.equal(a.opens, 1);
      const before = h.sim.stats().providers.a!.requests;
      const r = await ask(h).withResponse();
      assert.equal(r.response.headers.get('x-nines-attempts'), '1');
      assert.equal(h.sim.stats().providers.a!.requests, before);
      const metrics = await h.registry.metrics();
      assert.match(metrics, /nines_gateway_breaker_state\{deployment="a"\} 2/);
      assert.match(metrics, /nines_gateway_breaker_opens_total\{deployment="a"\} 1/);
      // b answered over a kept-alive connection, now idle; nothing waits for one.
      assert.match(
        metrics,
        /nines_gateway_upstream_connections\{origin="http:\/\/127\.0\.0\.1:\d+",state="idle"\} [1-9]/,
      );
      assert.match(metrics, /nines_gateway_upstream_connections\{origin="[^"]+",state="waiting"\} 0/);
      const res = await fetch(`${h.url}/admin/breakers`, {
        headers: { authorization: 'Bearer admin-token-xyz' },
      });
      const body = (await res.json()) as { deployments: { deployment: string; phase: string }[] };
      assert.equal(body.deployments.find((d) => d.deployment === 'a')!.phase, 'open');
    }));

  it('answers 503 at once when every breaker is open and whenAllOpen is fail', () =>
    withHarness({ route: { whenAllOpen: 'fail' } }, async (h) => {
      h.sim.setFaults('a', { errorRate: 1 });
      h.sim.setFaults('b', { errorRate: 1 });
      for (let i = 0; i < 3; i++) await assert.rejects(ask(h), OpenAI.InternalServerError);
      const err = await ask(h).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 503);
      assert.equal(err.code, 'no_healthy_deployment');
    }));

  it('gives 504 when the total deadline passes', () =>
    withHarness(
      { route: { deadlines: { attempt: '5s', total: '600ms', firstToken: '5s', idle: '5s' } } },
      async (h) => {
        h.sim.setFaults('a', { down: 'hang' });
        h.sim.setFaults('b', { down: 'hang' });
        const err = await ask(h).catch((e: unknown) => e);
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 504);
      },
    ));

  it('game day: an injected fault moves traffic, and clearing it moves it back', () =>
    withHarness({}, async (h) => {
      const admin = { authorization: 'Bearer admin-token-xyz', 'content-type': 'application/json' };
      const res = await fetch(`${h.url}/admin/faults`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ deployment: 'a', errorRate: 1, errorStatus: 503, duration: '1m' }),
      });
      assert.equal(res.status, 200);
      const r = await ask(h).withResponse();
      assert.equal(r.response.headers.get('x-nines-deployment'), 'b');
      await fetch(`${h.url}/admin/faults/a`, { method: 'DELETE', headers: admin });
      const r2 = await ask(h).withResponse();
      assert.equal(r2.response.headers.get('x-nines-deployment'), 'a');
      const denied = await fetch(`${h.url}/admin/breakers`);
      assert.equal(denied.status, 401);
    }));

  it('tries a probe-unhealthy deployment last', () =>
    withHarness({}, async (h) => {
      h.gateway.setHealth('a', 'unhealthy');
      const r = await ask(h).withResponse();
      assert.equal(r.response.headers.get('x-nines-deployment'), 'b');
    }));

  it('enforces a key requests-per-minute limit with 429', () =>
    withHarness({ gateway: { keys: [{ id: 'app', hash: hashKey(TEST_KEY), rpm: 2 }] } }, async (h) => {
      await ask(h);
      await ask(h);
      const err = await ask(h).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.ok(Number(err.headers?.get('retry-after')) >= 1);
    }));
});

describe('gateway: tokens per minute', () => {
  it('refuses a key that used its tokens/min, streamed usage included', () =>
    withHarness({ gateway: { keys: [{ id: 'app', hash: hashKey(TEST_KEY), tpm: 5 }] } }, async (h) => {
      await collect(await askStream(h));
      await eventually(() => h.records.length === 1);
      const err = await ask(h).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.equal(err.code, 'tokens_exceeded');
    }));
});

describe('gateway: a client that disconnects mid-stream', () => {
  it('cancels the upstream request', async () => {
    let upstreamClosed = false;
    const upstream: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const frame = () =>
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `t${n++} ` } }] })}\n\n`;
      res.write(frame());
      const t = setInterval(() => res.write(frame()), 20);
      res.on('close', () => {
        clearInterval(t);
        upstreamClosed = true;
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    const gw = createGateway({
      port: 0,
      allowAnonymous: true,
      providers: [{ name: 'slow', baseUrl: `http://127.0.0.1:${port}/v1` }],
      routes: [{ model: 'm', deployments: [{ provider: 'slow', model: 'x' }] }],
    });
    const { url } = await gw.listen(0, '127.0.0.1');
    try {
      const ctl = new AbortController();
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'anything', maxRetries: 0 });
      const stream = await client.chat.completions.create(
        { model: 'm', messages: [{ role: 'user', content: 'go' }], stream: true },
        { signal: ctl.signal },
      );
      let chunks = 0;
      try {
        for await (const _ of stream) if (++chunks === 3) ctl.abort();
      } catch {
        // the openai client may end quietly or throw on abort; either way the client is gone
      }
      assert.equal(chunks, 3);
      await eventually(() => upstreamClosed);
      assert.equal(gw.breakerStates()[0]!.inFlight, 0);
    } finally {
      await gw.close();
      await new Promise<void>((r) => upstream.close(() => r()));
    }
  });
});

describe('gateway: an upstream that sends invalid SSE after the first token', () => {
  it('ends the stream with an error event the openai client throws', async () => {
    const upstream: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const good = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'hello ' } }] })}\n\n`;
      res.write(good + good);
      // Later, so the first token has reached the client (in one chunk it would fail over instead).
      setTimeout(() => res.end('data: {"choices":[{"delta":{"cont\n\n'), 50);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    const gw = createGateway({
      port: 0,
      allowAnonymous: true,
      providers: [{ name: 'bad', baseUrl: `http://127.0.0.1:${port}/v1` }],
      routes: [{ model: 'm', deployments: [{ provider: 'bad', model: 'x' }] }],
    });
    const { url } = await gw.listen(0, '127.0.0.1');
    try {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'anything', maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'go' }],
        stream: true,
      });
      let text = '';
      await assert.rejects(
        (async () => {
          for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
        })(),
        (err: unknown) => err instanceof OpenAI.APIError && /not valid JSON/.test(err.message),
      );
      assert.equal(text, 'hello hello ');
    } finally {
      await gw.close();
      await new Promise<void>((r) => upstream.close(() => r()));
    }
  });
});
