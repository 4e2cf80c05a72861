/**
 * The stream-back stage: once an attempt has its first token, the held frames go to the client
 * and the rest is piped chunk by chunk (with backpressure). A stream that breaks from here on
 * ends with an explicit OpenAI-style error event, never with a silent end.
 */
import { NinesError } from '../core/errors.ts';
import type { StartedStream } from './attempt.ts';
import { streamErrorFrame } from './errors.ts';
import type { Usage } from './providers/types.ts';
import type { HttpResponseLike } from './server/types.ts';

/** How a piped stream ended. */
export interface StreamEnd {
  /** True when the upstream's end marker was reached. */
  complete: boolean;
  usage: Usage | undefined;
  /** Set when the stream broke after its start (the client got an error event). */
  error?: NinesError;
  /** True when the client went away first (the upstream request was cancelled). */
  clientGone: boolean;
  /** The generated text, when asked to keep it. */
  text: string;
}

function write(res: HttpResponseLike, text: string | Buffer): Promise<void> | undefined {
  if (text.length === 0 || res.writableEnded || res.destroyed) return undefined;
  if (res.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Reads what follows the end marker so the upstream connection can be reused. */
async function drain(chunks: AsyncIterator<Buffer>): Promise<void> {
  try {
    while (!(await chunks.next()).done);
  } catch {
    // the connection is dropped; nothing was lost
  }
}

/** Writes the head and pipes the rest of `s` to `res`; `headers` are sent with the 200. */
export async function streamBack(
  res: HttpResponseLike,
  s: StartedStream,
  headers: Record<string, string>,
  keepText: boolean,
  headText: string,
): Promise<StreamEnd> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...headers,
  });
  const end: StreamEnd = {
    complete: s.done,
    usage: s.usage,
    clientGone: false,
    text: keepText ? headText : '',
  };
  await write(res, s.head);
  try {
    while (!end.complete) {
      const next = await s.chunks.next();
      if (next.done) {
        end.error = new NinesError('UPSTREAM', 'upstream stream ended before it was complete (truncated)', {
          retryable: false,
        });
        break;
      }
      const step = s.translator.push(next.value);
      if (step.usage) end.usage = step.usage;
      if (keepText) end.text += step.text;
      const pending = write(res, step.out);
      if (pending) await pending;
      if (step.error) {
        end.error = new NinesError('UPSTREAM', step.error, { retryable: false });
        break;
      }
      if (step.done) end.complete = true;
    }
  } catch (err) {
    if (res.destroyed || (res.writableEnded === false && res.socket === null)) end.clientGone = true;
    else {
      const reason = err instanceof NinesError ? err : undefined;
      const idle = (err as { code?: string }).code === 'BODY_TIMEOUT';
      end.error =
        reason ??
        new NinesError(
          idle ? 'TIMEOUT' : 'UPSTREAM',
          idle ? 'upstream stream went silent' : `upstream stream broke: ${(err as Error).message}`,
          {
            retryable: false,
          },
        );
    }
  }
  if (res.destroyed) end.clientGone = true;
  if (end.error || end.clientGone)
    s.call.abort(end.error ?? new NinesError('UNAVAILABLE', 'client went away'));
  if (end.error && !end.clientGone) await write(res, streamErrorFrame(end.error));
  if (!res.writableEnded && !res.destroyed) res.end();
  if (end.complete && !end.error) void drain(s.chunks);
  return end;
}
