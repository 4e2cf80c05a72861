/**
 * Runs alerting: every cycle it evaluates the SLOs (from the in-memory SLI series), turns target
 * states, metrics, SLO burn and detector signals into rule inputs, evaluates the alert rules, and
 * feeds the pipeline, whose notifications go to the persistent outbox (delivered by the worker)
 * and to incidents. A confirmed target state change triggers a cycle at once, so a page does not
 * wait for the next tick.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Config } from '../config/resolve.ts';
import { AlertPipeline, type SilenceInput } from '../alert/pipeline.ts';
import { evaluateRules, type RuleEvalState } from '../alert/rules.ts';
import { sloBurnSignal } from '../alert/signal-adapters.ts';
import { maintenanceFromConfig, maintenanceSpans } from '../alert/maintenance.ts';
import type { AnomalySignal, ForecastSignal, RuleInputs } from '../alert/signals.ts';
import type { Alert, Notification, Silence } from '../alert/types.ts';
import { evaluateSloSync, type SloEvaluation } from '../slo/evaluate.ts';
import type { SliSelector, SloDefinition } from '../slo/types.ts';
import type { Store } from '../store/types.ts';
import type { IncidentService } from '../incident/service.ts';
import { SliSeriesCache } from './sli-series.ts';
import { targetMetricSignals } from './target-metrics.ts';
import type { TargetStatusTracker } from './target-status.ts';
import type { EventBus } from './event-bus.ts';

/** Where notifications go once the pipeline lets them out. */
export interface NotificationSink {
  /** Persists the notification for delivery; throws when it cannot (the pipeline retries). */
  enqueue(n: Notification): void;
  /** Whether a group's page was acknowledged (for escalation). */
  isAcknowledged(groupKey: string): boolean;
}

/** Signals from the detectors (anomaly scores, forecasts), computed elsewhere. */
export type DetectorSignals = (now: number) => { anomalies: AnomalySignal[]; forecasts: ForecastSignal[] };

/** Options of the alerting runtime. */
export interface AlertingRuntimeOptions {
  config: Config;
  store: Store;
  clock: Clock;
  tracker: TargetStatusTracker;
  bus: EventBus;
  sink: NotificationSink;
  incidents?: IncidentService;
  detectors?: DetectorSignals;
  /** Called after each SLO evaluation (metrics). */
  onSloEvaluated?: (ev: SloEvaluation) => void;
  /** Persisted pipeline and rule state, restored at start. */
  state?: { load(): Promise<unknown>; save(state: unknown): Promise<void> };
  log: (line: string) => void;
  /** Seconds between cycles (default 15 s). */
  intervalMs?: number;
}

const DAY = 86_400_000;

function selectorTargets(sel: SliSelector, config: Config): string[] {
  if (sel.source !== 'probe') return [];
  return config.targets
    .filter(
      (t) =>
        (!sel.targets || sel.targets.includes(t.name)) &&
        Object.entries(sel.labels ?? {}).every(([k, v]) => t.labels[k] === v),
    )
    .map((t) => t.name);
}

/** The running alerting loop and what the API reads from it. */
export class AlertingRuntime {
  readonly pipeline: AlertPipeline;
  private readonly series: SliSeriesCache;
  private ruleState: RuleEvalState = { instances: {} };
  private evaluations = new Map<string, SloEvaluation>();
  private timer: TimerHandle | undefined;
  private flushTimer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: AlertingRuntimeOptions) {
    const windows = o.config.alerting.maintenance.map(maintenanceFromConfig);
    this.series = new SliSeriesCache({
      store: o.store,
      targetsOf: (sel) => selectorTargets(sel, o.config),
      spanMs: 32 * DAY,
      maintenance: (from, to) => maintenanceSpans(windows, from, to),
    });
    this.pipeline = new AlertPipeline({
      config: o.config.alerting,
      clock: o.clock,
      send: (n) => this.deliver(n),
      isAcknowledged: (key) => o.sink.isAcknowledged(key),
      onError: (err, key) =>
        o.log(`alerting: delivery of ${key} failed, will retry: ${(err as Error).message}`),
    });
  }

  /** Restores persisted state and starts the cycle. */
  async start(): Promise<void> {
    const saved = (await this.o.state?.load().catch(() => undefined)) as
      { pipeline?: unknown; rules?: RuleEvalState } | undefined;
    if (saved?.pipeline)
      this.pipeline.importState(saved.pipeline as Parameters<AlertPipeline['importState']>[0]);
    if (saved?.rules) this.ruleState = saved.rules;
    this.unsubscribe = this.o.tracker.subscribe((c) => {
      if (c.kind === 'event') this.trigger();
    });
    this.trigger();
    this.scheduleFlush();
  }

  /**
   * Group timers (group_wait, group_interval, repeat_interval, escalation) are checked every
   * second between evaluation cycles, so a notification is never later than its timer by more.
   */
  private scheduleFlush(): void {
    if (this.stopped) return;
    this.flushTimer = this.o.clock.setTimer(1000, () => {
      if (!this.running) {
        this.running = this.flush(this.o.clock.now())
          .catch((err) => this.o.log(`alerting: flush failed: ${(err as Error).message}`))
          .finally(() => {
            this.running = undefined;
            if (this.again) {
              this.again = false;
              this.trigger();
            }
          });
      }
      this.scheduleFlush();
    });
  }

  /** Runs the pipeline's due timers and hands what it sends to incidents. */
  private async flush(now: number): Promise<void> {
    const sent = this.pipeline.tick(now);
    for (const n of sent) await this.o.incidents?.onAlertGroup(toAlertGroup(n));
    if (sent.length)
      await this.o.state?.save({ pipeline: this.pipeline.exportState(), rules: this.ruleState });
  }

  /** Runs a cycle now (or right after the running one). */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer?.cancel();
    this.running = this.cycle()
      .catch((err) => this.o.log(`alerting: cycle failed: ${(err as Error).stack ?? String(err)}`))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.trigger();
        } else this.timer = this.o.clock.setTimer(this.o.intervalMs ?? 15_000, () => this.trigger());
      });
  }

  /** One evaluation cycle at the clock's now. */
  async cycle(): Promise<void> {
    const now = this.o.clock.now();
    const { config } = this.o;
    const slos = config.slos as readonly SloDefinition[];
    if (slos.length)
      await this.series.refresh(
        slos.map((s) => s.selector),
        now,
      );
    const evaluations = slos.map((slo) =>
      evaluateSloSync(slo, now, (sel, from, to) => this.series.query(sel, from, to)),
    );
    this.evaluations = new Map(evaluations.map((e) => [e.slo, e]));
    for (const e of evaluations) this.o.onSloEvaluated?.(e);

    const targets = this.o.tracker.list().filter((t) => t.enabled);
    const detectors = this.o.detectors?.(now);
    const inputs: RuleInputs = {
      targets: targets.map((t) => ({ target: t.name, state: t.state, labels: t.labels })),
      metrics: config.alerting.rules.some((r) => r.kind === 'threshold')
        ? await targetMetricSignals(this.o.store, targets, now)
        : [],
      slos: evaluations.map((e) => sloBurnSignal(e)),
      anomalies: detectors?.anomalies ?? [],
      forecasts: detectors?.forecasts ?? [],
    };
    const result = evaluateRules(config.alerting.rules, inputs, now, this.ruleState);
    this.ruleState = result.state;
    const changed = result.alerts.filter((a) => a.state === 'firing' || a.state === 'resolved');
    this.pipeline.ingest(changed, now);
    for (const a of changed) this.o.bus.publish('alert', a);
    await this.flush(now);
    await this.o.state?.save({ pipeline: this.pipeline.exportState(), rules: this.ruleState });
  }

  private deliver(n: Notification): void {
    this.o.sink.enqueue(n);
  }

  /** The latest evaluation of every SLO. */
  sloEvaluations(): SloEvaluation[] {
    return [...this.evaluations.values()];
  }

  /** Good/total of an SLO's SLI in a range (for burn-down charts). */
  sliCounts(selector: SliSelector, from: number, to: number): { good: number; total: number } {
    return this.series.query(selector, from, to);
  }

  /** Firing alerts known to the pipeline, with why each is muted (if it is). */
  alerts(): (Alert & { mutedBy?: { by: string; id: string } })[] {
    return this.pipeline
      .alerts()
      .filter((a) => a.state === 'firing')
      .map((a) => {
        const m = this.pipeline.mutedBy(a.labels);
        return m ? { ...a, mutedBy: m } : a;
      });
  }

  /** Adds a silence and re-evaluates. */
  addSilence(input: SilenceInput): Silence {
    const s = this.pipeline.addSilence(input);
    this.trigger();
    return s;
  }

  /** Expires a silence now. */
  expireSilence(id: string): Silence {
    const s = this.pipeline.expireSilence(id);
    this.trigger();
    return s;
  }

  /** Every silence (active, pending and expired). */
  silences(): Silence[] {
    return this.pipeline.silences();
  }

  /** Stops the loop (waits for a running cycle). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.flushTimer?.cancel();
    this.unsubscribe?.();
    await this.running;
  }
}

function toAlertGroup(n: Notification) {
  return {
    groupKey: n.groupKey,
    status: n.status,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    alerts: n.alerts.map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      fingerprint: a.fingerprint,
      startsAt: a.startsAt,
      ...(a.state === 'resolved' && a.endsAt !== undefined ? { endsAt: a.endsAt } : {}),
      state: a.state,
    })),
  };
}
