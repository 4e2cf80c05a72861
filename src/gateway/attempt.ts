/**
 * One upstream attempt: send the request to one deployment and classify what came back.
 * Non-streamed: the whole answer within the attempt deadline. Streamed: the head and the
 * frames up to the first content token within the first-token deadline; nothing has reached
 * the client yet, so every failure here can still fail over.
 */
import type { Dispatcher } from 'undici';
import { NinesError } from '../core/errors.ts';
import type { DeploymentRuntime } from './deployment.ts';
import type { Endpoint, StreamTranslator, Usage } from './providers/types.ts';

/** What the gateway asks of one attempt. */
export interface AttemptInput {
  endpoint: Endpoint;
  body: Record<string, unknown>;
  publicModel: string;
  stream: boolean;
  includeUsage: boolean;
  /** Streams: keep the generated text (the route records bodies). */
  keepText: boolean;
  /** Deadline for the head (and, non-streamed, the body), ms. */
  attemptMs: number;
  /** Streams: deadline for the first content token from the attempt's start, ms. */
  firstTokenMs: number;
  /** Streams: longest silence between chunks, ms. */
  idleMs: number;
  /** Aborted when the client goes away or the total deadline passes. */
  signal: AbortSignal;
  setTimer(ms: number, fn: () => void): { cancel(): void };
}

/** A started stream, held before anything was sent to the client. */
export interface StartedStream {
  /** Frames up to and including the first content token, in OpenAI shape. */
  head: string;
  done: boolean;
  usage: Usage | undefined;
  translator: StreamTranslator;
  chunks: AsyncIterator<Buffer>;
  /** Aborts the upstream request (client gone). */
  abort(reason: unknown): void;
}

/** How one attempt ended. */
export type AttemptOutcome =
  | { kind: 'json'; status: number; body: Buffer; usage: Usage }
  | { kind: 'stream'; stream: StartedStream }
  /** The client's own mistake, reported by the upstream: no retry. */
  | { kind: 'client-error'; status: number; message: string }
  /** Worth trying elsewhere; `verdict` tells the breaker whether this counts against the deployment. */
  | { kind: 'failure'; error: NinesError; verdict: 'failure' | 'neutral'; retryAfterMs?: number };

/** Statuses that are the client's own fault (passed through, never retried). */
function isClientError(status: number): boolean {
  return (
    status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 408 && status !== 429
  );
}

/** Retry-After as ms (`retry-after-ms`, seconds, or an HTTP date); undefined when absent or bad. */
export function retryAfterMs(headers: Dispatcher.ResponseData['headers'], now: number): number | undefined {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const v = headers['retry-after'];
  if (typeof v !== 'string') return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function failure(
  message: string,
  code: 'UPSTREAM' | 'TIMEOUT' | 'UNAVAILABLE',
  details: Record<string, unknown> = {},
): AttemptOutcome {
  return {
    kind: 'failure',
    error: new NinesError(code, message, { retryable: true, details }),
    verdict: 'failure',
  };
}

async function readAll(body: Dispatcher.ResponseData['body'], limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new NinesError('UPSTREAM', `upstream answer over ${limit} bytes`, { retryable: false });
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

const MAX_UPSTREAM_BODY = 64 * 1024 * 1024;

/** Classifies a thrown error of an attempt; rethrows when the request itself was aborted. */
function thrown(
  err: unknown,
  own: AbortController,
  input: AttemptInput,
  d: DeploymentRuntime,
): AttemptOutcome {
  if (input.signal.aborted) throw input.signal.reason;
  if (own.signal.aborted && own.signal.reason instanceof NinesError) {
    return { kind: 'failure', error: own.signal.reason, verdict: 'failure' };
  }
  if (err instanceof NinesError) return { kind: 'failure', error: err, verdict: 'failure' };
  const code = (err as { code?: string }).code ?? '';
  const name = (err as Error).name ?? '';
  const timeout = code.includes('TIMEOUT') || name.includes('Timeout');
  const msg = `${d.name}: ${timeout ? 'timed out' : 'connection failed'} (${code || name || String(err)})`;
  return failure(msg, timeout ? 'TIMEOUT' : 'UNAVAILABLE', { deployment: d.name });
}

/** Reads a stream until its first content token (or its end); throws what ends it early. */
async function startStream(
  d: DeploymentRuntime,
  input: AttemptInput,
  body: Dispatcher.ResponseData['body'],
  own: AbortController,
): Promise<AttemptOutcome> {
  const translator = d.adapter.stream(input.endpoint, input.publicModel, input.includeUsage, input.keepText);
  const chunks = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let head = '';
  let usage: Usage | undefined;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return failure(`${d.name}: stream ended before its first token`, 'UPSTREAM');
    const step = translator.push(next.value);
    if (step.error) return failure(`${d.name}: ${step.error}`, 'UPSTREAM');
    head += step.out;
    if (step.usage) usage = step.usage;
    if (step.content || step.done) {
      const stream: StartedStream = {
        head,
        done: step.done,
        usage,
        translator,
        chunks,
        abort: (r) => own.abort(r),
      };
      return { kind: 'stream', stream };
    }
  }
}

/** Runs one attempt against deployment `d`. Throws only when the request itself was aborted. */
export async function runAttempt(
  d: DeploymentRuntime,
  input: AttemptInput,
  now: number,
): Promise<AttemptOutcome> {
  let req;
  try {
    req = d.adapter.request(input.endpoint, input.body, d.config.model, d.provider);
  } catch (err) {
    if (err instanceof NinesError) return { kind: 'failure', error: err, verdict: 'neutral' };
    throw err;
  }
  const own = new AbortController();
  const onAbort = (): void => own.abort(input.signal.reason);
  input.signal.addEventListener('abort', onAbort, { once: true });
  const deadline = input.stream ? Math.min(input.attemptMs, input.firstTokenMs) : input.attemptMs;
  const what = input.stream ? 'first token' : 'answer';
  const timer = input.setTimer(deadline, () =>
    own.abort(new NinesError('TIMEOUT', `${d.name}: no ${what} within ${deadline} ms`, { retryable: true })),
  );
  let keep = false;
  try {
    const res = await d.pool.request({
      method: 'POST',
      path: req.path,
      headers: req.headers,
      body: req.body,
      signal: own.signal,
      headersTimeout: null,
      bodyTimeout: input.stream ? input.idleMs : null,
    });
    const status = res.statusCode;
    if (status < 200 || status >= 300) {
      const raw = await readAll(res.body, MAX_UPSTREAM_BODY);
      const message = d.adapter.errorMessage(raw) ?? `upstream answered ${status}`;
      if (isClientError(status)) return { kind: 'client-error', status, message };
      const after = retryAfterMs(res.headers, now);
      const code = status === 429 ? 'UPSTREAM' : status >= 500 ? 'UPSTREAM' : 'UNAVAILABLE';
      const error = new NinesError(code, `${d.name}: upstream answered ${status}: ${message}`, {
        retryable: true,
        details: { upstreamStatus: status },
      });
      const out: AttemptOutcome = { kind: 'failure', error, verdict: status === 429 ? 'neutral' : 'failure' };
      if (after !== undefined) out.retryAfterMs = after;
      return out;
    }
    if (!input.stream) {
      const raw = await readAll(res.body, MAX_UPSTREAM_BODY);
      const { body, usage } = d.adapter.response(input.endpoint, raw, input.publicModel);
      return { kind: 'json', status, body, usage };
    }
    const started = await startStream(d, input, res.body, own);
    if (started.kind === 'stream') keep = true;
    else res.body.destroy();
    return started;
  } catch (err) {
    return thrown(err, own, input, d);
  } finally {
    timer.cancel();
    if (!keep) input.signal.removeEventListener('abort', onAbort);
    else {
      // The listener stays until the stream ends; the stream phase removes nothing (once:true).
    }
  }
}
