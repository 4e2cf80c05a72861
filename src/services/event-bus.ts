/**
 * An in-process publish/subscribe bus for live updates (target results and state changes,
 * alerts, incidents, breaker changes). Listeners must be quick; a throwing listener is isolated.
 */

/** One live event: a type name and a JSON-serialisable payload. */
export interface LiveEvent {
  type: string;
  data: unknown;
}

/** Fan-out of live events to subscribers. */
export class EventBus {
  private listeners = new Set<(e: LiveEvent) => void>();

  /** Sends an event to every subscriber. */
  publish(type: string, data: unknown): void {
    for (const l of this.listeners) {
      try {
        l({ type, data });
      } catch (err) {
        console.error('event-bus: listener failed', err);
      }
    }
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of current subscribers (for metrics and tests). */
  get size(): number {
    return this.listeners.size;
  }
}
