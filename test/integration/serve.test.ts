// End to end on loopback: simulated providers → probes → SQLite file → JSON API.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimServer, providerUrl } from '../../src/sim/index.ts';
import { loadConfigText } from '../../src/config/load.ts';
import { startNines } from '../../src/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'nines-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-0123456789';

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('serve: probes simulated providers, detects an outage, and answers the API', async () => {
  const sim = await startSimServer({
    providers: [
      { name: 'prov-a', kind: 'openai', models: ['m'] },
      { name: 'prov-b', kind: 'openai', models: ['m'] },
    ],
  });
  const yaml = `
server: { port: 0 }
storage: { sqlite: { path: ${join(dir, 'n.db')} }, flushInterval: 100ms }
auth:
  tokens:
    - { name: admin, role: admin, token: "\${ADMIN_TOKEN}" }
    - { name: viewer, role: viewer, token: "${VIEWER}" }
defaults: { interval: 500ms, timeout: 450ms, failureThreshold: 2, successThreshold: 1 }
targets:
  - { name: chat-a, kind: openai-chat, url: "${providerUrl(sim, 'prov-a')}", model: m, labels: { provider: prov-a } }
  - { name: chat-b, kind: openai-chat, url: "${providerUrl(sim, 'prov-b')}", model: m, stream: true }
`;
  const loaded = loadConfigText(yaml, 'test.yaml', { env: { ADMIN_TOKEN: ADMIN }, requireEnv: true });
  if (!loaded.ok) await sim.close();
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
  const nines = await startNines(loaded.config, { log: () => {} });
  const get = async (path: string, token = VIEWER) => {
    const res = await fetch(`${nines.api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  try {
    await waitFor('both targets up', () =>
      nines.tracker.list().every((t) => t.state === 'up') ? true : undefined,
    );
    sim.setFaults('prov-b', { down: 'refuse' });
    const downAt = Date.now();
    await waitFor('chat-b down', () => (nines.tracker.get('chat-b')?.state === 'down' ? true : undefined));
    // two failures at a 500 ms interval, plus scheduling slack on a loaded machine
    assert.ok(Date.now() - downAt < 6000, `detected in ${Date.now() - downAt} ms`);
    assert.equal(nines.tracker.get('chat-a')?.state, 'up');

    assert.equal((await fetch(`${nines.api.url}/healthz`)).status, 200);
    assert.equal((await get('/api/v1/targets', 'wrong-token-xxxxxxxxx')).status, 401);
    const noAuth = await fetch(`${nines.api.url}/api/v1/targets`);
    assert.equal(noAuth.status, 401);

    const list = await get('/api/v1/targets');
    assert.equal(list.status, 200);
    const targets = list.body.targets as { name: string; state: string; lastResult?: { outcome: string } }[];
    assert.deepEqual(
      targets.map((t) => [t.name, t.state]),
      [
        ['chat-a', 'up'],
        ['chat-b', 'down'],
      ],
    );
    assert.equal(targets[1]!.lastResult?.outcome, 'failed');

    await nines.writer.flush();
    const results = await get('/api/v1/targets/chat-b/results?from=-1m&failures=true');
    const failed = results.body.results as { errorClass: string }[];
    assert.ok(failed.length >= 2);
    // refused connections; on a loaded machine the probe's own timeout may fire first
    assert.ok(
      failed.every((r) => ['connect', 'reset', 'malformed', 'timeout'].includes(r.errorClass)),
      JSON.stringify(failed[0]),
    );

    const rollups = await get('/api/v1/targets/chat-a/rollups?tier=minute&from=-5m');
    const buckets = rollups.body.rollups as { total: number; latencyP95Ms: number | null }[];
    assert.ok(buckets.length >= 1 && buckets[0]!.total > 0 && buckets[0]!.latencyP95Ms !== null);

    const events = await get('/api/v1/events?from=-5m&target=chat-b');
    const evs = events.body.events as { to: string }[];
    assert.deepEqual(evs.map((e) => e.to).slice(-2), ['up', 'down']);

    const report = await get('/api/v1/reports?window=1h');
    const reports = report.body.reports as { target: string; availability: number; outages: unknown[] }[];
    const b = reports.find((r) => r.target === 'chat-b')!;
    assert.ok(b.availability < 1 && b.availability > 0, `availability ${b.availability}`);
    assert.equal(b.outages.length, 1);
    assert.equal(reports.find((r) => r.target === 'chat-a')!.availability, 1);

    const bad = await get('/api/v1/reports?window=forever');
    assert.equal(bad.status, 400);
    assert.match(String((bad.body.error as { message: string }).message), /window/);
    assert.equal((await get('/api/v1/targets/nope')).status, 404);
    assert.equal((await get('/api/v1/targets/chat-a/results?from=yesterday')).status, 400);

    // a viewer may not write; an unknown route is a JSON 404
    const post = await fetch(`${nines.api.url}/api/v1/incidents/x/acknowledge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VIEWER}` },
    });
    assert.equal(post.status, 403);
  } finally {
    await nines.close();
    await sim.close();
  }
});

test('serve: a reload applies gateway routes at once; one with a missing secret changes nothing', async () => {
  const sim = await startSimServer({ providers: [{ name: 'prov-a', kind: 'openai', models: ['m'] }] });
  const gatewayYaml = (routes: string, key = 'sk-sim') => `
server: { port: 0 }
storage: { sqlite: { path: ${join(dir, 'reload.db')} }, flushInterval: 100ms }
auth: { tokens: [{ name: viewer, role: viewer, token: "${VIEWER}" }] }
gateway:
  port: 0
  allowAnonymous: true
  providers: [{ name: prov-a, baseUrl: "${providerUrl(sim, 'prov-a')}", apiKey: "${key}" }]
  routes:
${routes}
`;
  const one = '    - { model: first, deployments: [{ provider: prov-a, model: m }] }';
  const two = `${one}\n    - { model: second, deployments: [{ provider: prov-a, model: m }] }`;
  const load = (text: string) => {
    const r = loadConfigText(text, 'reload.yaml', { env: {}, requireEnv: false });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    return r.config;
  };
  const lines: string[] = [];
  const nines = await startNines(load(gatewayYaml(one)), { log: (l) => lines.push(l) });
  try {
    const models = async () => {
      const res = await fetch(`${nines.gateway!.url}/v1/models`);
      return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    };
    assert.deepEqual(await models(), ['first']);
    nines.reload(load(gatewayYaml(two)));
    assert.deepEqual(await models(), ['first', 'second']);
    assert.match(lines.at(-1) ?? '', /config reloaded: .*2 gateway routes/);
    const chat = await fetch(`${nines.gateway!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'second', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(chat.status, 200);
    const api = await fetch(`${nines.api.url}/api/v1/gateway`, {
      headers: { authorization: `Bearer ${VIEWER}` },
    });
    const view = (await api.json()) as { routes: { name: string }[] };
    assert.deepEqual(
      view.routes.map((r) => r.name),
      ['first', 'second'],
    );

    const broken = load(gatewayYaml(one, '${NINES_TEST_UNSET_SECRET}'));
    assert.throws(() => nines.reload(broken), /NINES_TEST_UNSET_SECRET/);
    assert.deepEqual(await models(), ['first', 'second'], 'the running gateway config stays');
    assert.equal(nines.config.gateway?.routes.length, 2, 'and so does the rest of the config');
  } finally {
    await nines.close();
    await sim.close();
  }
});
