/**
 * How observations map to table rows, shared by both backends: the common fields get columns
 * (so they can be filtered and indexed), the rest goes into one JSON `details` column.
 * Optional fields absent from an observation are absent (not `undefined`) when read back.
 */
import type {
  ErrorClass,
  ProbeOutcome,
  ProbeResult,
  RequestRecord,
  StateEvent,
  TargetState,
} from './types.ts';

/** A `probe_results` row as both drivers return it (numbers may come back as strings from pg). */
export interface ResultRow {
  target: string;
  at: number | string;
  outcome: string;
  latency_ms: number;
  status: number | null;
  error_class: string | null;
  error: string | null;
  location: string | null;
  details: string;
}

type ResultDetails = Pick<
  ProbeResult,
  'timings' | 'outputTokens' | 'tokensPerSec' | 'certDaysLeft' | 'assertions'
>;

/** The JSON `details` column of a probe result. */
export function resultDetails(r: ProbeResult): string {
  const d: ResultDetails = { timings: r.timings };
  if (r.outputTokens !== undefined) d.outputTokens = r.outputTokens;
  if (r.tokensPerSec !== undefined) d.tokensPerSec = r.tokensPerSec;
  if (r.certDaysLeft !== undefined) d.certDaysLeft = r.certDaysLeft;
  if (r.assertions !== undefined) d.assertions = r.assertions;
  return JSON.stringify(d);
}

/** Rebuilds a probe result from its row. */
export function resultFromRow(row: ResultRow): ProbeResult {
  const d = JSON.parse(row.details) as ResultDetails;
  const r: ProbeResult = {
    target: row.target,
    at: Number(row.at),
    outcome: row.outcome as ProbeOutcome,
    latencyMs: row.latency_ms,
    timings: d.timings,
  };
  if (row.status !== null) r.status = row.status;
  if (row.error_class !== null) r.errorClass = row.error_class as ErrorClass;
  if (row.error !== null) r.error = row.error;
  if (d.outputTokens !== undefined) r.outputTokens = d.outputTokens;
  if (d.tokensPerSec !== undefined) r.tokensPerSec = d.tokensPerSec;
  if (d.certDaysLeft !== undefined) r.certDaysLeft = d.certDaysLeft;
  if (d.assertions !== undefined) r.assertions = d.assertions;
  if (row.location !== null) r.location = row.location;
  return r;
}

/** A `state_events` row. */
export interface EventRow {
  target: string;
  at: number | string;
  from_state: string;
  to_state: string;
  reason: string;
}

/** Rebuilds a state event from its row. */
export function eventFromRow(row: EventRow): StateEvent {
  return {
    target: row.target,
    at: Number(row.at),
    from: row.from_state as TargetState,
    to: row.to_state as TargetState,
    reason: row.reason,
  };
}

/** A `request_records` row. */
export interface RequestRow {
  id: string;
  at: number | string;
  route: string;
  deployment: string | null;
  status: number;
  outcome: string;
  latency_ms: number;
  details: string;
}

const REQUEST_DETAIL_KEYS = [
  'keyId',
  'endpoint',
  'provider',
  'upstreamModel',
  'errorType',
  'ttftMs',
  'inputTokens',
  'outputTokens',
  'attempts',
  'failovers',
  'stream',
  'cached',
  'prompt',
  'answer',
] as const satisfies readonly (keyof RequestRecord)[];

/** The JSON `details` column of a request record (everything without its own column). */
export function requestDetails(r: RequestRecord): string {
  const d: Record<string, unknown> = {};
  for (const k of REQUEST_DETAIL_KEYS) if (r[k] !== undefined) d[k] = r[k];
  return JSON.stringify(d);
}

/** Rebuilds a request record from its row. */
export function requestFromRow(row: RequestRow): RequestRecord {
  const d = JSON.parse(row.details) as Partial<RequestRecord>;
  const r = {
    id: row.id,
    at: Number(row.at),
    route: row.route,
    status: row.status,
    outcome: row.outcome as RequestRecord['outcome'],
    latencyMs: row.latency_ms,
  } as RequestRecord;
  if (row.deployment !== null) r.deployment = row.deployment;
  Object.assign(r, d);
  return r;
}
