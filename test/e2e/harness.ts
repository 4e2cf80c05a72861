/**
 * Starts a real nines for browser tests from real parts: a simulated provider, the probe
 * scheduler, a SQLite file store, the target tracker and live bus, reports, incidents, the
 * session layer, the bundled dashboard and a public status page, on a loopback port. Then
 * launches Debian's Chromium through playwright-core with a fresh profile.
 */
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfigText } from '../../src/config/load.ts';
import { systemClock } from '../../src/core/clock.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { BufferedWriter } from '../../src/store/writer.ts';
import type { ProbeResult } from '../../src/store/types.ts';
import { createScheduler } from '../../src/probe/scheduler.ts';
import { runProbe } from '../../src/probe/run-probe.ts';
import { startSimServer, type SimServer } from '../../src/sim/index.ts';
import { TargetStatusTracker } from '../../src/services/target-status.ts';
import { EventBus } from '../../src/services/event-bus.ts';
import { createReportService } from '../../src/services/reports.ts';
import { IncidentService } from '../../src/incident/service.ts';
import { MemoryIncidentStore } from '../../src/incident/memory-store.ts';
import { TokenAuthenticator } from '../../src/api/auth.ts';
import { createApiApp } from '../../src/api/app.ts';
import { listenApp } from '../../src/api/listen.ts';
import { liveRoutes } from '../../src/api/routes/live.ts';
import { incidentRoutes } from '../../src/api/routes/incidents.ts';
import { statusPageData } from '../../src/api/routes/status-page-data.ts';
import { createWebLayer } from '../../src/api/session-app.ts';
import { MemoryUserStore } from '../../src/api/users.ts';
import { statusPagesSchema } from '../../src/config/status-pages.ts';
import { alertingStandIn, sloAndGatewayStandIn } from './alerting-stand-in.ts';

/** Where tests put screenshots (gitignored). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** Passwords of the seeded users. */
export const USERS = {
  admin: 'admin-password-1',
  oper: 'operator-password-1',
  vera: 'viewer-password-1',
} as const;

/** A running test server. */
export interface Harness {
  url: string;
  sim: SimServer;
  /** The live event bus (benchmarks publish synthetic updates on it). */
  bus: EventBus;
  incidents: IncidentService;
  incidentId: string;
  close(): Promise<void>;
}

const DAY = 86_400_000;

/** Starts the server with `extraTargets` more synthetic (unprobed) targets for scale tests. */
export async function startHarness(options: { extraTargets?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'nines-e2e-'));
  const sim = await startSimServer({
    providers: [
      {
        name: 'good',
        kind: 'openai',
        models: ['gpt-4o-mini'],
        streamChunks: 5,
        faults: { latency: { p50Ms: 20, p99Ms: 60 }, ttftMs: 10, interChunkMs: 2 },
      },
      {
        name: 'flaky',
        kind: 'openai',
        models: ['gpt-4o-mini'],
        streamChunks: 5,
        faults: { latency: { p50Ms: 20, p99Ms: 60 }, ttftMs: 10, interChunkMs: 2 },
      },
    ],
    seed: 7,
  });
  const target = (name: string, provider: string, labels: Record<string, string>) =>
    `  - name: ${name}\n    kind: openai-chat\n    url: ${sim.baseUrl(provider)}\n    model: gpt-4o-mini\n    interval: 1s\n    timeout: 800ms\n    failureThreshold: 2\n    labels: ${JSON.stringify(labels)}\n`;
  const yaml =
    `targets:\n` +
    target('chat-east', 'good', {
      provider: 'openai',
      region: 'east',
      team: '<img src=x onerror=alert(1)>',
    }) +
    target('chat-flaky', 'flaky', { provider: 'openai', region: 'west' }) +
    target('secret-internal', 'good', { provider: 'internal', region: 'east' });
  const loaded = loadConfigText(yaml, 'e2e.yaml', { env: {}, requireEnv: false });
  if (!loaded.ok) throw new Error(`e2e config: ${JSON.stringify(loaded.problems)}`);
  const config = loaded.config;
  const synthetic = Array.from({ length: options.extraTargets ?? 0 }, (_, i) => ({
    ...config.targets[0]!,
    name: `synthetic-${String(i).padStart(4, '0')}`,
    enabled: false,
    labels: {
      provider: ['openai', 'anthropic', 'vllm'][i % 3]!,
      region: ['east', 'west', 'eu'][i % 3]!,
      model: `m${i % 7}`,
    },
  }));
  const targets = [...config.targets, ...synthetic];

  const store = openSqliteStore({ path: join(dir, 'nines.db') });
  await store.migrate();
  const now = Date.now();
  const history: ProbeResult[] = [];
  for (const t of targets.slice(0, 60)) {
    for (let at = now - 10 * DAY; at < now - 60_000; at += 3 * 3_600_000) {
      const failed = t.name === 'chat-flaky' && at > now - 3 * DAY && at < now - 2.9 * DAY;
      history.push({
        target: t.name,
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

  const clock = systemClock;
  const writer = new BufferedWriter({ store, clock, flushIntervalMs: 200 });
  const bus = new EventBus();
  const tracker = new TargetStatusTracker(targets);
  tracker.subscribe((change) =>
    change.kind === 'result' ? bus.publish('result', change.result) : bus.publish('state', change.event),
  );
  const scheduler = createScheduler({
    targets: config.targets,
    clock,
    concurrency: 8,
    runProbe: (t, o) => runProbe(t, { clock: o.clock, signal: o.signal }),
    onResult: (r) => {
      writer.write(r);
      tracker.onResult(r);
    },
    onEvent: (e) => {
      writer.writeEvent(e);
      tracker.onEvent(e);
    },
  });
  scheduler.start();

  const reports = createReportService({ store, targetNames: () => tracker.configured().map((t) => t.name) });
  const incidents = new IncidentService(new MemoryIncidentStore(), clock, { newId: () => 'inc-1' });
  const opened = await incidents.onAlertGroup({
    groupKey: '{alertname="TargetDown"}',
    status: 'firing',
    commonLabels: { alertname: 'TargetDown', target: 'chat-flaky', severity: 'page' },
    commonAnnotations: { summary: 'chat-flaky is down <script>window.pwned=1</script>' },
    alerts: [
      {
        labels: { alertname: 'TargetDown', target: 'chat-flaky', severity: 'page' },
        annotations: {},
        fingerprint: 'fp1',
        startsAt: now - 60_000,
      },
    ],
  });
  await incidents.addNote(opened!.id, 'We are investigating elevated errors on chat.', 'oper', true);
  await incidents.addNote(opened!.id, 'private: secret-internal db password rotated', 'oper', false);

  const pages = statusPagesSchema.parse([
    {
      slug: 'public',
      title: 'Acme <AI> status',
      description: 'Our public APIs.',
      targets: [
        { target: 'chat-east', name: 'Chat API' },
        { target: 'chat-flaky', name: 'Chat API (West)' },
      ],
    },
  ]);
  const web = await createWebLayer({
    tokens: new TokenAuthenticator([]),
    users: new MemoryUserStore(),
    now: () => Date.now(),
    adminPassword: USERS.admin,
    statusPages: () => pages,
    statusData: statusPageData({ now: () => Date.now(), targets: tracker, reports, incidents }),
    log: () => undefined,
  });
  await web.userService.create('oper', 'operator', USERS.oper);
  await web.userService.create('vera', 'viewer', USERS.vera);
  const api = createApiApp({
    services: { clock, targets: tracker, store, reports },
    auth: web.auth,
    extensions: [
      (a) => a.route('/', liveRoutes(bus)),
      (a) => a.route('/', incidentRoutes(incidents, clock)),
      web.extension,
      sloAndGatewayStandIn,
      alertingStandIn([
        {
          fingerprint: 'fp1',
          labels: { alertname: 'TargetDown', target: 'chat-flaky', severity: 'page' },
          annotations: { summary: 'chat-flaky is failing' },
        },
      ]),
    ],
    publicRoutes: web.publicRoutes,
  });
  const server = await listenApp(web.wrap(api), '127.0.0.1', 0);
  return {
    url: server.url,
    sim,
    bus,
    incidents,
    incidentId: opened!.id,
    async close() {
      await scheduler.stop();
      await server.close();
      await writer.close();
      await store.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
