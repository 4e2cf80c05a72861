/**
 * Opens incidents from alert groups, moves them through their lifecycle and keeps their
 * timelines. Every write goes through here so the timeline records who did what (DESIGN rule 8).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { NinesError } from '../core/errors.ts';
import { applyIncidentAction } from './lifecycle.ts';
import type {
  Incident,
  IncidentAction,
  IncidentStore,
  ProbableCauseView,
  Severity,
  TimelineEntry,
} from './types.ts';

/** The part of an alert the incident module reads (structurally the alert module's Alert). */
export interface IncidentAlertInput {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
  startsAt: number | string;
  endsAt?: number | string;
  status?: string;
  state?: string;
}

/** An alert group as delivered by the pipeline (structurally the alert module's Notification). */
export interface AlertGroupInput {
  groupKey: string;
  status: 'firing' | 'resolved';
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  alerts: readonly IncidentAlertInput[];
}

/** Options for the incident service. */
export interface IncidentServiceOptions {
  /** Alert severities that open incidents (default page and critical). */
  openOn?: readonly string[];
  /** Called after an incident opens to compute probable causes (may be slow; errors are noted). */
  findCauses?: (incident: Incident) => Promise<ProbableCauseView[]>;
  newId?: () => string;
  /** Told about every incident that opened or changed (live updates, acknowledgement tracking). */
  onChange?: (incident: Incident) => void;
}

/** Maps alert labels to an incident severity: an explicit `sev` label wins, else by `severity`. */
export function severityFromLabels(labels: Record<string, string>): Severity {
  const sev = labels.sev?.toUpperCase();
  if (sev === 'SEV1' || sev === 'SEV2' || sev === 'SEV3') return sev;
  switch (labels.severity) {
    case 'critical':
      return 'SEV1';
    case 'page':
      return 'SEV2';
    default:
      return 'SEV3';
  }
}

function alertLine(a: IncidentAlertInput, firing: boolean): string {
  const name = a.labels.alertname ?? 'alert';
  const scope = a.labels.target ?? a.labels.slo ?? a.labels.route ?? a.labels.provider ?? '';
  const summary = a.annotations.summary ?? a.annotations.description ?? '';
  return `${firing ? 'firing' : 'resolved'}: ${name}${scope ? ` (${scope})` : ''}${summary ? ` — ${summary}` : ''}`;
}

/** The incident service. */
export class IncidentService {
  private readonly openOn: readonly string[];

  constructor(
    private readonly store: IncidentStore,
    private readonly clock: Clock,
    private readonly options: IncidentServiceOptions = {},
  ) {
    this.openOn = options.openOn ?? ['page', 'critical'];
  }

  /** Handles an alert group from the pipeline: opens or updates the group's incident. */
  async onAlertGroup(group: AlertGroupInput): Promise<Incident | undefined> {
    const now = this.clock.now();
    let incident = await this.store.findOpenByGroup(group.groupKey);
    if (group.status === 'firing') {
      const paging = group.alerts.filter((a) => this.openOn.includes(a.labels.severity ?? ''));
      if (!incident && paging.length === 0) return undefined;
      if (!incident) incident = await this.open(group, now);
      else if (incident.state === 'mitigated')
        incident = await this.act(incident.id, 'reopen', 'alerting', 'alerts firing again');
      const seen = new Set(
        (await this.store.timeline(incident.id)).map(
          (e) => `${e.kind}:${String(e.data?.fingerprint)}:${String(e.data?.status)}`,
        ),
      );
      for (const a of group.alerts) {
        const ends = typeof a.endsAt === 'number' ? a.endsAt : a.endsAt ? Date.parse(a.endsAt) : undefined;
        const status = a.state === 'resolved' || (ends !== undefined && ends <= now) ? 'resolved' : 'firing';
        if (seen.has(`alert:${a.fingerprint}:${status}`)) continue;
        await this.note(incident.id, 'alert', alertLine(a, status === 'firing'), 'alerting', {
          fingerprint: a.fingerprint,
          status,
          labels: a.labels,
        });
      }
      return incident;
    }
    if (!incident) return undefined;
    for (const a of group.alerts) {
      await this.note(incident.id, 'alert', alertLine(a, false), 'alerting', {
        fingerprint: a.fingerprint,
        status: 'resolved',
      });
    }
    if (incident.state === 'open' || incident.state === 'acknowledged') {
      incident = await this.act(incident.id, 'mitigate', 'automation', 'all alerts of the group resolved');
    }
    return incident;
  }

  private async open(group: AlertGroupInput, now: number): Promise<Incident> {
    const first = group.alerts[0];
    const title =
      group.commonAnnotations.summary ??
      first?.annotations.summary ??
      `${group.commonLabels.alertname ?? first?.labels.alertname ?? 'Alert'}${group.commonLabels.target ? ` on ${group.commonLabels.target}` : ''}`;
    const severities = group.alerts.map((a) => severityFromLabels(a.labels)).sort();
    const incident: Incident = {
      id: this.options.newId?.() ?? randomUUID(),
      title,
      severity: severities[0] ?? 'SEV3',
      state: 'open',
      groupKey: group.groupKey,
      labels: group.commonLabels,
      openedAt: now,
    };
    await this.store.insertIncident(incident);
    await this.note(incident.id, 'opened', `incident opened: ${title}`, 'alerting');
    if (this.options.findCauses) {
      try {
        const causes = await this.options.findCauses(incident);
        if (causes.length) await this.attachCauses(incident.id, causes);
      } catch (err) {
        await this.note(
          incident.id,
          'cause',
          `probable causes unavailable: ${(err as Error).message}`,
          'automation',
        );
      }
    }
    const opened = (await this.store.getIncident(incident.id)) ?? incident;
    this.options.onChange?.(opened);
    return opened;
  }

  /** Applies a lifecycle action; the optional note is added to the timeline with it. */
  async act(id: string, action: IncidentAction, actor: string, note?: string): Promise<Incident> {
    const incident = await this.mustGet(id);
    const next = applyIncidentAction(incident, action, this.clock.now(), actor);
    await this.store.updateIncident(next);
    await this.note(id, 'state', `${incident.state} → ${next.state}${note ? `: ${note}` : ''}`, actor, {
      action,
    });
    this.options.onChange?.(next);
    return next;
  }

  /** Adds a note; `isPublic` notes may appear on the status page. */
  async addNote(id: string, text: string, actor: string, isPublic = false): Promise<TimelineEntry> {
    await this.mustGet(id);
    const trimmed = text.trim();
    if (trimmed === '') throw new NinesError('VALIDATION', 'note text is empty');
    if (trimmed.length > 10_000)
      throw new NinesError('VALIDATION', 'note text is longer than 10000 characters');
    return this.note(id, 'note', trimmed, actor, undefined, isPublic);
  }

  /** Records an action taken by automation or a person (e.g. "drained provider openai-west"). */
  async recordAction(
    id: string,
    text: string,
    actor: string,
    data?: Record<string, unknown>,
  ): Promise<TimelineEntry> {
    await this.mustGet(id);
    return this.note(id, 'action', text, actor, data);
  }

  /** Attaches ranked probable causes to an incident (and lists them on the timeline). */
  async attachCauses(id: string, causes: ProbableCauseView[]): Promise<Incident> {
    const incident = await this.mustGet(id);
    const next = { ...incident, causes };
    await this.store.updateIncident(next);
    const top = causes
      .slice(0, 3)
      .map((c) => `${c.cause} (${c.score.toFixed(2)})`)
      .join('; ');
    await this.note(id, 'cause', `probable causes: ${top}`, 'automation', { causes });
    return next;
  }

  /** One incident with its timeline. */
  async get(id: string): Promise<{ incident: Incident; timeline: TimelineEntry[] }> {
    const incident = await this.mustGet(id);
    return { incident, timeline: await this.store.timeline(id) };
  }

  /** Lists incidents, newest first. */
  list(q: Parameters<IncidentStore['listIncidents']>[0] = {}): Promise<Incident[]> {
    return this.store.listIncidents(q);
  }

  private async mustGet(id: string): Promise<Incident> {
    const i = await this.store.getIncident(id);
    if (!i) throw new NinesError('NOT_FOUND', `no incident with id "${id}"`);
    return i;
  }

  private async note(
    incidentId: string,
    kind: TimelineEntry['kind'],
    text: string,
    actor: string,
    data?: Record<string, unknown>,
    isPublic = false,
  ): Promise<TimelineEntry> {
    const entry: TimelineEntry = {
      incidentId,
      at: this.clock.now(),
      kind,
      text,
      actor,
      ...(data ? { data } : {}),
      ...(isPublic ? { public: true } : {}),
    };
    await this.store.appendTimeline(entry);
    return entry;
  }
}
