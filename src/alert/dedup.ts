/**
 * Dedup (Alertmanager `DedupStage` and the notification log): a group's state is sent to a
 * receiver only when something new fires, something resolves (with send_resolved), everything
 * resolved, or the repeat interval has passed since the last send.
 */
import type { FlushContext, Stage } from './stage.ts';
import type { Alert } from './types.ts';

/** What was last sent for one group to one receiver. */
export interface SentEntry {
  firing: string[];
  resolved: string[];
  at: number;
}

/** The notification log: `groupKey|receiver` → last sent entry (plain JSON). */
export type NotificationLog = Record<string, SentEntry>;

/** The log key of a group and receiver. */
export function logKey(groupKey: string, receiver: string): string {
  return `${groupKey}|${receiver}`;
}

function split(alerts: Alert[]): { firing: Set<string>; resolved: Set<string> } {
  const firing = new Set<string>();
  const resolved = new Set<string>();
  for (const a of alerts) (a.state === 'firing' ? firing : resolved).add(a.fingerprint);
  return { firing, resolved };
}

const subset = (a: Set<string>, of: string[]): boolean => {
  const s = new Set(of);
  return [...a].every((x) => s.has(x));
};

/** Alertmanager's `needsUpdate`, decision for decision. */
export function needsUpdate(entry: SentEntry | undefined, alerts: Alert[], ctx: FlushContext): boolean {
  const { firing, resolved } = split(alerts);
  if (!entry) return firing.size > 0;
  if (!subset(firing, entry.firing)) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  if (ctx.sendResolved && !subset(resolved, entry.resolved)) return true;
  return entry.at <= ctx.now - ctx.repeatIntervalMs;
}

/** The dedup stage: passes the alerts on only when the receiver needs an update. */
export function dedupStage(log: NotificationLog): Stage {
  return (ctx, alerts) => (needsUpdate(log[logKey(ctx.groupKey, ctx.receiver)], alerts, ctx) ? alerts : []);
}

/** Records what was sent (Alertmanager `SetNotifiesStage`); runs after a successful send. */
export function recordSentStage(log: NotificationLog): Stage {
  return (ctx, alerts) => {
    const { firing, resolved } = split(alerts);
    log[logKey(ctx.groupKey, ctx.receiver)] = { firing: [...firing], resolved: [...resolved], at: ctx.now };
    return alerts;
  };
}
