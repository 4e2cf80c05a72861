// End to end on loopback: a provider goes down → probe state → alert rule → pipeline → outbox →
// a real webhook receiver gets an Alertmanager v4 payload, and an incident opens; the API
// acknowledges and resolves it, and a silence mutes the next page.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimServer, providerUrl } from '../../src/sim/index.ts';
import { loadConfigText } from '../../src/config/load.ts';
import { startNines } from '../../src/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'nines-alerting-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = 'operator-token-0123456789';

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });
}

test('alerting: outage pages a webhook once, opens an incident, and the API drives its lifecycle', async () => {
  const received: { at: number; payload: Record<string, unknown> }[] = [];
  const pagerDuty: Record<string, unknown>[] = [];
  const hook = createServer(async (req, res) => {
    const payload = JSON.parse(await body(req)) as Record<string, unknown>;
    if (req.url === '/pd') {
      pagerDuty.push(payload);
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: payload.dedup_key }));
      return;
    }
    received.push({ at: Date.now(), payload });
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const sim = await startSimServer({ providers: [{ name: 'p', kind: 'openai', models: ['m'] }] });
  const yaml = `
server: { port: 0 }
storage: { sqlite: { path: ${join(dir, 'a.db')} }, flushInterval: 100ms }
auth: { tokens: [{ name: ops, role: operator, token: "${TOKEN}" }] }
defaults: { interval: 250ms, timeout: 200ms, failureThreshold: 2, successThreshold: 1 }
targets:
  - { name: chat, kind: openai-chat, url: "${providerUrl(sim, 'p')}", model: m, labels: { provider: p } }
slos:
  - { name: chat-availability, target: chat, sli: availability, objective: 99.9 }
alerting:
  rules:
    - name: TargetDown
      kind: target_state
      state: down
      severity: page
      annotations: { summary: '{{ $labels.target }} is down' }
  route:
    receiver: oncall
    group_by: [alertname, target]
    group_wait: 0s
    group_interval: 1s
    repeat_interval: 1h
  receivers:
    - name: oncall
      webhook_configs: [{ url: "${hookUrl}" }]
      pagerduty_configs: [{ routing_key: test-routing-key, url: "${hookUrl.replace('/hook', '/pd')}" }]
`;
  const loaded = loadConfigText(yaml, 'alerting.yaml', { env: {}, requireEnv: true });
  if (!loaded.ok) await sim.close();
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
  const nines = await startNines(loaded.config, { log: () => {} });
  const api = async (method: string, path: string, b?: unknown) => {
    const res = await fetch(`${nines.api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(b !== undefined ? { body: JSON.stringify(b) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  try {
    await waitFor('chat up', () => (nines.tracker.get('chat')?.state === 'up' ? true : undefined));
    const downAt = Date.now();
    sim.setFaults('p', { down: 'refuse' });
    const first = await waitFor('a webhook notification', () => received[0]);
    const delay = first.at - downAt;
    // failureThreshold × interval + 1 s (plus slack for a loaded CI machine)
    assert.ok(delay < 0.5 * 1000 + 1000 + 3000, `first notification after ${delay} ms`);
    const p = first.payload;
    assert.equal(p.version, '4');
    assert.equal(p.status, 'firing');
    assert.equal(p.receiver, 'oncall');
    const alerts = p.alerts as { labels: Record<string, string>; annotations: Record<string, string> }[];
    assert.equal(alerts[0]!.labels.alertname, 'TargetDown');
    assert.equal(alerts[0]!.labels.target, 'chat');
    assert.equal(alerts[0]!.annotations.summary, 'chat is down');

    const open = await waitFor('an incident', async () => {
      const r = await api('GET', '/api/v1/incidents?state=open');
      return (r.body.incidents as { id: string; severity: string }[])[0];
    });
    assert.equal(open.severity, 'SEV2');
    const firing = await waitFor('the firing alert in the API', async () => {
      const r = await api('GET', '/api/v1/alerts');
      const list = r.body.alerts as { labels: Record<string, string> }[];
      return list.length > 0 ? list : undefined;
    });
    assert.deepEqual(
      firing.map((a) => a.labels.alertname),
      ['TargetDown'],
    );

    const ack = await api('POST', `/api/v1/incidents/${open.id}/acknowledge`, { note: 'looking' });
    assert.equal(ack.status, 200);
    assert.equal((ack.body.incident as { state: string }).state, 'acknowledged');
    const again = await api('POST', `/api/v1/incidents/${open.id}/acknowledge`, {});
    assert.equal(again.status, 409);
    // PagerDuty got trigger (through the outbox) and acknowledge (on the incident's ack), same dedup_key
    const ackEvent = await waitFor('PagerDuty acknowledge', () =>
      pagerDuty.find((e) => e.event_action === 'acknowledge'),
    );
    const trigger = pagerDuty.find((e) => e.event_action === 'trigger');
    assert.ok(trigger, 'PagerDuty trigger event');
    assert.equal(ackEvent.dedup_key, trigger.dedup_key);
    assert.equal(ackEvent.routing_key, 'test-routing-key');

    // recovery sends a resolved notification and mitigates the incident
    sim.resetFaults('p');
    await waitFor('resolved notification', () => received.find((r) => r.payload.status === 'resolved'));
    const mitigated = await waitFor('mitigated', async () => {
      const r = await api('GET', `/api/v1/incidents/${open.id}`);
      const i = r.body.incident as { state: string };
      return i.state === 'mitigated' ? i : undefined;
    });
    assert.equal(mitigated.state, 'mitigated');
    const resolved = await api('POST', `/api/v1/incidents/${open.id}/resolve`, {});
    assert.equal((resolved.body.incident as { state: string }).state, 'resolved');
    const pm = await fetch(`${nines.api.url}/api/v1/incidents/${open.id}/postmortem`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.match(await pm.text(), /# Postmortem: chat is down/);

    // a silence mutes the next outage: no new firing notification
    const sil = await api('POST', '/api/v1/silences', {
      matchers: ['target=chat'],
      endsAt: '1h',
      comment: 'planned work',
    });
    assert.equal(sil.status, 201);
    const badSil = await api('POST', '/api/v1/silences', {
      matchers: ['target=~('],
      endsAt: '1h',
      comment: 'x',
    });
    assert.equal(badSil.status, 400);
    assert.match(String((badSil.body.error as { message: string }).message), /matchers\[0\]/);
    const before = received.length;
    sim.setFaults('p', { down: 'refuse' });
    await waitFor('chat down again', () => (nines.tracker.get('chat')?.state === 'down' ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(received.filter((r, i) => i >= before && r.payload.status === 'firing').length, 0);
    const muted = await api('GET', '/api/v1/alerts');
    assert.equal((muted.body.alerts as { mutedBy?: { by: string } }[])[0]?.mutedBy?.by, 'silence');

    const deliveries = await api('GET', '/api/v1/deliveries?status=delivered');
    const delivered = deliveries.body.deliveries as { integration: string; notificationStatus: string }[];
    assert.ok(
      delivered.some(
        (d) => d.integration === 'oncall/webhook_configs[0]' && d.notificationStatus === 'resolved',
      ),
    );
    assert.equal((await api('GET', '/api/v1/deliveries?status=lost')).status, 400);

    const slos = await api('GET', '/api/v1/slos');
    const slo = (slos.body.slos as { name: string; total: number }[])[0]!;
    assert.equal(slo.name, 'chat-availability');
    const metrics = await (await fetch(`${nines.api.url}/metrics`)).text();
    assert.match(metrics, /nines_probe_results_total\{[^}]*target="chat"[^}]*outcome="failed"/);
  } finally {
    await nines.close();
    await sim.close();
    await new Promise((r) => hook.close(r));
  }
});
