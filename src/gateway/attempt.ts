/**
 * One upstream attempt: send the request to one deployment and classify what came back.
 * Non-streamed: the whole answer within the attempt deadline. Streamed: the head and the
 * frames up to the first content token within the first-token deadline; nothing has reached
 * the client yet, so every failure here can still fail over.
 */
import { NinesError } from '../core/errors.ts';
import type { Cancellation } from './cancellation.ts';
import type { Deadlines } from './deadlines.ts';
import type { DeploymentRuntime } from './deployment.ts';
import type { Endpoint, StreamTranslator, Usage } from './providers/types.ts';
import { UpstreamCall } from './upstream-call.ts';

/** What the gateway asks of one attempt. */
export interface AttemptInput {
  endpoint: Endpoint;
  body: Record<string, unknown>;
  /** The client's request body as received (sent on unchanged when no translation is needed). */
  raw: Buffer;
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
  signal: Cancellation;
  /** Where the attempt deadline is kept. */
  deadlines: Deadlines;
}

/** A started stream, held before anything was sent to the client. */
export interface StartedStream {
  /** Frames up to and including the first content token, in OpenAI shape. */
  head: string | Buffer;
  done: boolean;
  usage: Usage | undefined;
  translator: StreamTranslator;
  chunks: AsyncIterator<Buffer>;
  /** The upstream request (`abort` it when the client is gone). */
  call: UpstreamCall;
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
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now: number,
): number | undefined {
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

const MAX_UPSTREAM_BODY = 64 * 1024 * 1024;

/** Classifies a thrown error of an attempt; rethrows when the request itself was aborted. */
function thrown(err: unknown, call: UpstreamCall, input: AttemptInput, d: DeploymentRuntime): AttemptOutcome {
  if (input.signal.aborted) throw input.signal.reason;
  if (call.abortReason instanceof NinesError) {
    return { kind: 'failure', error: call.abortReason, verdict: 'failure' };
  }
  if (err instanceof NinesError) return { kind: 'failure', error: err, verdict: 'failure' };
  const code = (err as { code?: string }).code ?? '';
  const name = (err as Error).name ?? '';
  const timeout = code.includes('TIMEOUT') || name.includes('Timeout');
  // A proxy's refusal names the proxy (host:port, never its credentials) and its status line.
  const detail = code.startsWith('PROXY') ? `: ${(err as Error).message}` : '';
  const msg = `${d.name}: ${timeout ? 'timed out' : 'connection failed'} (${code || name || String(err)}${detail})`;
  return failure(msg, timeout ? 'TIMEOUT' : 'UNAVAILABLE', { deployment: d.name });
}

/** Reads a stream until its first content token (or its end); throws what ends it early. */
async function startStream(
  d: DeploymentRuntime,
  input: AttemptInput,
  call: UpstreamCall,
): Promise<AttemptOutcome> {
  const translator = d.adapter.stream(
    input.endpoint,
    input.publicModel,
    input.includeUsage,
    input.keepText,
    input.body,
  );
  const chunks = call;
  const head: (string | Buffer)[] = [];
  let usage: Usage | undefined;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return failure(`${d.name}: stream ended before its first token`, 'UPSTREAM');
    const step = translator.push(next.value);
    if (step.error) return failure(`${d.name}: ${step.error}`, 'UPSTREAM');
    if (step.out.length > 0) head.push(step.out);
    if (step.usage) usage = step.usage;
    if (step.content || step.done) {
      const stream: StartedStream = {
        head:
          head.length === 1
            ? head[0]!
            : Buffer.concat(head.map((h) => (typeof h === 'string' ? Buffer.from(h) : h))),
        done: step.done,
        usage,
        translator,
        chunks,
        call,
      };
      return { kind: 'stream', stream };
    }
  }
}

/**
 * Runs one attempt against deployment `d`, within `left` ms of the total deadline. Throws only
 * when the request itself was aborted.
 */
export async function runAttempt(
  d: DeploymentRuntime,
  input: AttemptInput,
  now: number,
  left: number,
): Promise<AttemptOutcome> {
  let req;
  try {
    req = d.adapter.request(input.endpoint, input.body, d.config.model, d.provider, input.raw);
  } catch (err) {
    if (err instanceof NinesError) return { kind: 'failure', error: err, verdict: 'neutral' };
    throw err;
  }
  const { stream } = input;
  const call = new UpstreamCall(MAX_UPSTREAM_BODY, `${d.name}: no ${stream ? 'first token' : 'answer'}`);
  input.signal.onAbort(call);
  const ms = Math.min(stream ? Math.min(input.attemptMs, input.firstTokenMs) : input.attemptMs, left);
  const deadline = input.deadlines.add(ms, call);
  let keep = false;
  try {
    const opts = {
      method: 'POST',
      path: req.path,
      headers: req.headers,
      body: req.body,
      bodyTimeout: stream ? input.idleMs : null,
    };
    if (!stream) {
      // Non-streamed: one promise for the whole answer; the status decides what it is.
      const raw = await call.fetch(d.pool, opts);
      const status = call.status;
      if (status >= 200 && status < 300) {
        const { body, usage } = d.adapter.response(input.endpoint, raw, input.publicModel, input.body);
        return { kind: 'json', status, body, usage };
      }
      return failed(d, call, raw, now);
    }
    await call.start(d.pool, opts);
    const status = call.status;
    if (status < 200 || status >= 300) return failed(d, call, await call.readAll(), now);
    const started = await startStream(d, input, call);
    if (started.kind === 'stream') keep = true;
    else call.abort(new NinesError('UNAVAILABLE', 'attempt abandoned'));
    return started;
  } catch (err) {
    return thrown(err, call, input, d);
  } finally {
    input.deadlines.cancel(deadline);
    // A started stream keeps the listener until the request ends (it is registered once).
    if (!keep) input.signal.off(call);
  }
}

/** Classifies a non-2xx answer: the client's own 4xx, or a failure worth trying elsewhere. */
function failed(d: DeploymentRuntime, call: UpstreamCall, raw: Buffer, now: number): AttemptOutcome {
  const status = call.status;
  const message = d.adapter.errorMessage(raw) ?? `upstream answered ${status}`;
  if (isClientError(status)) return { kind: 'client-error', status, message };
  const after = retryAfterMs(call.headers(), now);
  const code = status === 429 ? 'UPSTREAM' : status >= 500 ? 'UPSTREAM' : 'UNAVAILABLE';
  const error = new NinesError(code, `${d.name}: upstream answered ${status}: ${message}`, {
    retryable: true,
    details: { upstreamStatus: status },
  });
  const out: AttemptOutcome = { kind: 'failure', error, verdict: status === 429 ? 'neutral' : 'failure' };
  if (after !== undefined) out.retryAfterMs = after;
  return out;
}
