/**
 * The one place that builds every component from config and starts and stops them (DESIGN).
 * Data flows one way: probes and the gateway write observations to the store; the evaluators
 * (SLOs, rules, detectors) read them; alerting feeds the outbox and incidents; the API and the
 * dashboard read everything. `startNines` returns a handle to reload and close it all.
 */
import type { Config } from './config/resolve.ts';
import { systemClock, type Clock, type TimerHandle } from './core/clock.ts';
import { openStore, retentionPolicyOf } from './store/open.ts';
import { BufferedWriter } from './store/writer.ts';
import type { Store } from './store/types.ts';
import { runnerOf } from './store/sql-runner.ts';
import { sqlIncidentStore } from './store/records/incidents.ts';
import { sqlKvStore } from './store/records/kv.ts';
import { createScheduler, type Scheduler } from './probe/scheduler.ts';
import { runProbe } from './probe/run-probe.ts';
import { startSimServer, type SimServer } from './sim/index.ts';
import { createGateway, type Gateway } from './gateway/gateway.ts';
import { IncidentService } from './incident/service.ts';
import type { SloDefinition } from './slo/types.ts';
import { createTelemetry, type Telemetry } from './telemetry/metrics.ts';
import { labelNamesOf } from './telemetry/target-labels.ts';
import { metricsRoute } from './telemetry/metrics-route.ts';
import { TargetStatusTracker } from './services/target-status.ts';
import { EventBus } from './services/event-bus.ts';
import { createReportService } from './services/reports.ts';
import { AlertingRuntime } from './services/alerting-runtime.ts';
import { startNotifications, type Notifications } from './services/notifications.ts';
import { DetectionRuntime } from './services/detection-runtime.ts';
import { limitsFromSlos } from './services/detection-limits.ts';
import { applyProbeHealth, gatewayView, linkProbeHealth } from './services/gateway-link.ts';
import { TokenAuthenticator } from './api/auth.ts';
import { createApiApp, type ApiExtension } from './api/app.ts';
import { listenApp, type RunningServer } from './api/listen.ts';
import { liveRoutes } from './api/routes/live.ts';
import { incidentRoutes } from './api/routes/incidents.ts';
import { alertingRoutes } from './api/routes/alerting.ts';
import { detectRoutes } from './api/routes/detect.ts';
import { gatewayRoutes } from './api/routes/gateway.ts';
import { deliveryRoutes } from './api/routes/deliveries.ts';
import { createWebLayer } from './api/session-app.ts';
import { SqlUserStore } from './api/users-sql.ts';
import { statusPageData } from './api/routes/status-page-data.ts';

/** Options of `startNines`. */
export interface NinesOptions {
  clock?: Clock;
  /** Print a line of operational log (default console.log). */
  log?: (line: string) => void;
  /** Override the API port (0 = any free port), e.g. for tests. */
  apiPort?: number;
  /** Override the gateway port (0 = any free port). */
  gatewayPort?: number;
  /** An already running store to use instead of opening the configured one (the caller closes it). */
  store?: Store;
  /** Don't start the probe scheduler (tests that drive results by hand). */
  noScheduler?: boolean;
  /** Initial dashboard admin password (default NINES_ADMIN_PASSWORD; else a one-time password is printed). */
  adminPassword?: string;
}

/** A running nines: its parts, and how to reload or stop it. */
export interface RunningNines {
  readonly config: Config;
  store: Store;
  writer: BufferedWriter;
  tracker: TargetStatusTracker;
  bus: EventBus;
  scheduler: Scheduler | undefined;
  sim: SimServer | undefined;
  gateway: (Gateway & { url: string }) | undefined;
  api: RunningServer;
  incidents: IncidentService;
  alerting: AlertingRuntime;
  detection: DetectionRuntime;
  notifications: Notifications;
  telemetry: Telemetry;
  /**
   * Applies a new config: targets (rescheduled, unchanged ones keep their state) and the gateway
   * (`Gateway.reload`). Throws, changing nothing, when the gateway section cannot be applied.
   */
  reload(next: Config): void;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/** Reloads the running gateway from `next` (throws if it cannot); a note for the reload log line. */
function reloadGateway(gateway: Gateway | undefined, next: Config): string {
  if (!gateway) return next.gateway ? '; the gateway section is new: the gateway starts at restart' : '';
  if (!next.gateway) return '; the gateway section is gone: the gateway stops at restart';
  const r = gateway.reload(next.gateway);
  const parts = [`${next.gateway.routes.length} gateway routes`];
  if (r.added.length > 0) parts.push(`deployments added ${r.added.join(', ')}`);
  if (r.removed.length > 0) parts.push(`removed ${r.removed.join(', ')}`);
  if (r.needsRestart.length > 0) parts.push(`gateway ${r.needsRestart.join(' and ')} change at restart`);
  return `, ${parts.join('; ')}`;
}

/** Builds and starts everything the config asks for. */
export async function startNines(config: Config, options: NinesOptions = {}): Promise<RunningNines> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => console.log(line));
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await Promise.resolve(close()).catch((err) => log(`close: ${String(err)}`));
  };
  /** Runs a write that may be refused (writer full or closed) without breaking the caller. */
  const guard = (write: () => void) => {
    try {
      write();
    } catch (err) {
      log(`store: ${(err as Error).message}`);
    }
  };
  let current = config;

  try {
    // Storage: observations are written once, in batches, off the hot paths.
    const store = options.store ?? (await openStore(config.storage, { clock }));
    if (!options.store) closers.push(() => store.close());
    const writer = new BufferedWriter({ store, clock, flushIntervalMs: config.storage.flushInterval });
    closers.push(() => writer.close());
    const sql = runnerOf(store);

    // Live state and metrics of targets.
    const bus = new EventBus();
    const tracker = new TargetStatusTracker(config.targets);
    await tracker.restore(store, clock.now());
    const telemetry = createTelemetry({
      slos: config.slos as readonly SloDefinition[],
      targetLabelNames: labelNamesOf(config.targets),
    });
    const labelsOf = (name: string) => tracker.get(name)?.labels ?? {};
    for (const t of tracker.list()) telemetry.setTargetState(t.name, t.state, t.labels);
    tracker.subscribe((change) => {
      if (change.kind === 'result') {
        bus.publish('result', change.result);
        telemetry.observeProbe(change.result, labelsOf(change.result.target));
      } else {
        bus.publish('state', change.event);
        telemetry.setTargetState(change.event.target, change.event.to, labelsOf(change.event.target));
      }
    });

    // Simulated providers run in-process when configured (demo, game days).
    let sim: SimServer | undefined;
    if (config.sim) {
      sim = await startSimServer({
        providers: config.sim.providers,
        ...(config.sim.mount ? { mount: config.sim.mount } : {}),
        host: config.sim.host ?? '127.0.0.1',
        port: config.sim.port ?? 0,
        clock,
      });
      closers.push(() => sim!.close());
      log(`sim: ${sim.providers.length} simulated providers at ${sim.url}`);
    }

    // The gateway: its records go through the same writer; probe states feed its health.
    let gateway: (Gateway & { url: string }) | undefined;
    if (config.gateway) {
      const g = createGateway(config.gateway, {
        clock,
        registry: telemetry.registry,
        recorder: { record: (r) => guard(() => writer.writeRequest(r)) },
      });
      const bound = await g.listen(options.gatewayPort ?? config.gateway.port, config.gateway.host);
      gateway = Object.assign(g, { url: bound.url });
      closers.push(() => g.close());
      closers.push(linkProbeHealth(g, tracker));
      log(`gateway: OpenAI-compatible API at ${bound.url}/v1 (${config.gateway.routes.length} routes)`);
    }

    // Detection, incidents and alerting.
    const detection = new DetectionRuntime({
      store,
      clock,
      sql,
      targets: () => tracker.list().map((t) => ({ name: t.name, labels: t.labels, state: t.state })),
      routes: () => (current.gateway?.routes ?? []).map((r) => r.model),
      limits: () => limitsFromSlos(current.slos as readonly SloDefinition[], current.targets),
      log,
    });
    const incidents = new IncidentService(sqlIncidentStore(sql), clock, {
      findCauses: (i) => detection.findCauses(i),
      onChange: (i) => bus.publish('incident', i),
    });
    const acknowledged = new Set<string>();
    const notifications = startNotifications(config, clock, log);
    closers.push(() => notifications.close());
    bus.subscribe((e) => {
      if (e.type !== 'incident') return;
      const i = e.data as { groupKey: string; state: string };
      if (i.state === 'open') acknowledged.delete(i.groupKey);
      else if (!acknowledged.has(i.groupKey)) {
        acknowledged.add(i.groupKey);
        if (i.state === 'acknowledged') void notifications.acknowledge(i.groupKey);
      }
    });
    const kv = sqlKvStore(sql);
    const alerting = new AlertingRuntime({
      config,
      store,
      clock,
      tracker,
      bus,
      incidents,
      detectors: (now) => detection.signals(now),
      sink: { enqueue: (n) => notifications.enqueue(n), isAcknowledged: (key) => acknowledged.has(key) },
      onSloEvaluated: (ev) => telemetry.observeSlo(ev.slo, ev),
      state: { load: () => kv.get('alerting'), save: (v) => kv.put('alerting', v, clock.now()) },
      log,
    });

    // Probing.
    let scheduler: Scheduler | undefined;
    if (!options.noScheduler) {
      scheduler = createScheduler({
        targets: config.targets.filter((t) => t.enabled),
        clock,
        concurrency: config.scheduler.concurrency,
        jitter: config.scheduler.jitter,
        runProbe: (target, o) => runProbe(target, { clock: o.clock, signal: o.signal }),
        onResult: (result) => {
          guard(() => writer.write(result));
          tracker.onResult(result);
        },
        onEvent: (event) => {
          guard(() => writer.writeEvent(event));
          tracker.onEvent(event);
        },
      });
      scheduler.start();
      closers.push(() => scheduler!.stop());
    }

    // Retention, hourly.
    const retention = retentionPolicyOf(config.storage);
    let retentionTimer: TimerHandle | undefined;
    const runRetention = () => {
      store
        .applyRetention(clock.now(), retention)
        .catch((err) => log(`retention: ${String(err)}`))
        .finally(() => (retentionTimer = clock.setTimer(HOUR, runRetention)));
    };
    retentionTimer = clock.setTimer(60_000, runRetention);
    closers.push(() => retentionTimer?.cancel());

    await alerting.start();
    closers.push(() => alerting.stop());
    detection.start();
    closers.push(() => detection.stop());

    // The API, the dashboard and the status pages.
    const reports = createReportService({
      store,
      targetNames: () => tracker.configured().map((t) => t.name),
    });
    const web = await createWebLayer({
      tokens: new TokenAuthenticator(config.auth.tokens),
      users: new SqlUserStore(sql),
      now: () => clock.now(),
      adminPassword: options.adminPassword ?? process.env.NINES_ADMIN_PASSWORD,
      statusPages: () => current.statusPages,
      statusData: statusPageData({ now: () => clock.now(), targets: tracker, reports, incidents }),
      log,
    });
    const extensions: ApiExtension[] = [
      (api) => api.route('/', liveRoutes(bus)),
      (api) => api.route('/', incidentRoutes(incidents, clock)),
      (api) =>
        api.route(
          '/',
          alertingRoutes(alerting, () => current.slos as readonly SloDefinition[], clock),
        ),
      (api) => api.route('/', detectRoutes(detection)),
      (api) => api.route('/', gatewayRoutes(gateway && gatewayView(gateway), store, clock)),
      (api) => api.route('/', deliveryRoutes(notifications.outbox)),
      web.extension,
    ];
    const app = createApiApp({
      services: { clock, targets: tracker, store, reports },
      auth: web.auth,
      extensions,
      publicRoutes: (root) => {
        root.route('/', metricsRoute(telemetry));
        web.publicRoutes(root);
      },
    });
    const api = await listenApp(web.wrap(app), config.server.host, options.apiPort ?? config.server.port);
    closers.push(() => api.close());
    log(`api: dashboard and API at ${api.url} (${config.targets.length} targets)`);

    return {
      get config() {
        return current;
      },
      store,
      writer,
      tracker,
      bus,
      scheduler,
      sim,
      gateway,
      api,
      incidents,
      alerting,
      detection,
      notifications,
      telemetry,
      reload(next) {
        // The gateway first: it is the part that can refuse (a missing secret), and then nothing changed.
        const gatewayNote = reloadGateway(gateway, next);
        current = next;
        tracker.setTargets(next.targets);
        scheduler?.update(next.targets.filter((t) => t.enabled));
        if (gateway) applyProbeHealth(gateway, tracker);
        log(
          `config reloaded: ${next.targets.length} targets${gatewayNote} (alerting and SLO changes apply at restart)`,
        );
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
