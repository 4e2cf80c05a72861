/**
 * The contract between the sim's HTTP server and each wire protocol (OpenAI, Anthropic, KServe
 * v2). A protocol turns a parsed request into a `SimReply` synchronously and without I/O; the
 * server decides timing and faults and writes the bytes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimProviderConfig } from '../config/sim.ts';

/** One request as a protocol sees it. */
export interface SimCall {
  method: string;
  /** Path inside the provider, e.g. `/v1/chat/completions` (no query string). */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
}

/** What a protocol needs besides the request. */
export interface CallContext {
  provider: SimProviderConfig;
  /** Current time in ms (for `created` fields). */
  now: number;
  /** The fault profile asked for a wrong answer. */
  wrongAnswer: boolean;
  /** A short id unique within this server (`'1f'`). */
  nextId(): string;
}

/** A response to write: one JSON body, or a stream of server-sent-event frames. */
export type SimReply =
  | { type: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | {
      type: 'sse';
      /** Complete SSE frames (`'data: {...}\n\n'`), in order. */
      frames: string[];
      /** How many leading frames come before the first content chunk. */
      head: number;
      /** How many frames after the content chunks close the stream (finish, usage, [DONE]). */
      tail: number;
    };

/** One wire protocol. */
export interface SimProtocol {
  /** Checks credentials and required headers; returns the refusal, or undefined to go on. */
  checkAccess(call: SimCall, provider: SimProviderConfig): SimReply | undefined;
  /** Answers one request. */
  handle(call: SimCall, ctx: CallContext): SimReply;
  /** An error in this protocol's shape (OpenAI `{error:{...}}`, Anthropic `{type:'error',...}`). */
  errorReply(status: number, message: string, headers?: Record<string, string>): SimReply;
}

/** The bearer token of a request, if any. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(auth);
  return m?.[1]?.trim();
}

/** An SSE frame carrying one JSON `data:` line, optionally with an `event:` line. */
export function sseFrame(data: unknown, event?: string): string {
  const line = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
  return event === undefined ? line : `event: ${event}\n${line}`;
}

/** A JSON object view of an unknown body, or undefined if it is not a plain object. */
export function asObject(body: unknown): Record<string, unknown> | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/** The text of a chat message's `content`: a string, or the text parts of an array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        const p = asObject(part);
        return p && typeof p.text === 'string' ? p.text : '';
      })
      .join(' ');
  }
  return '';
}

/** A positive integer field, or undefined when absent or not a positive integer. */
export function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
