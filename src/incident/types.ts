/**
 * Incidents: opened from alert groups, moved through an explicit lifecycle (DESIGN rule 5), with
 * a timeline of everything that happened (alerts, state changes, notes, actions, causes).
 */

/** Incident lifecycle states. */
export type IncidentState = 'open' | 'acknowledged' | 'mitigated' | 'resolved';

/** Severity, SEV1 the worst. */
export type Severity = 'SEV1' | 'SEV2' | 'SEV3';

/** What an operator (or automation) can do to an incident. */
export type IncidentAction = 'acknowledge' | 'mitigate' | 'resolve' | 'reopen';

/** A ranked probable cause attached when the incident opens. */
export interface ProbableCauseView {
  cause: string;
  score: number;
  evidence: string[];
}

/** One incident. Times are ms since epoch. */
export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  state: IncidentState;
  /** The alert group that opened it; a new alert in the same group joins this incident. */
  groupKey: string;
  labels: Record<string, string>;
  openedAt: number;
  acknowledgedAt?: number;
  mitigatedAt?: number;
  resolvedAt?: number;
  /** Who acknowledged/resolved (a user or token name, or "automation"). */
  acknowledgedBy?: string;
  resolvedBy?: string;
  causes?: ProbableCauseView[];
  /** Error-budget minutes consumed while open, when known (for the postmortem). */
  budgetMinutes?: number;
}

/** Kinds of timeline entries. */
export type TimelineKind = 'opened' | 'alert' | 'state' | 'note' | 'action' | 'cause' | 'notification';

/** One line of an incident's timeline. */
export interface TimelineEntry {
  incidentId: string;
  at: number;
  kind: TimelineKind;
  /** Who did it, when a person or automation did. */
  actor?: string;
  text: string;
  /** Whether the entry may appear on a public status page. */
  public?: boolean;
  data?: Record<string, unknown>;
}

/**
 * Persistence the incident module needs (the consumer defines the interface; src/store
 * implements it for SQLite and PostgreSQL, `MemoryIncidentStore` serves tests).
 */
export interface IncidentStore {
  insertIncident(incident: Incident): Promise<void>;
  updateIncident(incident: Incident): Promise<void>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** The unresolved incident for an alert group, if any. */
  findOpenByGroup(groupKey: string): Promise<Incident | undefined>;
  listIncidents(q: {
    from?: number;
    to?: number;
    states?: readonly IncidentState[];
    limit?: number;
  }): Promise<Incident[]>;
  appendTimeline(entry: TimelineEntry): Promise<void>;
  timeline(incidentId: string): Promise<TimelineEntry[]>;
}
