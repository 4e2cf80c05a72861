/**
 * The HTTP side of probing: one shared undici Agent (kept-alive connections, bounded connect
 * time), a request helper that measures time to first byte, a capped body reader that stops at
 * `maxBodyBytes` without buffering the rest, and strict UTF-8 / JSON decoding. Everything that
 * goes wrong becomes a `ProbeFailure` with an error class; sockets are destroyed on every path.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { ErrorClass } from '../store/types.ts';

/** A probe that went wrong in a known way; caught by runProbe and turned into a failed result. */
export class ProbeFailure extends Error {
  readonly errorClass: ErrorClass;
  readonly status: number | undefined;

  constructor(errorClass: ErrorClass, message: string, status?: number) {
    super(message);
    this.name = 'ProbeFailure';
    this.errorClass = errorClass;
    this.status = status;
  }
}

/** The shared connection pool for all HTTP probes: keep-alive reuse, 5 s connect timeout. */
export const probeAgent: Dispatcher = new Agent({
  connect: { timeout: 5_000 },
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 60_000,
  connections: 256,
  pipelining: 1,
});

/** Per-probe context: deadline signal, body cap, and the monotonic start for phase timings. */
export interface ProbeContext {
  signal: AbortSignal;
  /** True once the probe's own deadline (target.timeout) passed. */
  timedOut(): boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  /** performance.now() at probe start. */
  startedAt: number;
  dispatcher?: Dispatcher;
  /** Extra trusted CA certificates (PEM) for tls probes, e.g. a private CA. */
  ca?: string | Buffer;
}

/** One HTTP request to make. */
export interface HttpCall {
  url: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string;
}

/** A response whose headers arrived; the body is still a stream. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Dispatcher.ResponseData['body'];
  ttfbMs: number;
}

/** Milliseconds since the probe started (monotonic). */
export function elapsed(ctx: ProbeContext): number {
  return Math.round((performance.now() - ctx.startedAt) * 100) / 100;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/;

/** Maps a thrown network error (undici or node:net/tls) to an error class. */
export function classifyError(err: unknown, timedOut: boolean): ProbeFailure {
  if (err instanceof ProbeFailure) return err;
  if (timedOut) return new ProbeFailure('timeout', 'timed out');
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? '';
  const causeCode = e?.cause?.code ?? '';
  const message = e?.message ?? String(err);
  const any = (re: RegExp) => re.test(code) || re.test(causeCode);
  if (any(/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/)) return new ProbeFailure('dns', message);
  if (any(TLS_CODE)) return new ProbeFailure('tls', message);
  if (any(/^(UND_ERR_CONNECT_TIMEOUT)$/)) return new ProbeFailure('connect', 'connect timed out');
  if (any(/^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|ENETDOWN)$/))
    return new ProbeFailure('connect', message);
  if (any(/^(UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|ETIMEDOUT)$/))
    return new ProbeFailure('timeout', message);
  if (any(/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|ECONNABORTED)$/))
    return new ProbeFailure('reset', message);
  if (any(/^(HPE_|UND_ERR_INFO|UND_ERR_RES_CONTENT_LENGTH_MISMATCH)/))
    return new ProbeFailure('malformed', message);
  if (any(/^(UND_ERR_ABORTED|ABORT_ERR)$/) || (err as Error)?.name === 'AbortError') {
    return new ProbeFailure('internal', 'probe aborted');
  }
  return new ProbeFailure('internal', message);
}

/** Error class for a non-2xx HTTP status. */
export function statusClass(status: number): ErrorClass {
  if (status === 429) return 'http_429';
  if (status >= 500) return 'http_5xx';
  return 'http_4xx';
}

/** Sends a request and waits for the response headers; throws ProbeFailure. */
export async function sendRequest(call: HttpCall, ctx: ProbeContext): Promise<HttpResponse> {
  try {
    const res = await request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal: ctx.signal,
      dispatcher: ctx.dispatcher ?? probeAgent,
      headersTimeout: ctx.timeoutMs,
      bodyTimeout: ctx.timeoutMs,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    return { status: res.statusCode, headers, body: res.body, ttfbMs: elapsed(ctx) };
  } catch (err) {
    throw classifyError(err, ctx.timedOut());
  }
}

/** Throws the body away (to free the connection) and destroys it on any error. */
export function discardBody(res: HttpResponse): void {
  res.body.on('error', () => {});
  res.body.destroy();
}

/** Reads the whole body up to `maxBodyBytes`; beyond that, destroys the stream: too_large. */
export async function readBodyCapped(res: HttpResponse, ctx: ProbeContext): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > ctx.maxBodyBytes) {
    discardBody(res);
    throw new ProbeFailure(
      'too_large',
      `body of ${declared} bytes is over the ${ctx.maxBodyBytes}-byte limit`,
      res.status,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > ctx.maxBodyBytes) {
        discardBody(res);
        throw new ProbeFailure('too_large', `body is over the ${ctx.maxBodyBytes}-byte limit`, res.status);
      }
      chunks.push(buf);
    }
  } catch (err) {
    discardBody(res);
    throw classifyError(err, ctx.timedOut());
  }
  return Buffer.concat(chunks, size);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly: invalid bytes are a malformed response, not a crash or U+FFFD. */
export function decodeUtf8(buf: Uint8Array, status?: number): string {
  try {
    return strictUtf8.decode(buf);
  } catch {
    throw new ProbeFailure('malformed', 'response is not valid UTF-8', status);
  }
}

/** Deepest JSON nesting accepted; deeper documents are rejected before JSON.parse sees them. */
export const MAX_JSON_DEPTH = 200;

/** Nesting depth of a JSON text (strings skipped), stopping early once over `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Parses JSON defensively: too deep or invalid → ProbeFailure malformed. */
export function parseJson(text: string, status?: number): unknown {
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new ProbeFailure('malformed', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, status);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ProbeFailure('malformed', `invalid JSON: ${(err as Error).message.slice(0, 200)}`, status);
  }
}

/** When the status is not 2xx: reads a short snippet of the body and throws an http_* failure. */
export async function expectSuccess(res: HttpResponse, ctx: ProbeContext, what: string): Promise<void> {
  if (res.status >= 200 && res.status < 300) return;
  let snippet = '';
  try {
    const buf = await readBodyCapped(res, { ...ctx, maxBodyBytes: Math.min(ctx.maxBodyBytes, 64 * 1024) });
    snippet = buf.subarray(0, 300).toString('utf8').replace(/\s+/g, ' ').trim();
  } catch {
    discardBody(res);
  }
  const message = `${what}: HTTP ${res.status}${snippet ? ` ${snippet}` : ''}`;
  throw new ProbeFailure(statusClass(res.status), message, res.status);
}

/** POSTs a JSON body (with the target's headers) and returns the response with headers read. */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  ctx: ProbeContext,
): Promise<HttpResponse> {
  return sendRequest(
    {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    },
    ctx,
  );
}

/** Reads, strictly decodes and parses a JSON body (capped); every problem is a ProbeFailure. */
export async function readJson(
  res: HttpResponse,
  ctx: ProbeContext,
): Promise<{ raw: Buffer; json: unknown }> {
  const raw = await readBodyCapped(res, ctx);
  return { raw, json: parseJson(decodeUtf8(raw, res.status), res.status) };
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
