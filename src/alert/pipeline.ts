/**
 * `AlertPipeline` orchestrates delivery with Alertmanager semantics: `ingest` routes firing and
 * resolved alerts into aggregation groups; `tick(now)` flushes due groups through
 * `sequence(timeIntervals, inhibit, silence, maintenance, dedup, throttle, send, recordSent,
 * escalateTrack)`, releases rate-limited notifications and escalates unacknowledged pages. All
 * state is plain JSON (`exportState` / `importState`) so main.ts can persist it across restarts.
 */
import { randomUUID } from 'node:crypto';
import type { AlertingConfig, ReceiverConfig } from '../config/alerting.ts';
import type { Clock } from '../core/clock.ts';
import { NinesError } from '../core/errors.ts';
import { dedupStage, recordSentStage, type NotificationLog } from './dedup.ts';
import {
  dueEscalations,
  escalateTrackStage,
  type EscalationPolicy,
  type EscalationState,
} from './escalate.ts';
import { afterFlush, dueGroups, insertAlert, type AggrGroup, type GroupTable } from './group.ts';
import { inhibitMuter } from './inhibit.ts';
import { maintenanceFromConfig, maintenanceMuter } from './maintenance.ts';
import { combineMuters, muteStage, type MuteReason, type Muter } from './muter.ts';
import { buildNotification, sortAlerts, summarize } from './notification.ts';
import { buildRouteTree, matchRoutes, type RouteNode } from './route.ts';
import { sendStage } from './send.ts';
import { silenceMuter } from './silence.ts';
import { sequence, type FlushContext, type Stage } from './stage.ts';
import { emptyThrottle, releaseHeld, throttleStage, type RateLimit, type ThrottleState } from './throttle.ts';
import { timeIntervalStage } from './time-intervals.ts';
import type { Alert, Labels, MaintenanceWindow, Notification, Silence } from './types.ts';

/** Everything the pipeline remembers, as plain JSON. */
export interface PipelineState {
  version: 1;
  /** Latest firing/resolved alert by fingerprint, with when it was last ingested. */
  alerts: Record<string, { alert: Alert; updatedAt: number }>;
  groups: GroupTable;
  log: NotificationLog;
  throttle: ThrottleState;
  escalation: EscalationState;
  silences: Silence[];
}

/** What the pipeline needs from the outside: config, a clock, the outbox and acknowledgements. */
export interface AlertPipelineOptions {
  config: AlertingConfig;
  clock: Clock;
  /** Hands a notification to the outbox; throwing means "not accepted" and the flush is retried. */
  send: (n: Notification) => void;
  /** Whether a group's page was acknowledged (incident/PagerDuty); unacknowledged pages escalate. */
  isAcknowledged?: (groupKey: string) => boolean;
  /** Told about a flush that failed to deliver (it is retried at the next group_interval). */
  onError?: (err: unknown, groupKey: string) => void;
}

/** A new silence: `id` and `startsAt` are optional. */
export type SilenceInput = Omit<Silence, 'id' | 'startsAt'> & { id?: string; startsAt?: number };

function emptyState(): PipelineState {
  return {
    version: 1,
    alerts: {},
    groups: {},
    log: {},
    throttle: emptyThrottle(),
    escalation: {},
    silences: [],
  };
}

/** The alert delivery pipeline (see module comment). */
export class AlertPipeline {
  /** Silences + inhibition + maintenance as one predicate (ask it why an alert is quiet). */
  readonly muter: Muter;
  private state = emptyState();
  private readonly root: RouteNode | undefined;
  private readonly routes = new Map<string, RouteNode>();
  private readonly receivers: Map<string, ReceiverConfig>;
  private readonly windows: MaintenanceWindow[];
  private readonly limits = new Map<string, RateLimit>();
  private readonly policies = new Map<string, EscalationPolicy>();
  private readonly mutes: Stage;
  private sent: Notification[] = [];

  constructor(private readonly opts: AlertPipelineOptions) {
    const c = opts.config;
    if (c.route) this.root = buildRouteTree(c.route);
    const index = (n: RouteNode): void => void (this.routes.set(n.id, n), n.routes.forEach(index));
    if (this.root) index(this.root);
    this.receivers = new Map(c.receivers.map((r) => [r.name, r]));
    for (const r of c.receivers)
      if (r.rate_limit) this.limits.set(r.name, { max: r.rate_limit.max, perMs: r.rate_limit.per });
    for (const p of c.escalation.policies)
      this.policies.set(p.receiver, { receiver: p.receiver, afterMs: p.after, escalateTo: p.escalate_to });
    this.windows = c.maintenance.map(maintenanceFromConfig);
    const inhibitor = inhibitMuter(c.inhibit_rules, () => this.firing());
    const silencer = silenceMuter(() => this.state.silences);
    const maintenance = maintenanceMuter(() => this.windows);
    this.muter = combineMuters(inhibitor, silencer, maintenance);
    this.mutes = sequence(muteStage(inhibitor), muteStage(silencer), muteStage(maintenance));
  }

  private *firing(): Iterable<Alert> {
    for (const { alert } of Object.values(this.state.alerts)) if (alert.state === 'firing') yield alert;
  }

  private readonly deliver = (n: Notification): void => {
    this.opts.send(n);
    this.sent.push(n);
  };

  private limitOf = (receiver: string) => this.limits.get(receiver);
  private policyOf = (receiver: string) => this.policies.get(receiver);

  private flushStages(): Stage {
    const s = this.state;
    return sequence(
      timeIntervalStage(() => this.opts.config.time_intervals),
      this.mutes,
      dedupStage(s.log),
      throttleStage(s.throttle, this.limitOf),
      sendStage(this.deliver),
      recordSentStage(s.log),
      escalateTrackStage(s.escalation, this.policyOf),
    );
  }

  private contextFor(receiver: string, base: Omit<FlushContext, 'receiver' | 'sendResolved'>): FlushContext {
    return { ...base, receiver, sendResolved: this.receivers.get(receiver)?.send_resolved ?? true };
  }

  /** Takes firing and resolved alerts (pending ones are ignored) and routes them into groups. */
  ingest(alerts: readonly Alert[], now = this.opts.clock.now()): void {
    for (const a of alerts) {
      if (a.state !== 'firing' && a.state !== 'resolved') continue;
      const expired = a.state === 'firing' && a.endsAt !== undefined && a.endsAt <= now;
      const alert: Alert =
        a.state === 'resolved' || expired ? { ...a, state: 'resolved', endsAt: a.endsAt ?? now } : { ...a };
      this.state.alerts[alert.fingerprint] = { alert, updatedAt: now };
      if (!this.root) continue;
      for (const route of matchRoutes(this.root, alert.labels))
        insertAlert(this.state.groups, route, alert, now);
    }
  }

  /** Runs everything due at `now` and returns the notifications handed to `send`. */
  tick(now = this.opts.clock.now()): Notification[] {
    this.sent = [];
    this.resolveStale(now);
    const flush = this.flushStages();
    for (const g of dueGroups(this.state.groups, now)) this.flushGroup(g, flush, now);
    this.releaseThrottled(now);
    this.escalate(now);
    this.collectGarbage(now);
    return this.sent;
  }

  private flushGroup(g: AggrGroup, flush: Stage, now: number): void {
    const route = this.routes.get(g.routeId) ?? this.root;
    if (!route) return void delete this.state.groups[g.key];
    const alerts = sortAlerts(Object.values(g.alerts));
    const ctx = this.contextFor(route.receiver, {
      now,
      groupKey: g.key,
      groupLabels: g.labels,
      repeatIntervalMs: route.repeatIntervalMs,
      activeTimeIntervals: route.activeTimeIntervals,
      muteTimeIntervals: route.muteTimeIntervals,
    });
    let ok = true;
    try {
      flush(ctx, alerts);
    } catch (err) {
      ok = false;
      this.opts.onError?.(err, g.key);
    }
    afterFlush(this.state.groups, g, route, alerts, ok, now);
  }

  /** Firing alerts not refreshed within resolve_timeout resolve (their source went quiet). */
  private resolveStale(now: number): void {
    const timeout = this.opts.config.resolve_timeout;
    const stale = Object.values(this.state.alerts).filter(
      (e) => e.alert.state === 'firing' && e.updatedAt + timeout <= now,
    );
    this.ingest(
      stale.map((e) => ({ ...e.alert, state: 'resolved', endsAt: e.updatedAt + timeout })),
      now,
    );
  }

  private releaseThrottled(now: number): void {
    const s = this.state;
    const after = sequence(recordSentStage(s.log), escalateTrackStage(s.escalation, this.policyOf));
    for (const r of releaseHeld(s.throttle, this.limitOf, now)) {
      try {
        if (r.summary) {
          this.deliver(
            summarize(
              r.receiver,
              r.flushes.map((h) => buildNotification(h.ctx, h.alerts)),
            ),
          );
          for (const h of r.flushes) after({ ...h.ctx, now }, h.alerts);
        } else {
          for (const h of r.flushes) sequence(sendStage(this.deliver), after)({ ...h.ctx, now }, h.alerts);
        }
      } catch (err) {
        s.throttle.held[r.receiver] = r.flushes;
        this.opts.onError?.(err, `{}:{rate_limited=${JSON.stringify(r.receiver)}}`);
      }
    }
  }

  private escalate(now: number): void {
    const s = this.state;
    const isAck = this.opts.isAcknowledged ?? (() => false);
    for (const action of dueEscalations(s.escalation, this.policyOf, isAck, now)) {
      const ctx = this.contextFor(action.to, { ...action.entry.ctx, now });
      const extra = action.kind === 'escalate' ? { escalatedFrom: action.entry.ctx.receiver } : {};
      try {
        sequence(
          this.mutes,
          sendStage(this.deliver, extra),
          recordSentStage(s.log),
          escalateTrackStage(s.escalation, this.policyOf),
        )(ctx, action.entry.alerts);
      } catch (err) {
        this.opts.onError?.(err, ctx.groupKey);
      }
    }
  }

  private collectGarbage(now: number): void {
    const inGroups = new Set<string>();
    for (const g of Object.values(this.state.groups))
      for (const fp of Object.keys(g.alerts)) inGroups.add(fp);
    for (const [fp, e] of Object.entries(this.state.alerts)) {
      if (e.alert.state === 'resolved' && !inGroups.has(fp)) delete this.state.alerts[fp];
    }
    this.state.silences = this.state.silences.filter((x) => x.endsAt > now - 86_400_000);
  }

  /** Adds a silence (validated: at least one matcher, endsAt after startsAt). */
  addSilence(input: SilenceInput): Silence {
    const startsAt = input.startsAt ?? this.opts.clock.now();
    if (input.matchers.length === 0)
      throw new NinesError('VALIDATION', 'a silence needs at least one matcher');
    if (input.endsAt <= startsAt) throw new NinesError('VALIDATION', 'a silence must end after it starts');
    const silence: Silence = { ...input, id: input.id ?? randomUUID(), startsAt };
    if (this.state.silences.some((x) => x.id === silence.id))
      throw new NinesError('CONFLICT', `silence ${silence.id} exists`);
    this.state.silences.push(silence);
    return silence;
  }

  /** Ends a silence now (it stays listed, expired, for a day). */
  expireSilence(id: string, now = this.opts.clock.now()): Silence {
    const s = this.state.silences.find((x) => x.id === id);
    if (!s) throw new NinesError('NOT_FOUND', `no silence ${id}`);
    s.endsAt = Math.min(s.endsAt, now);
    return s;
  }

  /** Current and recently expired silences. */
  silences(): Silence[] {
    return structuredClone(this.state.silences);
  }

  /** Why labels are muted now, if they are. */
  mutedBy(labels: Labels, now = this.opts.clock.now()): MuteReason | undefined {
    return this.muter.mutes(labels, now);
  }

  /** The alerts the pipeline currently knows (firing, and resolved ones not yet flushed). */
  alerts(): Alert[] {
    return sortAlerts(Object.values(this.state.alerts).map((e) => e.alert));
  }

  /** A deep copy of the state, as plain JSON. */
  exportState(): PipelineState {
    return structuredClone(this.state);
  }

  /** Replaces the state with one from `exportState` (e.g. after a restart). */
  importState(state: PipelineState): void {
    if (state.version !== 1)
      throw new NinesError('VALIDATION', `unsupported alert pipeline state version ${String(state.version)}`);
    this.state = structuredClone(state);
  }
}
