/**
 * Escalation: a page (a firing notification to a receiver with an escalation policy) that is not
 * acknowledged within `after` is re-sent to `escalate_to`; when the group resolves, the escalation
 * receiver hears that too. Acknowledgement comes from an `isAcknowledged(groupKey)` passed in.
 */
import type { FlushContext, Stage } from './stage.ts';
import type { Alert } from './types.ts';

/** An escalation policy with its wait in ms. */
export interface EscalationPolicy {
  receiver: string;
  afterMs: number;
  escalateTo: string;
}

/** One page being watched for acknowledgement. */
export interface EscalationEntry {
  ctx: FlushContext;
  alerts: Alert[];
  since: number;
  /** Set once escalated (or acknowledged, when `escalatedTo` stays unset). */
  done: boolean;
  escalatedTo?: string;
  /** Set when the paged group resolved after escalating; the escalation receiver is told. */
  resolvedAt?: number;
}

/** Watched pages by `groupKey|receiver` (plain JSON). */
export type EscalationState = Record<string, EscalationEntry>;

/** Tracks pages after they are sent: starts the clock on the first firing send, notes resolution. */
export function escalateTrackStage(
  state: EscalationState,
  policyOf: (receiver: string) => EscalationPolicy | undefined,
): Stage {
  return (ctx, alerts) => {
    if (!policyOf(ctx.receiver)) return alerts;
    const key = `${ctx.groupKey}|${ctx.receiver}`;
    const entry = state[key];
    const firing = alerts.some((a) => a.state === 'firing');
    if (!firing) {
      if (entry?.escalatedTo) state[key] = { ...entry, alerts, resolvedAt: ctx.now };
      else delete state[key];
    } else if (!entry || entry.resolvedAt !== undefined) {
      state[key] = { ctx, alerts, since: ctx.now, done: false };
    } else {
      entry.alerts = alerts;
    }
    return alerts;
  };
}

/** A due action: escalate a page, or tell the escalation receiver that it resolved. */
export interface EscalationAction {
  kind: 'escalate' | 'resolved';
  entry: EscalationEntry;
  to: string;
}

/** Finds pages unacknowledged for their policy's wait (marking them done) and resolved escalations. */
export function dueEscalations(
  state: EscalationState,
  policyOf: (receiver: string) => EscalationPolicy | undefined,
  isAcknowledged: (groupKey: string) => boolean,
  now: number,
): EscalationAction[] {
  const out: EscalationAction[] = [];
  for (const [key, entry] of Object.entries(state)) {
    if (entry.resolvedAt !== undefined) {
      out.push({ kind: 'resolved', entry, to: entry.escalatedTo! });
      delete state[key];
      continue;
    }
    const policy = policyOf(entry.ctx.receiver);
    if (entry.done || !policy) continue;
    if (isAcknowledged(entry.ctx.groupKey)) {
      entry.done = true;
    } else if (now - entry.since >= policy.afterMs) {
      entry.done = true;
      entry.escalatedTo = policy.escalateTo;
      out.push({ kind: 'escalate', entry, to: policy.escalateTo });
    }
  }
  return out;
}
