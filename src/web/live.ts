/**
 * Live updates from the server: one EventSource on `/api/v1/stream` shared by every page.
 * Pages subscribe to named events; the connection state is shown in the header.
 */

type Listener = (data: unknown) => void;

const listeners = new Map<string, Set<Listener>>();
let source: EventSource | undefined;
const statusListeners = new Set<(connected: boolean) => void>();

/** Opens the stream (once); safe to call again. */
export function connectLive(): void {
  if (source) return;
  source = new EventSource('/api/v1/stream', { withCredentials: true });
  source.onopen = () => statusListeners.forEach((l) => l(true));
  source.onerror = () => statusListeners.forEach((l) => l(false));
  for (const type of ['result', 'state', 'alert', 'incident', 'breaker', 'silence']) {
    source.addEventListener(type, (e) => {
      let data: unknown;
      try {
        data = JSON.parse((e as MessageEvent<string>).data);
      } catch {
        return;
      }
      listeners.get(type)?.forEach((l) => l(data));
    });
  }
}

/** Closes the stream (logout). */
export function disconnectLive(): void {
  source?.close();
  source = undefined;
}

/** Subscribes to one event type; returns the unsubscribe function. */
export function onLive(type: string, listener: Listener): () => void {
  let set = listeners.get(type);
  if (!set) listeners.set(type, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/** Subscribes to connection state changes. */
export function onLiveStatus(listener: (connected: boolean) => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

const announcer: { el?: HTMLElement } = {};

/** Announces a change to screen readers (a polite live region). */
export function announce(text: string): void {
  announcer.el ??= document.getElementById('live-region') ?? undefined;
  if (announcer.el) announcer.el.textContent = text;
}
