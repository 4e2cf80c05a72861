import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { GatewayConfig } from '../config/gateway.ts';
import { NinesError } from '../core/errors.ts';
import { hashKey } from './keys.ts';
import { collect, startHarness, TEST_KEY, type Harness } from './test-harness.ts';

/** The running config, deep-copied, for a reload to edit. */
function edit(h: Harness, change: (c: GatewayConfig) => void): GatewayConfig {
  const c = structuredClone(h.gateway.config);
  change(c);
  return c;
}

const ask = (client: OpenAI, model: string) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('gateway reload', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('adds a route and a key without a restart; /v1/models shows the new route', async () => {
    const before = (await h.client.models.list()).data.map((m) => m.id);
    assert.ok(!before.includes('m2'));
    const r = h.gateway.reload(
      edit(h, (c) => {
        c.routes.push({ ...structuredClone(c.routes[0]!), model: 'm2' });
        c.keys.push({ id: 'second', hash: hashKey('second-key-0123456789'), routes: ['m2'] });
      }),
    );
    assert.deepEqual(r.added, [], 'route m2 reuses deployments a and b (same name and upstream)');
    assert.deepEqual(r.removed, []);
    assert.deepEqual(r.needsRestart, []);
    const after = (await h.client.models.list()).data.map((m) => m.id);
    assert.ok(after.includes('m2'), after.join(','));
    assert.equal((await ask(h.client, 'm2')).object, 'chat.completion');
    const second = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'second-key-0123456789', maxRetries: 0 });
    assert.equal((await ask(second, 'm2')).object, 'chat.completion');
    const denied = await ask(second, 'm').catch((e: unknown) => e);
    assert.ok(denied instanceof OpenAI.APIError && denied.status === 403, String(denied));
  });

  it('a kept deployment keeps its open breaker; a changed upstream starts with a fresh one', async () => {
    h.gateway.injectFault({ deployment: 'a', errorRate: 1, duration: 60_000 });
    for (let i = 0; i < 3; i++) await ask(h.client, 'm'); // fails over to b; a's breaker opens
    h.gateway.clearFault('a');
    const state = (name: string) => h.gateway.breakerStates().find((d) => d.deployment === name);
    assert.equal(state('a')?.phase, 'open');
    const opens = state('a')!.opens;

    const r = h.gateway.reload(edit(h, (c) => void (c.routes[0]!.deployments[0]!.weight = 5)));
    assert.ok(r.kept.includes('a'), JSON.stringify(r));
    assert.equal(state('a')?.phase, 'open', 'a weight change keeps the breaker');
    assert.equal(state('a')?.opens, opens);
    assert.equal(h.gateway.config.routes[0]!.deployments[0]!.weight, 5);

    const moved = h.gateway.reload(
      edit(h, (c) => {
        const d = c.routes[0]!.deployments[0]!;
        d.model = 'text-embedding-3-small'; // another upstream model: not the same deployment
      }),
    );
    assert.ok(moved.added.includes('a'), JSON.stringify(moved));
    assert.equal(state('a')?.phase, 'closed');
    assert.equal(state('a')?.opens, 0);
    h.gateway.reload(edit(h, (c) => void (c.routes[0]!.deployments[0]!.model = 'sim-model')));
  });

  it('a stream in flight finishes on the old routes while a reload removes its deployment', async () => {
    h.gateway.reload(edit(h, (c) => void (c.routes[0]!.strategy = 'failover')));
    const stream = await h.client.chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'tell me a story' }],
    });
    const text = collect(stream);
    const r = h.gateway.reload(
      edit(h, (c) => {
        c.routes[0]!.deployments = c.routes[0]!.deployments.filter((d) => d.name !== 'a');
        c.routes = c.routes.filter((x) => x.model !== 'm2');
      }),
    );
    assert.deepEqual(r.removed, ['a']);
    assert.ok((await text).length > 0, 'the stream ended with its text');
    const states = h.gateway.breakerStates().map((d) => d.deployment);
    assert.ok(!states.includes('a'), states.join(','));
    const res = await h.client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(res.object, 'chat.completion');
    const metrics = await h.registry.metrics();
    assert.doesNotMatch(
      metrics,
      /nines_gateway_breaker_state\{deployment="a"\}/,
      'no gauge for a removed deployment',
    );
  });

  it('a reload that cannot be applied throws and changes nothing', async () => {
    const before = h.gateway.config;
    const missing = edit(h, (c) => {
      c.providers[0]!.apiKey = '${NOT_SET_ANYWHERE}';
      c.routes.push({ ...structuredClone(c.routes[0]!), model: 'never' });
    });
    assert.throws(
      () => h.gateway.reload(missing),
      (e: unknown) => e instanceof NinesError && /NOT_SET_ANYWHERE/.test(e.message),
    );
    const bad = { ...structuredClone(before), routes: [{ model: 'x', deployments: 'nope' }] };
    assert.throws(
      () => h.gateway.reload(bad as never),
      (e: unknown) => e instanceof NinesError && /gateway\.routes\.0\.deployments/.test(e.message),
    );
    assert.equal(h.gateway.config, before);
    assert.ok(!(await h.client.models.list()).data.some((m) => m.id === 'never'));
    assert.equal((await ask(h.client, 'm')).object, 'chat.completion');
  });

  it('keeps a key’s used budget across a reload, and reports a port change as needing a restart', async () => {
    const r = h.gateway.reload(
      edit(h, (c) => {
        c.keys = [{ id: 'app', hash: hashKey(TEST_KEY), rpm: 2, routes: ['*'] }];
      }),
    );
    assert.deepEqual(r.needsRestart, []);
    await ask(h.client, 'm').catch(() => undefined);
    await ask(h.client, 'm').catch(() => undefined);
    h.gateway.reload(edit(h, (c) => void (c.port = 1)));
    const limited = await ask(h.client, 'm').catch((e: unknown) => e);
    assert.ok(limited instanceof OpenAI.APIError && limited.status === 429, String(limited));
    const port = h.gateway.reload(edit(h, (c) => void (c.port = 2)));
    assert.deepEqual(port.needsRestart, ['port']);
  });
});
