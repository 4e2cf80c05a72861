/**
 * Pipelines are stages (DESIGN rule 4, Alertmanager `notify.MultiStage`): each stage takes the
 * alerts of one group flush for one receiver and returns those that go on; `sequence` stops as
 * soon as none remain.
 */
import type { Alert, Labels } from './types.ts';

/** What every stage knows about the flush it is part of. */
export interface FlushContext {
  now: number;
  receiver: string;
  groupKey: string;
  groupLabels: Labels;
  /** Repeat interval of the route, for dedup. */
  repeatIntervalMs: number;
  /** Whether the receiver wants resolved notifications. */
  sendResolved: boolean;
  /** The route's time intervals (names), for the time-interval stage. */
  activeTimeIntervals: readonly string[];
  muteTimeIntervals: readonly string[];
}

/** One step of the delivery pipeline. */
export type Stage = (ctx: FlushContext, alerts: Alert[]) => Alert[];

/** Composes stages left to right, stopping when a stage leaves no alerts. */
export function sequence(...stages: Stage[]): Stage {
  return (ctx, alerts) => {
    let rest = alerts;
    for (const stage of stages) {
      if (rest.length === 0) return rest;
      rest = stage(ctx, rest);
    }
    return rest;
  };
}
