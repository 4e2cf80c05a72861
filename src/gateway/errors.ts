/**
 * The gateway's one error edge (DESIGN rule 7): a NinesError code becomes an HTTP status and an
 * OpenAI-style body `{error:{message,type,param,code}}`, the shape the openai client parses.
 */
import type { NinesError } from '../core/errors.ts';
import { HTTP_STATUS_BY_CODE, type ErrorCode } from '../core/errors.ts';

const TYPES: Record<ErrorCode, string> = {
  VALIDATION: 'invalid_request_error',
  NOT_FOUND: 'invalid_request_error',
  CONFLICT: 'invalid_request_error',
  UNAUTHORIZED: 'authentication_error',
  FORBIDDEN: 'permission_error',
  RATE_LIMITED: 'rate_limit_error',
  PAYLOAD_TOO_LARGE: 'invalid_request_error',
  UPSTREAM: 'api_error',
  TIMEOUT: 'api_error',
  UNAVAILABLE: 'api_error',
  INTERNAL: 'api_error',
};

const CODES: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: 'invalid_api_key',
  RATE_LIMITED: 'rate_limit_exceeded',
  PAYLOAD_TOO_LARGE: 'request_too_large',
  TIMEOUT: 'timeout',
  UNAVAILABLE: 'no_healthy_deployment',
  UPSTREAM: 'upstream_error',
};

/** An OpenAI-style error body, plus the status and the `type` (kept for records). */
export interface OpenAIErrorReply {
  status: number;
  type: string;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}

/** Translates a NinesError to the OpenAI error reply (details.status overrides the status, details.code the code). */
export function toOpenAIError(err: NinesError): OpenAIErrorReply {
  const status = typeof err.details.status === 'number' ? err.details.status : HTTP_STATUS_BY_CODE[err.code];
  const type = TYPES[err.code];
  const code = typeof err.details.code === 'string' ? err.details.code : (CODES[err.code] ?? null);
  const param = typeof err.details.param === 'string' ? err.details.param : null;
  return { status, type, body: { error: { message: err.message, type, param, code } } };
}

/** The SSE frame that ends a stream which failed after it started: the openai client throws on it. */
export function streamErrorFrame(err: NinesError): string {
  return `data: ${JSON.stringify(toOpenAIError(err).body)}\n\n`;
}
