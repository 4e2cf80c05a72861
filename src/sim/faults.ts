/**
 * Pure fault logic: which faults are in force at a given time (base profile, degradation ramps,
 * scripted schedule windows) and what one request suffers. No I/O, no clock: `now` and the
 * random source are passed in, so every decision is reproducible in tests.
 */
import { parseDuration } from '../core/duration.ts';
import { sampleLatencyMs, type RandomSource } from './random.ts';
import type { FaultProfile, ScheduledFault, SimDuration, StreamCut } from '../config/sim.ts';

/** Converts a config duration (`'2m'` or ms) to milliseconds. */
export function toMs(d: SimDuration): number {
  return typeof d === 'number' ? d : parseDuration(d);
}

/** A fault profile with its degradation ramp resolved at one instant. */
export type ResolvedProfile = Omit<FaultProfile, 'degrade'> & {
  /** Latency added by degradation ramps, in ms. */
  extraLatencyMs?: number;
};

/** The fault state of one provider: its base profile and its scripted schedule. */
export interface FaultState {
  /** Faults set in config or at runtime. */
  base: FaultProfile;
  /** When `base` was set (start of its degradation ramp), ms since epoch. */
  baseSince: number;
  schedule: ScheduledFault[];
  /** Period of the schedule in ms, if it repeats. */
  scheduleEveryMs?: number;
  /** Server start: schedule times are relative to it. */
  startedAt: number;
}

/** A schedule entry in force now, with the instant its window opened. */
export interface ActiveScheduledFault {
  entry: ScheduledFault;
  since: number;
}

/** The schedule entries whose window contains `now` (windows are [at, at+for)). */
export function activeScheduledFaults(
  schedule: readonly ScheduledFault[],
  startedAt: number,
  everyMs: number | undefined,
  now: number,
): ActiveScheduledFault[] {
  const elapsed = now - startedAt;
  if (elapsed < 0 || schedule.length === 0) return [];
  const active: ActiveScheduledFault[] = [];
  for (const entry of schedule) {
    const at = toMs(entry.at);
    const len = toMs(entry.for);
    if (everyMs === undefined || everyMs <= 0) {
      if (elapsed >= at && elapsed < at + len) active.push({ entry, since: startedAt + at });
      continue;
    }
    const cycleStart = elapsed - (elapsed % everyMs);
    // The window of this cycle, or of the previous one if it runs over the cycle boundary.
    for (const base of [cycleStart, cycleStart - everyMs]) {
      if (base < 0) continue;
      const from = base + at;
      if (elapsed >= from && elapsed < from + len) {
        active.push({ entry, since: startedAt + from });
        break;
      }
    }
  }
  return active;
}

/** Resolves a profile's degradation ramp at `now`, given when the profile took effect. */
export function resolveDegradation(profile: FaultProfile, since: number, now: number): ResolvedProfile {
  const { degrade, ...rest } = profile;
  if (!degrade) return rest;
  const start = since + (degrade.startAt === undefined ? 0 : toMs(degrade.startAt));
  const over = toMs(degrade.over);
  const progress = now < start ? 0 : over <= 0 ? 1 : Math.min(1, (now - start) / over);
  const out: ResolvedProfile = { ...rest };
  if (degrade.latencyMs !== undefined) out.extraLatencyMs = degrade.latencyMs * progress;
  if (degrade.errorRate !== undefined)
    out.errorRate = Math.max(rest.errorRate ?? 0, degrade.errorRate * progress);
  return out;
}

/** Lays `top` over `bottom`: fields set in `top` win; degradation latencies add up. */
export function overlayProfiles(bottom: ResolvedProfile, top: ResolvedProfile): ResolvedProfile {
  const out: ResolvedProfile = { ...bottom, ...top };
  const extra = (bottom.extraLatencyMs ?? 0) + (top.extraLatencyMs ?? 0);
  if (extra > 0) out.extraLatencyMs = extra;
  return out;
}

/** The faults in force at `now`: the base profile with every active schedule window over it. */
export function effectiveProfile(state: FaultState, now: number): ResolvedProfile {
  let profile = resolveDegradation(state.base, state.baseSince, now);
  for (const active of activeScheduledFaults(state.schedule, state.startedAt, state.scheduleEveryMs, now)) {
    profile = overlayProfiles(profile, resolveDegradation(active.entry.fault, active.since, now));
  }
  return profile;
}

/** What happens to one request. */
export type FaultDecision =
  | { kind: 'refuse' }
  | { kind: 'hang' }
  | { kind: 'reset'; delayMs: number }
  | { kind: 'rateLimited'; delayMs: number; retryAfterS: number }
  | { kind: 'error'; delayMs: number; status: number }
  | {
      kind: 'serve';
      delayMs: number;
      ttftMs: number;
      interChunkMs: number;
      /** Stop sending (keep the connection open) after this many content chunks. */
      stallAfter?: number;
      /** End the response after this many content chunks, without the closing frames. */
      truncateAfter?: number;
      wrongAnswer: boolean;
      malformed: boolean;
    };

function hit(rate: number | undefined, random: RandomSource): boolean {
  if (rate === undefined || rate <= 0) return false;
  if (rate >= 1) return true;
  return random() < rate;
}

function cut(spec: StreamCut | undefined, random: RandomSource): number | undefined {
  if (!spec) return undefined;
  return hit(spec.rate ?? 1, random) ? spec.afterChunks : undefined;
}

/** Decides the fate of one request under `profile`, drawing from `random` only as needed. */
export function decideFault(profile: ResolvedProfile, random: RandomSource): FaultDecision {
  if (profile.down === 'refuse') return { kind: 'refuse' };
  if (profile.down === 'hang') return { kind: 'hang' };
  const delayMs = sampleLatencyMs(profile.latency, random) + (profile.extraLatencyMs ?? 0);
  if (profile.down === 'reset') return { kind: 'reset', delayMs };
  if (profile.rateLimit && hit(profile.rateLimit.rate ?? 1, random)) {
    return { kind: 'rateLimited', delayMs, retryAfterS: profile.rateLimit.retryAfterS ?? 1 };
  }
  if (hit(profile.errorRate, random)) {
    const statuses = profile.errorStatuses ?? [500];
    const status = statuses.length === 1 ? statuses[0]! : statuses[Math.floor(random() * statuses.length)]!;
    return { kind: 'error', delayMs, status };
  }
  const decision: FaultDecision = {
    kind: 'serve',
    delayMs,
    ttftMs: profile.ttftMs ?? 0,
    interChunkMs: profile.interChunkMs ?? 0,
    wrongAnswer: hit(profile.wrongAnswerRate, random),
    malformed: hit(profile.malformedRate, random),
  };
  const stallAfter = cut(profile.stall, random);
  if (stallAfter !== undefined) decision.stallAfter = stallAfter;
  const truncateAfter = cut(profile.truncate, random);
  if (truncateAfter !== undefined) decision.truncateAfter = truncateAfter;
  return decision;
}
