import { NinesError } from '../core/errors.ts';
import type { DeadlineTarget } from './deadlines.ts';

/** Told when a request is cancelled (an object, so the hot path needs no closure per attempt). */
export interface CancelListener {
  cancelled(reason: unknown): void;
}

/**
 * A request's cancellation (client gone, total deadline): what the attempt stage needs of an
 * AbortSignal (aborted, reason, listeners) without an EventTarget per request on the hot path.
 * It is its own total-deadline target. Usually one listener (the attempt in flight) is
 * registered at a time, so no array is allocated for it.
 */
export class Cancellation implements DeadlineTarget {
  aborted = false;
  reason: unknown = undefined;
  private first: CancelListener | undefined = undefined;
  private more: CancelListener[] | undefined = undefined;

  /** Cancels once; listeners run in the order they were added. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const { first, more } = this;
    this.first = this.more = undefined;
    first?.cancelled(reason);
    if (more) for (const l of more) l.cancelled(reason);
  }

  /** Tells `l` on abort (once). */
  onAbort(l: CancelListener): void {
    if (this.first === undefined && this.more === undefined) this.first = l;
    else (this.more ??= []).push(l);
  }

  /** Removes a listener added with `onAbort`. */
  off(l: CancelListener): void {
    if (this.first === l) {
      this.first = this.more?.shift();
      if (this.more?.length === 0) this.more = undefined;
      return;
    }
    const i = this.more?.indexOf(l) ?? -1;
    if (i !== -1) this.more!.splice(i, 1);
  }

  /** The request's total deadline passed. */
  onDeadline(ms: number): void {
    this.abort(
      new NinesError('TIMEOUT', `no answer within the total deadline of ${ms} ms`, { retryable: true }),
    );
  }
}
