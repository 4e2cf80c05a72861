/**
 * The closed set of error codes nines uses everywhere (DESIGN rule 7).
 * Modules throw `NinesError`; the edges (API, gateway, CLI) translate codes once.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'UPSTREAM',
  'TIMEOUT',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

/** One of the error codes in `ERROR_CODES`. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options for a `NinesError`: whether retrying can help, structured details, and the cause. */
export interface NinesErrorOptions {
  /** True when the same operation may succeed if tried again (network blips, 429, 5xx). */
  retryable?: boolean;
  /** Machine-readable context (a field path, a target name, an upstream status). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The single error type of nines: a code, a human message, and whether a retry can help. */
export class NinesError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: NinesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NinesError';
    this.code = code;
    this.retryable = options.retryable ?? (code === 'UNAVAILABLE' || code === 'TIMEOUT');
    this.details = options.details ?? {};
  }
}

/** HTTP status for each error code; the one table every HTTP edge uses. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM: 502,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** True when `err` is a NinesError (optionally with the given code). */
export function isNinesError(err: unknown, code?: ErrorCode): err is NinesError {
  return err instanceof NinesError && (code === undefined || err.code === code);
}

/** Wraps anything thrown into a NinesError, keeping NinesErrors as they are. */
export function toNinesError(err: unknown): NinesError {
  if (err instanceof NinesError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new NinesError('INTERNAL', message, { cause: err });
}
