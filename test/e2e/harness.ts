/**
 * Starts the real nines for browser tests: simulated providers (`startSimServer`), then
 * `startNines` with a config loaded through `loadNinesConfigText` on a temporary SQLite file —
 * probes every second against the sim, SLOs, alert rules (a TargetDown page opens an incident),
 * a webhook receiver (a tiny local HTTP server here), a gateway route and a status page with
 * public and private targets. Users: admin from the `adminPassword` option, an operator and a
 * viewer created through the API. Then launches Debian's Chromium through playwright-core.
 */
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadNinesConfigText } from '../../src/services/config-checks.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import type { ProbeResult, Store } from '../../src/store/types.ts';
import { startSimServer, type SimServer } from '../../src/sim/index.ts';
import { startNines, type RunningNines } from '../../src/main.ts';
import type { EventBus } from '../../src/services/event-bus.ts';

/** Where tests put screenshots (gitignored). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** Passwords of the users (admin from the startNines option, the others created through the API). */
export const USERS = {
  admin: 'admin-password-1',
  oper: 'operator-password-1',
  vera: 'viewer-password-1',
} as const;

/** A JSON request to the API as the admin (session cookie and CSRF token). */
export type AdminFetch = (path: string, init?: { method?: string; body?: unknown }) => Promise<unknown>;

/** A running test server. */
export interface Harness {
  url: string;
  sim: SimServer;
  nines: RunningNines;
  /** The live event bus (benchmarks publish synthetic updates on it). */
  bus: EventBus;
  /** Bodies the webhook receiver got (Alertmanager-style notifications). */
  webhooks: { status?: string; groupKey?: string; alerts?: { labels?: Record<string, string> }[] }[];
  /** Calls the API as the admin; throws on a non-2xx answer. */
  admin: AdminFetch;
  close(): Promise<void>;
}

const DAY = 86_400_000;

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A local webhook receiver: keeps every JSON body posted to it. */
async function startWebhookReceiver(): Promise<{
  url: string;
  bodies: Harness['webhooks'];
  close(): Promise<void>;
}> {
  const bodies: Harness['webhooks'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Harness['webhooks'][number]);
      } catch {
        bodies.push({});
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Ten days of history every 3 h per target, with a short failure of chat-flaky 3 days ago. */
async function seedHistory(store: Store, names: readonly string[]): Promise<void> {
  const now = Date.now();
  const history: ProbeResult[] = [];
  for (const name of names.slice(0, 60)) {
    for (let at = now - 10 * DAY; at < now - 60_000; at += 3 * 3_600_000) {
      const failed = name === 'chat-flaky' && at > now - 3 * DAY && at < now - 2.9 * DAY;
      history.push({
        target: name,
        at,
        outcome: failed ? 'failed' : 'ok',
        latencyMs: 100 + (at % 97),
        timings: { totalMs: 100 + (at % 97), ttftMs: 40 + (at % 13) },
        ...(failed ? { errorClass: 'http_5xx', error: 'HTTP 503 <b>from upstream</b>' } : {}),
      } as ProbeResult);
    }
  }
  history.push({
    target: 'chat-flaky',
    at: now - 2 * 3_600_000,
    outcome: 'failed',
    latencyMs: 30,
    timings: { totalMs: 30 },
    errorClass: 'http_5xx',
    error: 'HTTP 503 <b>from upstream</b>',
  } as ProbeResult);
  await store.insertResults(history);
}

/** The e2e config (YAML, as a user writes it). */
function configYaml(o: { sim: SimServer; dbPath: string; webhookUrl: string; extraTargets: number }): string {
  const target = (name: string, provider: string, labels: Record<string, string>, more = '') =>
    `  - name: ${name}\n    kind: openai-chat\n    url: ${o.sim.baseUrl(provider)}\n    model: gpt-4o-mini\n` +
    `    labels: ${JSON.stringify(labels)}\n${more}`;
  const synthetic = Array.from({ length: o.extraTargets }, (_, i) =>
    target(
      `synthetic-${String(i).padStart(4, '0')}`,
      'good',
      {
        provider: ['openai', 'anthropic', 'vllm'][i % 3]!,
        region: ['east', 'west', 'eu'][i % 3]!,
        model: `m${i % 7}`,
      },
      '    enabled: false\n',
    ),
  ).join('');
  return `
server: { host: 127.0.0.1, port: 0 }
storage:
  sqlite: { path: ${JSON.stringify(o.dbPath)} }
  flushInterval: 200ms
defaults: { interval: 1s, timeout: 800ms, failureThreshold: 2, successThreshold: 1 }
targets:
${target('chat-east', 'good', { provider: 'openai', region: 'east', team: '<img src=x onerror=alert(1)>' })}${target('chat-flaky', 'flaky', { provider: 'openai', region: 'west' })}${target('secret-internal', 'good', { provider: 'internal', region: 'east' })}${synthetic}
gateway:
  host: 127.0.0.1
  port: 0
  allowAnonymous: true
  breaker: { consecutiveFailures: 3, cooldown: 10m }
  providers:
    - { name: openai-east, kind: openai, baseUrl: ${JSON.stringify(o.sim.baseUrl('good'))} }
    - { name: openai-west, kind: openai, baseUrl: ${JSON.stringify(o.sim.baseUrl('flaky'))} }
  routes:
    - model: chat
      strategy: failover
      deployments:
        - { name: west, provider: openai-west, model: gpt-4o-mini }
        - { name: east, provider: openai-east, model: gpt-4o-mini }
slos:
  - { name: chat-availability, target: chat-flaky, sli: availability, objective: 99.9, window: 30d }
  - name: chat-latency
    target: chat-east
    sli: { kind: latency, threshold: 2s }
    objective: 99
    window: 30d
alerting:
  rules:
    - name: TargetDown
      kind: target_state
      state: down
      severity: page
      annotations: { summary: '{{ $labels.target }} is down <script>window.pwned=1</script>' }
    - { name: SloBurn, kind: slo_burn, slo: chat-availability, annotations: { summary: chat availability is burning its budget } }
  route:
    receiver: oncall
    group_by: [alertname, target]
    group_wait: 0s
    group_interval: 1m
    repeat_interval: 4h
  receivers:
    - name: oncall
      webhook_configs: [{ url: ${JSON.stringify(o.webhookUrl)} }]
statusPages:
  - slug: public
    title: Acme <AI> status
    description: Our public APIs.
    targets:
      - { target: chat-east, name: Chat API }
      - { target: chat-flaky, name: Chat API (West) }
`;
}

/** Starts the server with `extraTargets` more synthetic (disabled, unprobed) targets for scale tests. */
export async function startHarness(options: { extraTargets?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-e2e-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const quick = { latency: { p50Ms: 20, p99Ms: 60 }, ttftMs: 10, interChunkMs: 2 };
    const sim = await startSimServer({
      providers: [
        { name: 'good', kind: 'openai', models: ['gpt-4o-mini'], streamChunks: 5, faults: quick },
        { name: 'flaky', kind: 'openai', models: ['gpt-4o-mini'], streamChunks: 5, faults: quick },
      ],
      seed: 7,
    });
    cleanups.push(() => sim.close());
    const webhook = await startWebhookReceiver();
    cleanups.push(() => webhook.close());

    const dbPath = join(dir, 'nines.db');
    const yaml = configYaml({
      sim,
      dbPath,
      webhookUrl: webhook.url,
      extraTargets: options.extraTargets ?? 0,
    });
    const loaded = loadNinesConfigText(yaml, 'e2e.yaml', { env: {}, requireEnv: false });
    if (!loaded.ok) throw new Error(`e2e config: ${JSON.stringify(loaded.problems)}`);
    const config = loaded.config;

    const store = openSqliteStore({ path: dbPath });
    cleanups.push(() => store.close());
    await store.migrate();
    await seedHistory(
      store,
      config.targets.map((t) => t.name),
    );

    const nines = await startNines(config, {
      store,
      adminPassword: USERS.admin,
      apiPort: 0,
      gatewayPort: 0,
      log: () => undefined,
    });
    cleanups.push(() => nines.close());
    const url = nines.api.url;

    const login = (await fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'admin', password: USERS.admin }),
    }).then(async (r) => {
      if (r.status !== 201) throw new Error(`admin login: ${r.status} ${await r.text()}`);
      return {
        cookie: r.headers.get('set-cookie')!.split(';')[0]!,
        body: (await r.json()) as { csrfToken: string },
      };
    })) as { cookie: string; body: { csrfToken: string } };
    const admin: AdminFetch = async (path, init = {}) => {
      const method = init.method ?? 'GET';
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          cookie: login.cookie,
          ...(method === 'GET' ? {} : { 'x-csrf-token': login.body.csrfToken }),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    };
    await admin('/users', { method: 'POST', body: { name: 'oper', role: 'operator', password: USERS.oper } });
    await admin('/users', { method: 'POST', body: { name: 'vera', role: 'viewer', password: USERS.vera } });

    return {
      url,
      sim,
      nines,
      bus: nines.bus,
      webhooks: webhook.bodies,
      admin,
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Chromium flags for headless runs in containers. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches Chromium with a fresh profile; fails with the install hint when it is missing. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(
      `Chromium not found at ${executablePath}: run "apt-get install chromium" (or set CHROMIUM_PATH)`,
    );
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'nines-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Logs in through the form. */
export async function login(page: Page, url: string, name: string, password: string): Promise<void> {
  await page.goto(`${url}/#/login`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}
