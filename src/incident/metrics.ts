/** MTTA and MTTR over a set of incidents: pure functions of their timestamps. */
import type { Incident } from './types.ts';

/** Mean time to acknowledge, ms, over incidents that were acknowledged (null when none). */
export function mtta(incidents: readonly Incident[]): number | null {
  const d = incidents
    .filter((i) => i.acknowledgedAt !== undefined)
    .map((i) => i.acknowledgedAt! - i.openedAt);
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : null;
}

/** Mean time to resolve, ms, over resolved incidents (null when none). */
export function mttr(incidents: readonly Incident[]): number | null {
  const d = incidents.filter((i) => i.resolvedAt !== undefined).map((i) => i.resolvedAt! - i.openedAt);
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : null;
}

/** Time to acknowledge and to resolve of one incident, ms (null while not reached). */
export function incidentDurations(i: Incident): { ttaMs: number | null; ttrMs: number | null } {
  return {
    ttaMs: i.acknowledgedAt !== undefined ? i.acknowledgedAt - i.openedAt : null,
    ttrMs: i.resolvedAt !== undefined ? i.resolvedAt - i.openedAt : null,
  };
}
