/**
 * The routing tree with Alertmanager semantics: an alert descends into the first child route
 * whose matchers match, and on into later siblings only while the matched child has
 * `continue: true`; a route none of whose children match takes the alert itself. Children
 * inherit receiver, group_by and timings; time intervals are not inherited (as in Alertmanager).
 */
import type { RouteConfig } from '../config/alerting.ts';
import { formatLabels } from './fingerprint.ts';
import { formatMatchers, matchesAll } from './matchers.ts';
import type { Labels, Matcher } from './types.ts';

/** Alertmanager's defaults for the root route. */
export const ROUTE_DEFAULTS = {
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 4 * 3_600_000,
} as const;

/** A route with every inherited setting resolved. */
export interface RouteNode {
  /** Position in the tree: `0` for the root, `0.2.1` for routes[2].routes[1]. */
  id: string;
  /** Alertmanager-style key: `{}` for the root, then `/{matchers}` per level. */
  key: string;
  receiver: string;
  /** Label names to group by, or `all` for `group_by: ['...']`. */
  groupBy: string[] | 'all';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  matchers: Matcher[];
  continue: boolean;
  activeTimeIntervals: string[];
  muteTimeIntervals: string[];
  routes: RouteNode[];
}

/** Resolves inheritance over the configured tree (the config checks guarantee a root receiver). */
export function buildRouteTree(cfg: RouteConfig, parent?: RouteNode, index = 0): RouteNode {
  const groupBy = cfg.group_by ?? (parent ? parent.groupBy : []);
  const node: RouteNode = {
    id: parent ? `${parent.id}.${index}` : '0',
    key: parent ? `${parent.key}/${formatMatchers(cfg.matchers)}` : '{}',
    receiver: cfg.receiver ?? parent?.receiver ?? '',
    groupBy: Array.isArray(groupBy) && groupBy.includes('...') ? 'all' : groupBy,
    groupWaitMs: cfg.group_wait ?? parent?.groupWaitMs ?? ROUTE_DEFAULTS.groupWaitMs,
    groupIntervalMs: cfg.group_interval ?? parent?.groupIntervalMs ?? ROUTE_DEFAULTS.groupIntervalMs,
    repeatIntervalMs: cfg.repeat_interval ?? parent?.repeatIntervalMs ?? ROUTE_DEFAULTS.repeatIntervalMs,
    matchers: cfg.matchers,
    continue: cfg.continue,
    activeTimeIntervals: cfg.active_time_intervals,
    muteTimeIntervals: cfg.mute_time_intervals,
    routes: [],
  };
  const seenKeys = new Set<string>();
  node.routes = cfg.routes.map((child, i) => {
    const built = buildRouteTree(child, node, i);
    if (seenKeys.has(built.key)) built.key += `#${i}`;
    seenKeys.add(built.key);
    return built;
  });
  return node;
}

/** The routes an alert with `labels` is delivered to (Alertmanager `Route.Match`). */
export function matchRoutes(node: RouteNode, labels: Labels): RouteNode[] {
  if (!matchesAll(node.matchers, labels)) return [];
  const all: RouteNode[] = [];
  for (const child of node.routes) {
    const found = matchRoutes(child, labels);
    all.push(...found);
    if (found.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [node];
}

/** The labels that name an alert's group on `route` (only those the alert has). */
export function groupLabelsFor(route: RouteNode, labels: Labels): Labels {
  if (route.groupBy === 'all') return { ...labels };
  const out: Labels = {};
  for (const name of route.groupBy) if (labels[name] !== undefined) out[name] = labels[name];
  return out;
}

/** The aggregation group key: route key plus group labels, e.g. `{}/{severity="page"}:{provider="openai"}`. */
export function groupKeyFor(route: RouteNode, groupLabels: Labels): string {
  return `${route.key}:${formatLabels(groupLabels)}`;
}
