/**
 * Aggregation groups (Alertmanager `aggrGroup`): alerts sharing a route and group labels are sent
 * together. A new group first flushes after `group_wait` (at once if an alert is already older
 * than that), then every `group_interval`; dedup decides whether a flush sends anything and
 * `repeat_interval` whether an unchanged group is re-sent. Resolved alerts leave after a flush.
 */
import { groupKeyFor, groupLabelsFor, type RouteNode } from './route.ts';
import type { Alert, Labels } from './types.ts';

/** One aggregation group (plain JSON). */
export interface AggrGroup {
  key: string;
  routeId: string;
  labels: Labels;
  alerts: Record<string, Alert>;
  nextFlushAt: number;
  hasFlushed: boolean;
}

/** Groups by key. */
export type GroupTable = Record<string, AggrGroup>;

/** Adds or updates `alert` in its group on `route`, creating the group (flush after group_wait). */
export function insertAlert(groups: GroupTable, route: RouteNode, alert: Alert, now: number): AggrGroup {
  const labels = groupLabelsFor(route, alert.labels);
  const key = groupKeyFor(route, labels);
  let g = groups[key];
  if (!g) {
    g = {
      key,
      routeId: route.id,
      labels,
      alerts: {},
      nextFlushAt: now + route.groupWaitMs,
      hasFlushed: false,
    };
    groups[key] = g;
  }
  g.alerts[alert.fingerprint] = alert;
  if (!g.hasFlushed && alert.startsAt + route.groupWaitMs < now) g.nextFlushAt = Math.min(g.nextFlushAt, now);
  return g;
}

/** Groups due to flush at `now`, earliest first. */
export function dueGroups(groups: GroupTable, now: number): AggrGroup[] {
  return Object.values(groups)
    .filter((g) => g.nextFlushAt <= now)
    .sort((a, b) => a.nextFlushAt - b.nextFlushAt || a.key.localeCompare(b.key));
}

/**
 * Bookkeeping after a flush of `flushed` at `now`: schedule the next flush after group_interval;
 * when delivery succeeded, drop the resolved alerts that were flushed (unless updated since);
 * drop the group when it is empty.
 */
export function afterFlush(
  groups: GroupTable,
  g: AggrGroup,
  route: RouteNode,
  flushed: Alert[],
  ok: boolean,
  now: number,
): void {
  g.hasFlushed = true;
  g.nextFlushAt = now + route.groupIntervalMs;
  if (ok) {
    for (const a of flushed) {
      if (a.state === 'resolved' && g.alerts[a.fingerprint] === a) delete g.alerts[a.fingerprint];
    }
  }
  if (Object.keys(g.alerts).length === 0) delete groups[g.key];
}
