/**
 * The contract between an upstream request and the connection that carries it. The handler
 * interface is the subset of undici's `DispatchHandler` that `UpstreamCall` implements, so the
 * same call object could be driven by either client.
 */

/** Receives one request's progress, in order: connect, headers, data…, then complete or error. */
export interface UpstreamHandler {
  /** The request is about to be written; `abort` cancels it (closing its connection). */
  onConnect(abort: (err?: Error) => void): void;
  /**
   * The response head. `rawHeaders` is a flat `[name, value, ...]` list; `resume` restarts a
   * body paused by returning false from `onData`. Returns false to pause.
   */
  onHeaders(status: number, rawHeaders: string[], resume: () => void): boolean;
  /** A body chunk; returning false pauses the socket until `resume` is called. */
  onData(chunk: Buffer): boolean;
  /** The body ended. */
  onComplete(): void;
  /** The request failed (connect, write, parse, timeout, abort); nothing follows. */
  onError(err: Error): void;
}

/** What to send upstream. */
export interface UpstreamRequestOptions {
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  /** Header fields; `host` and `content-length` are set by the client. */
  headers: Record<string, string>;
  body: string | Buffer;
  /** Longest pause between body bytes, from the response head on, ms; null or 0: none. */
  bodyTimeout?: number | null;
}

/** Anything a request can be dispatched on (an `UpstreamPool`). */
export interface UpstreamDispatcher {
  dispatch(opts: UpstreamRequestOptions, handler: UpstreamHandler): boolean;
}

/** A failure of the upstream connection, with a code callers classify by (`*TIMEOUT*`, `E*`). */
export class UpstreamSocketError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamSocketError';
  }
}

/** `[name, value, ...]` as an object with lower-case names; repeated names collect into arrays. */
export function parseRawHeaders(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  return out;
}
