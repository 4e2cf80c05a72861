/**
 * Small HTTP helpers of the gateway edge (its own server's requests and node:http's alike): read a bounded body, send JSON, send the
 * OpenAI-style error for a NinesError (with Retry-After when known).
 */
import type { IncomingMessage } from 'node:http';
import { NinesError, toNinesError } from '../core/errors.ts';
import { toOpenAIError, type OpenAIErrorReply } from './errors.ts';
import type { BufferedBody, HttpRequestLike, HttpResponseLike } from './server/types.ts';

/**
 * Reads the request body, refusing more than `limit` bytes with PAYLOAD_TOO_LARGE. A request of
 * the gateway's own server carries its body already; a node:http one is read from its stream.
 */
export function readBody(req: HttpRequestLike, limit: number): Promise<Buffer> {
  const buffered = req as Partial<BufferedBody>;
  if (buffered.body !== undefined) {
    if (buffered.bodyError) return Promise.reject(buffered.bodyError);
    if (buffered.body.length > limit) {
      return Promise.reject(
        new NinesError(
          'PAYLOAD_TOO_LARGE',
          `request body of ${buffered.body.length} bytes is over the ${limit} byte limit`,
        ),
      );
    }
    return Promise.resolve(buffered.body);
  }
  return readStream(req as IncomingMessage, limit);
}

function readStream(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(
      new NinesError(
        'PAYLOAD_TOO_LARGE',
        `request body of ${declared} bytes is over the ${limit} byte limit`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new NinesError('PAYLOAD_TOO_LARGE', `request body is over the ${limit} byte limit`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete)
        reject(new NinesError('VALIDATION', 'the client closed the connection before the body was complete'));
    });
  });
}

/** Sends a JSON body (already serialised or not). */
export function sendJson(
  res: HttpResponseLike,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': text.length, ...headers });
  res.end(text);
}

/** Sends the OpenAI-style error for `err`; returns the reply (status and type, for records). */
export function sendError(res: HttpResponseLike, err: unknown): OpenAIErrorReply {
  const e = toNinesError(err);
  const reply = toOpenAIError(e);
  if (res.headersSent || res.destroyed) return reply;
  const headers: Record<string, string> = {};
  const after = e.details.retryAfterMs;
  if (typeof after === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(after / 1000)));
  if (reply.status === 413) headers.connection = 'close';
  sendJson(res, reply.status, reply.body, headers);
  return reply;
}
