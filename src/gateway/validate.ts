/**
 * Request validation at the edge: the body must be a JSON object with the fields each endpoint
 * needs, of the right types; failures are VALIDATION errors naming the parameter.
 */
import { NinesError } from '../core/errors.ts';
import type { Endpoint } from './providers/types.ts';

function invalid(message: string, param: string): NinesError {
  return new NinesError('VALIDATION', message, { details: { param } });
}

/** Parses and checks a request body for `endpoint`; returns the object and its model. */
export function parseRequest(
  endpoint: Endpoint,
  raw: Buffer,
): { body: Record<string, unknown>; model: string } {
  if (raw.length === 0) throw invalid('the request body is empty; send a JSON object', 'body');
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw invalid(`the request body is not valid JSON: ${(err as Error).message}`, 'body');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('the request body must be a JSON object', 'body');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '')
    throw invalid('you must provide a model parameter (a string)', 'model');
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean')
    throw invalid("'stream' must be a boolean", 'stream');
  if (endpoint === 'chat') {
    if (!Array.isArray(b.messages) || b.messages.length === 0)
      throw invalid("'messages' must be a non-empty array", 'messages');
    b.messages.forEach((m, i) => {
      if (typeof m !== 'object' || m === null || typeof (m as { role?: unknown }).role !== 'string') {
        throw invalid(`'messages[${i}]' must be an object with a string 'role'`, `messages[${i}]`);
      }
    });
  } else if (endpoint === 'completions') {
    if (typeof b.prompt !== 'string' && !Array.isArray(b.prompt))
      throw invalid("'prompt' must be a string or an array", 'prompt');
  } else if (typeof b.input !== 'string' && !Array.isArray(b.input)) {
    throw invalid("'input' must be a string or an array", 'input');
  }
  if (b.stream === true && endpoint === 'embeddings')
    throw invalid('embeddings cannot be streamed', 'stream');
  for (const k of ['max_tokens', 'max_completion_tokens', 'n'] as const) {
    if (
      b[k] !== undefined &&
      b[k] !== null &&
      (typeof b[k] !== 'number' || !Number.isInteger(b[k]) || (b[k] as number) < 0)
    ) {
      throw invalid(`'${k}' must be a non-negative integer`, k);
    }
  }
  if (b.temperature !== undefined && b.temperature !== null && typeof b.temperature !== 'number') {
    throw invalid("'temperature' must be a number", 'temperature');
  }
  return { body: b, model: b.model };
}

/** The prompt text of a request (for records that keep bodies). */
export function promptText(endpoint: Endpoint, body: Record<string, unknown>): string {
  if (endpoint === 'chat') return JSON.stringify(body.messages);
  return typeof body.prompt === 'string'
    ? body.prompt
    : typeof body.input === 'string'
      ? body.input
      : JSON.stringify(body.prompt ?? body.input);
}

/** Replaces every match of the route's redaction patterns. */
export function redact(text: string, patterns: readonly RegExp[]): string {
  let out = text;
  for (const re of patterns) out = out.replace(re, '[redacted]');
  return out;
}
