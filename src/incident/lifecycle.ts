/**
 * The one transition function of the incident lifecycle (DESIGN rule 5):
 * open → acknowledged → mitigated → resolved, with shortcuts forward and `reopen` back to open.
 */
import { NinesError } from '../core/errors.ts';
import type { Incident, IncidentAction, IncidentState } from './types.ts';

const ALLOWED: Record<IncidentAction, readonly IncidentState[]> = {
  acknowledge: ['open'],
  mitigate: ['open', 'acknowledged'],
  resolve: ['open', 'acknowledged', 'mitigated'],
  reopen: ['mitigated', 'resolved'],
};

const RESULT: Record<IncidentAction, IncidentState> = {
  acknowledge: 'acknowledged',
  mitigate: 'mitigated',
  resolve: 'resolved',
  reopen: 'open',
};

/** True when `action` is allowed from the incident's current state. */
export function canApply(state: IncidentState, action: IncidentAction): boolean {
  return ALLOWED[action].includes(state);
}

/**
 * Applies an action at `now` by `actor`; throws CONFLICT when the action does not apply to the
 * current state (e.g. acknowledging a resolved incident). Timestamps of earlier steps are kept;
 * skipping a step (resolving an open incident) also sets the acknowledgement time, so MTTA is
 * never undefined for a resolved incident.
 */
export function applyIncidentAction(
  incident: Incident,
  action: IncidentAction,
  now: number,
  actor: string,
): Incident {
  if (!canApply(incident.state, action)) {
    throw new NinesError('CONFLICT', `cannot ${action} incident ${incident.id}: it is ${incident.state}`, {
      details: { state: incident.state, action },
    });
  }
  const next: Incident = { ...incident, state: RESULT[action] };
  if (action === 'reopen') {
    delete next.resolvedAt;
    delete next.resolvedBy;
    delete next.mitigatedAt;
    return next;
  }
  if (next.acknowledgedAt === undefined) {
    next.acknowledgedAt = now;
    next.acknowledgedBy = actor;
  }
  if (action === 'mitigate' || action === 'resolve') next.mitigatedAt ??= now;
  if (action === 'resolve') {
    next.resolvedAt = now;
    next.resolvedBy = actor;
  }
  return next;
}
