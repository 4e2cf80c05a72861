/**
 * The shapes alerting shares with its neighbours. `Alert` and `Notification` are the contract
 * with src/notify: a `Notification` maps 1:1 onto the Alertmanager webhook v4 payload (see
 * `toWebhookPayload`), with times as epoch milliseconds here and ISO strings on the wire.
 */
import type { Matcher } from '../config/alerting.ts';

export type { Matcher, MatchOp } from '../config/alerting.ts';

/** A label set: `alertname`, `severity`, `target`, `provider`, `model`, … */
export type Labels = Record<string, string>;

/** The alert lifecycle (DESIGN rule 5); only `firing` and `resolved` alerts are notified. */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

/** One alert instance, identified by the fingerprint of its label set. */
export interface Alert {
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  /** When the condition became active (ms since epoch). */
  startsAt: number;
  /** When the alert resolved; set exactly when `state` is `resolved`. */
  endsAt?: number;
  /** Stable hash of the sorted label set (see fingerprint.ts). */
  fingerprint: string;
  generatorURL?: string;
  /** The signal value that last evaluated the rule (burn rate, latency, score…). */
  value?: number;
}

/** What the pipeline hands to the outbox: one group's alerts for one receiver (Alertmanager webhook v4). */
export interface Notification {
  receiver: string;
  /** Identifies the aggregation group (route + group labels); stable across flushes. */
  groupKey: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  /** Firing and resolved alerts of the group, oldest first. */
  alerts: Alert[];
  /** `firing` when any alert fires, else `resolved`. */
  status: 'firing' | 'resolved';
  /** Alerts left out by a receiver's max_alerts (0 when none). */
  truncatedAlerts?: number;
  /** Set on a rate-limit summary: the group keys whose held notifications it replaces. */
  summarizes?: string[];
  /** Set on an escalation: the receiver that was paged and did not acknowledge. */
  escalatedFrom?: string;
}

/** A silence (API / `nines silence`): mutes matching alerts in [startsAt, endsAt). */
export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/** A weekly recurring window: on `weekdays` (0 = Sunday) at local `startMinute` for `durationMs`. */
export interface WeeklySchedule {
  weekdays: number[];
  /** Minutes after local midnight in `timeZone`. */
  startMinute: number;
  durationMs: number;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
}

/** A maintenance window: one-off (`startsAt`/`endsAt`) or recurring (`schedule`). */
export interface MaintenanceWindow {
  name: string;
  /** Alerts matching all of these are muted while the window is open; empty matches everything. */
  matchers: Matcher[];
  startsAt?: number;
  endsAt?: number;
  schedule?: WeeklySchedule;
  /** Time inside the window is not counted against SLO error budgets. */
  excludeFromSlo: boolean;
}
