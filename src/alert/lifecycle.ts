/**
 * The alert lifecycle as an explicit union with one transition function (DESIGN rule 5,
 * Prometheus rules/alerting.go): inactive → pending (condition true, waiting `for`) → firing →
 * resolved (condition false for `keep_firing_for`) → inactive.
 */

/** Where one alert instance is in its lifecycle, with the times the transitions happened. */
export type Lifecycle =
  | { state: 'inactive' }
  | { state: 'pending'; activeAt: number }
  | { state: 'firing'; activeAt: number; firedAt: number; lastActiveAt: number }
  | { state: 'resolved'; activeAt: number; firedAt: number; resolvedAt: number };

/** A rule's timing: how long the condition must hold before firing, and keep firing after it clears. */
export interface LifecycleTiming {
  forMs: number;
  keepFiringForMs: number;
}

/** The initial lifecycle of a new instance. */
export const INACTIVE: Lifecycle = { state: 'inactive' };

function activate(now: number, t: LifecycleTiming): Lifecycle {
  return t.forMs <= 0
    ? { state: 'firing', activeAt: now, firedAt: now, lastActiveAt: now }
    : { state: 'pending', activeAt: now };
}

/** The one transition function: the next lifecycle given whether the condition holds at `now`. */
export function transition(prev: Lifecycle, active: boolean, now: number, t: LifecycleTiming): Lifecycle {
  switch (prev.state) {
    case 'inactive':
    case 'resolved':
      return active ? activate(now, t) : INACTIVE;
    case 'pending':
      if (!active) return INACTIVE;
      return now - prev.activeAt >= t.forMs
        ? { state: 'firing', activeAt: prev.activeAt, firedAt: now, lastActiveAt: now }
        : prev;
    case 'firing':
      if (active) return { ...prev, lastActiveAt: now };
      return now - prev.lastActiveAt >= t.keepFiringForMs
        ? { state: 'resolved', activeAt: prev.activeAt, firedAt: prev.firedAt, resolvedAt: now }
        : prev;
  }
}

/** True while the condition counts as active (pending or firing): used for threshold hysteresis. */
export function isActive(l: Lifecycle): boolean {
  return l.state === 'pending' || l.state === 'firing';
}
