/**
 * Forward proxies end to end: the official openai client → gateway → loopback CONNECT proxy →
 * sim, with a proxy from `proxy:`, one from the `env` option's HTTP_PROXY, `proxy: none`, and a
 * refusing proxy the gateway fails over from; plus proxy settings refused at start.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import { startSimServer, type SimServer } from '../sim/index.ts';
import type { RequestRecord } from '../store/types.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { hashKey } from './keys.ts';
import { collect, eventually } from './test-harness.ts';
import { startTestProxy, type TestProxy } from './upstream/test-proxy.ts';

const KEY = 'nines-proxy-test-key-0123456789';
const PROXY_PASSWORD = 'pw-topsecret-42';

describe('gateway: upstreams through a forward proxy (official openai client)', () => {
  let sim: SimServer;
  let configured: TestProxy;
  let fromEnv: TestProxy;
  let locked: TestProxy;
  let gateway: Gateway;
  let client: OpenAI;
  const records: RequestRecord[] = [];
  const registry = new Registry();

  before(async () => {
    const models = ['sim-model'];
    sim = await startSimServer({
      providers: ['a', 'b', 'c'].map((name) => ({
        name,
        kind: 'openai' as const,
        models,
        apiKey: `key-${name}`,
      })),
      seed: 3,
    });
    configured = await startTestProxy();
    // Loopback never goes through an environment proxy: provider b is named by a host only the
    // proxy resolves, as an outside API behind an egress proxy would be.
    fromEnv = await startTestProxy({ hosts: { 'sim.test': '127.0.0.1' } });
    locked = await startTestProxy({ authorization: 'Basic bm90LXRoaXMtb25l' }); // refuses everyone
    const route = (model: string, ...providers: string[]) => ({
      model,
      deployments: providers.map((provider) => ({ name: provider, provider, model: 'sim-model' })),
      deadlines: { attempt: '2s', total: '5s', firstToken: '2s', idle: '2s' },
      retry: { maxAttempts: 3, backoff: 5 },
    });
    gateway = createGateway(
      {
        port: 0,
        providers: [
          {
            name: 'a',
            baseUrl: sim.baseUrl('a'),
            apiKey: '${KEY_A}',
            proxy: `http://127.0.0.1:${configured.port}`,
          },
          {
            name: 'b',
            baseUrl: sim.baseUrl('b').replace('127.0.0.1', 'sim.test'),
            apiKey: '${KEY_B}',
          }, // HTTP_PROXY of the env option
          { name: 'c', baseUrl: sim.baseUrl('c'), apiKey: '${KEY_C}', proxy: 'none' },
          {
            name: 'locked',
            baseUrl: sim.baseUrl('a'),
            apiKey: '${KEY_A}',
            proxy: `http://gw-user:\${PROXY_PASSWORD}@127.0.0.1:${locked.port}`,
          },
        ],
        routes: [
          route('via-config', 'a'),
          route('via-env', 'b'),
          route('direct', 'c'),
          route('refused-then-direct', 'locked', 'c'),
        ],
        keys: [{ id: 'app', hash: hashKey(KEY) }],
      },
      {
        recorder: { record: (r) => void records.push(r) },
        registry,
        env: {
          KEY_A: 'key-a',
          KEY_B: 'key-b',
          KEY_C: 'key-c',
          PROXY_PASSWORD,
          HTTP_PROXY: `http://127.0.0.1:${fromEnv.port}`,
        },
      },
    );
    const { url } = await gateway.listen(0, '127.0.0.1');
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 0, timeout: 10_000 });
  });

  after(async () => {
    await gateway.close();
    await Promise.all([configured.close(), fromEnv.close(), locked.close()]);
    await sim.close();
  });

  const ask = (model: string) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] });

  it('sends a provider with `proxy:` through that proxy', async () => {
    const r = await ask('via-config');
    assert.ok(r.choices[0]!.message.content);
    assert.equal(configured.connects.length, 1);
    assert.equal(configured.connects[0]!.target, `127.0.0.1:${sim.port}`);
    assert.equal(configured.connects[0]!.authorization, undefined);
    await ask('via-config');
    assert.equal(configured.connects.length, 1, 'the tunnel is kept alive');
  });

  it("sends a provider without `proxy:` through the env option's HTTP_PROXY, streams included", async () => {
    const stream = await client.chat.completions.create({
      model: 'via-env',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    assert.ok((await collect(stream)).length > 0);
    assert.equal(fromEnv.connects.length, 1);
    assert.equal(fromEnv.connects[0]!.target, `sim.test:${sim.port}`);
  });

  it('lets a provider with `proxy: none` bypass the environment proxy', async () => {
    const before = fromEnv.connects.length + configured.connects.length;
    const r = await ask('direct');
    assert.ok(r.choices[0]!.message.content);
    assert.equal(fromEnv.connects.length + configured.connects.length, before);
  });

  it('fails over when a proxy refuses the tunnel, and keeps its password out of records and metrics', async () => {
    records.length = 0;
    const r = await ask('refused-then-direct');
    assert.ok(r.choices[0]!.message.content);
    const expected = `Basic ${Buffer.from(`gw-user:${PROXY_PASSWORD}`).toString('base64')}`;
    assert.equal(locked.connects.length, 1);
    assert.equal(locked.connects[0]!.authorization, expected, 'credentials from the ${ENV} in the URL');
    await eventually(() => records.length === 1);
    assert.equal(records[0]!.deployment, 'c');
    assert.equal(records[0]!.attempts, 2);
    const metrics = await registry.metrics();
    for (const text of [JSON.stringify(records), metrics]) {
      assert.ok(!text.includes(PROXY_PASSWORD));
      assert.ok(!text.includes(expected.slice(6)));
    }
  });
});

describe('gateway: proxy settings that cannot work are start-up errors', () => {
  const config = (proxy?: string) => ({
    providers: [{ name: 'p', baseUrl: 'https://api.example.com/v1', ...(proxy ? { proxy } : {}) }],
    routes: [{ model: 'm', deployments: [{ provider: 'p', model: 'x' }] }],
    allowAnonymous: true,
  });

  it('rejects an https:// proxy in config or environment, naming where it came from', () => {
    assert.throws(
      () => createGateway(config('https://proxy.corp:443'), { env: {} }),
      /gateway\.providers\.0\.proxy: https:\/\/ proxies are not supported/,
    );
    assert.throws(
      () => createGateway(config(), { env: { HTTPS_PROXY: 'https://u:secret-pw@proxy.corp' } }),
      (err: Error) =>
        /^gateway\.providers\[0\] \(p\): HTTPS_PROXY: https:\/\/ proxies/.test(err.message) &&
        !err.message.includes('secret-pw'),
    );
    assert.throws(
      () => createGateway(config('http://u:${MISSING}@proxy.corp:3128'), { env: {} }),
      /gateway\.providers\[0\]\.proxy: environment variable MISSING is not set/,
    );
    const gw = createGateway(config(), {
      env: { HTTPS_PROXY: 'https://proxy.corp', NO_PROXY: 'example.com' },
    });
    void gw.close();
  });
});
