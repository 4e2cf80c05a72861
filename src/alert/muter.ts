/**
 * The one `Muter` predicate (Alertmanager `types.Muter`): silences, inhibition and maintenance
 * windows each answer "is this label set muted now, and why"; `combineMuters` asks them in turn
 * and `muteStage` turns any muter into a pipeline stage.
 */
import type { Stage } from './stage.ts';
import type { Labels } from './types.ts';

/** Why an alert is muted: which mechanism and which silence / rule / window. */
export interface MuteReason {
  by: 'silence' | 'inhibition' | 'maintenance' | 'time_interval';
  id: string;
}

/** Says whether a label set is muted at `now`. */
export interface Muter {
  mutes(labels: Labels, now: number): MuteReason | undefined;
}

/** A muter that mutes when any of `muters` does (the first reason wins). */
export function combineMuters(...muters: Muter[]): Muter {
  return {
    mutes(labels, now) {
      for (const m of muters) {
        const reason = m.mutes(labels, now);
        if (reason) return reason;
      }
      return undefined;
    },
  };
}

/** A stage that drops the alerts `muter` mutes (firing and resolved alike, as Alertmanager does). */
export function muteStage(muter: Muter): Stage {
  return (ctx, alerts) => alerts.filter((a) => !muter.mutes(a.labels, ctx.now));
}
