import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { gatewaySchema } from './gateway.ts';
import { configSchema } from './schema.ts';

const base = {
  providers: [{ name: 'oa', baseUrl: 'https://api.openai.com/v1', apiKey: '${OPENAI_API_KEY}' }],
  routes: [
    {
      model: 'gpt',
      deployments: [{ provider: 'oa', model: 'gpt-4o-mini' }],
      deadlines: { firstToken: '5s' },
    },
  ],
  keys: [{ id: 'app', key: '${APP_KEY}', rpm: 60 }],
};

function problem(input: unknown): string {
  const r = gatewaySchema.safeParse(input);
  assert.ok(!r.success, 'expected a rejection');
  const i = r.error.issues[0]!;
  return `${i.path.join('.')}: ${i.message}`;
}

describe('gateway config', () => {
  it('fills defaults and parses durations', () => {
    const g = gatewaySchema.parse(base);
    assert.equal(g.port, 9191);
    assert.equal(g.routes[0]!.strategy, 'failover');
    assert.equal(g.routes[0]!.whenAllOpen, 'try-anyway');
    assert.equal(g.routes[0]!.deadlines.firstToken, 5000);
    assert.equal(g.routes[0]!.deadlines.total, 300_000);
    assert.equal(g.breaker.consecutiveFailures, 5);
    assert.equal(g.providers[0]!.apiKey, '${OPENAI_API_KEY}'); // expanded by the gateway, not here
  });

  it('is an optional section of the whole file', () => {
    assert.equal(configSchema.parse({}).gateway, undefined);
    assert.equal(configSchema.parse({ gateway: base }).gateway?.routes.length, 1);
  });

  it('rejects bad sections with the path', () => {
    assert.equal(
      problem({ ...base, routes: [{ model: 'x', deployments: [{ provider: 'nope', model: 'y' }] }] }),
      'routes.0.deployments.0.provider: unknown provider nope',
    );
    assert.equal(
      problem({ ...base, providers: [...base.providers, ...base.providers] }),
      'providers.1.name: duplicate provider oa',
    );
    assert.equal(problem({ ...base, keys: [{ id: 'k' }] }), 'keys.0: set exactly one of hash or key');
    assert.equal(
      problem({ ...base, keys: [{ id: 'k', hash: 'abc' }] }),
      'keys.0.hash: sha256 hex (64 characters)',
    );
    assert.match(
      problem({ ...base, routes: [{ ...base.routes[0], strategy: 'random' }] }),
      /^routes\.0\.strategy/,
    );
    assert.match(
      problem({ ...base, routes: [{ ...base.routes[0], redact: ['('] }] }),
      /invalid regular expression/,
    );
    assert.match(
      problem({ ...base, routes: [{ ...base.routes[0], deadlines: { total: '5 parsecs' } }] }),
      /^routes\.0\.deadlines\.total/,
    );
  });

  it('takes a provider proxy: an http:// URL (credentials as ${ENV}), or none', () => {
    const withProxy = (proxy: string) => ({ ...base, providers: [{ ...base.providers[0], proxy }] });
    for (const ok of [
      'none',
      'http://proxy.corp:3128',
      'http://u:${PROXY_PASSWORD}@proxy.corp:3128',
      '${EGRESS}',
    ]) {
      assert.equal(gatewaySchema.parse(withProxy(ok)).providers[0]!.proxy, ok);
    }
    assert.equal(gatewaySchema.parse(base).providers[0]!.proxy, undefined, 'unset: the environment decides');
    assert.match(
      problem(withProxy('https://u:pw@proxy.corp')),
      /^providers\.0\.proxy: https:\/\/ proxies are not supported/,
    );
    assert.match(problem(withProxy('socks5://proxy.corp:1080')), /socks5:\/\/ proxies are not supported/);
    assert.match(problem(withProxy('proxy.corp:3128')), /use none or an http:\/\//);
    assert.match(problem(withProxy('http://${1BAD}@proxy')), /malformed environment reference/);
    assert.ok(!problem(withProxy('https://u:pw-secret@proxy.corp')).includes('pw-secret'));
  });
});
