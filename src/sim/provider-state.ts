/**
 * The runtime state of one simulated provider: its config, its protocol, the faults in force
 * (changeable while the server runs) and its request counters.
 */
import { NinesError } from '../core/errors.ts';
import { anthropicProtocol } from './anthropic.ts';
import {
  activeScheduledFaults,
  effectiveProfile,
  toMs,
  type FaultDecision,
  type FaultState,
  type ResolvedProfile,
} from './faults.ts';
import { kserveProtocol } from './kserve.ts';
import { openaiProtocol } from './openai.ts';
import type { SimProtocol } from './protocol.ts';
import {
  faultProfileSchema,
  type FaultProfile,
  type SimProviderConfig,
  type SimProviderKind,
} from '../config/sim.ts';

const PROTOCOLS: Record<SimProviderKind, SimProtocol> = {
  openai: openaiProtocol,
  anthropic: anthropicProtocol,
  kserve: kserveProtocol,
};

/** Request counters of one provider. */
export interface ProviderStats {
  /** Requests received (including refused and hung ones). */
  requests: number;
  /** Responses by HTTP status (`'200'`, `'503'`…). */
  byStatus: Record<string, number>;
  /** Injected faults by kind: refuse, reset, hang, rateLimited, error, stall, truncate, malformed, wrongAnswer. */
  faults: Record<string, number>;
}

/** What the control endpoint shows about a provider's faults. */
export interface ProviderFaultsView {
  name: string;
  kind: SimProviderKind;
  /** The base profile (from config or the last `setFaults`). */
  faults: FaultProfile;
  /** What applies right now: base, degradation and active schedule windows combined. */
  effective: ResolvedProfile;
  /** Schedule windows in force now. */
  activeSchedule: { label?: string; since: string; until: string }[];
}

/** Validates a fault profile from the outside world; throws VALIDATION with the field path. */
export function parseFaultProfile(input: unknown): FaultProfile {
  const parsed = faultProfileSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.length ? issue.path.join('.') : '(root)';
  throw new NinesError('VALIDATION', `faults.${path}: ${issue.message}`, { details: { path: issue.path } });
}

/** One provider while the server runs. */
export class ProviderState {
  readonly protocol: SimProtocol;
  readonly fault: FaultState;
  readonly counters: ProviderStats = { requests: 0, byStatus: {}, faults: {} };

  constructor(
    readonly config: SimProviderConfig,
    startedAt: number,
  ) {
    this.protocol = PROTOCOLS[config.kind];
    this.fault = {
      base: config.faults ?? {},
      baseSince: startedAt,
      schedule: config.schedule ?? [],
      startedAt,
    };
    if (config.scheduleEvery !== undefined) this.fault.scheduleEveryMs = toMs(config.scheduleEvery);
  }

  /** Replaces the base fault profile; degradation ramps restart at `now`. */
  setFaults(faults: FaultProfile, now: number): void {
    this.fault.base = faults;
    this.fault.baseSince = now;
  }

  /** The profile in force at `now`. */
  effective(now: number): ResolvedProfile {
    return effectiveProfile(this.fault, now);
  }

  /** Counts one injected fault of `kind`. */
  countFault(kind: string): void {
    this.counters.faults[kind] = (this.counters.faults[kind] ?? 0) + 1;
  }

  /** Counts the faults a decision carries. */
  countDecision(decision: FaultDecision): void {
    if (decision.kind !== 'serve') return this.countFault(decision.kind);
    if (decision.stallAfter !== undefined) this.countFault('stall');
    else if (decision.truncateAfter !== undefined) this.countFault('truncate');
    if (decision.malformed) this.countFault('malformed');
    if (decision.wrongAnswer) this.countFault('wrongAnswer');
  }

  /** Counts one response status. */
  countStatus(status: number): void {
    const key = String(status);
    this.counters.byStatus[key] = (this.counters.byStatus[key] ?? 0) + 1;
  }

  /** A snapshot for the control endpoint. */
  view(now: number): ProviderFaultsView {
    const active = activeScheduledFaults(
      this.fault.schedule,
      this.fault.startedAt,
      this.fault.scheduleEveryMs,
      now,
    );
    return {
      name: this.config.name,
      kind: this.config.kind,
      faults: this.fault.base,
      effective: this.effective(now),
      activeSchedule: active.map(({ entry, since }) => {
        const window: { label?: string; since: string; until: string } = {
          since: new Date(since).toISOString(),
          until: new Date(since + toMs(entry.for)).toISOString(),
        };
        if (entry.label !== undefined) window.label = entry.label;
        return window;
      }),
    };
  }

  /** A copy of the counters. */
  stats(): ProviderStats {
    return structuredClone(this.counters);
  }
}
