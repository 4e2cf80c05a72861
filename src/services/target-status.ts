/**
 * The live view of every target: its config (without secrets), current state and last result.
 * Fed by the scheduler's results and state events; read by the API and the live stream.
 */
import type { Target } from '../config/resolve.ts';
import type { ProbeResult, StateEvent, Store, TargetState } from '../store/types.ts';
import type { TargetDirectory, TargetStatus } from '../api/services.ts';

/** Called with every change the tracker sees (for live updates). */
export type TargetStatusListener = (
  change: { kind: 'result'; result: ProbeResult } | { kind: 'event'; event: StateEvent },
) => void;

/** Hides credentials in a URL: user info and query values are replaced by `***`. */
export function maskUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    for (const key of [...u.searchParams.keys()]) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return raw;
  }
}

interface Entry {
  target: Target;
  state: TargetState;
  since?: number;
  lastResult?: ProbeResult;
}

/** Keeps the current state of each configured target. */
export class TargetStatusTracker implements TargetDirectory {
  private entries = new Map<string, Entry>();
  private listeners = new Set<TargetStatusListener>();

  constructor(targets: readonly Target[]) {
    this.setTargets(targets);
  }

  /** Replaces the target list (config reload), keeping the state of targets that remain. */
  setTargets(targets: readonly Target[]): void {
    const next = new Map<string, Entry>();
    for (const t of targets) {
      const prev = this.entries.get(t.name);
      next.set(t.name, prev ? { ...prev, target: t } : { target: t, state: 'unknown' });
    }
    this.entries = next;
  }

  /** Restores each target's last state and result from the store (at startup). */
  async restore(store: Store, now: number): Promise<void> {
    const events = await store.lastEventsBefore([...this.entries.keys()], now + 1);
    for (const e of this.entries.values()) {
      const ev = events.get(e.target.name);
      if (ev) {
        e.state = ev.to;
        e.since = ev.at;
      }
      const [last] = await store.queryResults({
        target: e.target.name,
        from: now - 86_400_000,
        to: now + 1,
        limit: 1,
        newestFirst: true,
      });
      if (last) e.lastResult = last;
    }
  }

  /** Records a probe result. */
  onResult(result: ProbeResult): void {
    const e = this.entries.get(result.target);
    if (!e) return;
    e.lastResult = result;
    for (const l of this.listeners) l({ kind: 'result', result });
  }

  /** Records a confirmed state change. */
  onEvent(event: StateEvent): void {
    const e = this.entries.get(event.target);
    if (!e) return;
    e.state = event.to;
    e.since = event.at;
    for (const l of this.listeners) l({ kind: 'event', event });
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: TargetStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The configured targets, in config order. */
  configured(): Target[] {
    return [...this.entries.values()].map((e) => e.target);
  }

  list(): TargetStatus[] {
    return [...this.entries.values()].map(view);
  }

  get(name: string): TargetStatus | undefined {
    const e = this.entries.get(name);
    return e && view(e);
  }
}

function view(e: Entry): TargetStatus {
  const t = e.target;
  return {
    name: t.name,
    kind: t.kind,
    url: maskUrl(t.url),
    ...(t.model ? { model: t.model } : {}),
    labels: t.labels,
    intervalMs: t.interval,
    timeoutMs: t.timeout,
    enabled: t.enabled,
    ...(t.publicName ? { publicName: t.publicName } : {}),
    state: e.state,
    ...(e.since !== undefined ? { since: e.since } : {}),
    ...(e.lastResult ? { lastResult: e.lastResult } : {}),
  };
}
