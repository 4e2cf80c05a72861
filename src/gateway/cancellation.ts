/**
 * A request's cancellation (client gone, total deadline): what the attempt stage needs of an
 * AbortSignal (aborted, reason, listeners) without an EventTarget per request on the hot path.
 */
export class Cancellation {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] = [];

  /** Cancels once; listeners run in the order they were added. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const ls = this.listeners;
    this.listeners = [];
    for (const l of ls) l();
  }

  /** Calls `fn` on abort (once). */
  onAbort(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Removes a listener added with `onAbort`. */
  off(fn: () => void): void {
    const i = this.listeners.indexOf(fn);
    if (i !== -1) this.listeners.splice(i, 1);
  }
}
