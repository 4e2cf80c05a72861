/**
 * What a probe kind observed, before assertions and outcome are decided. Each kind fills what
 * it can; assertions read from here (see assert.ts) and runProbe turns it into a ProbeResult.
 */
import type { Target } from '../config/resolve.ts';
import type { ProbeContext } from './transport.ts';

/** Observations of one probe run. */
export interface ProbeFacts {
  status?: number;
  /** Response headers, lower-cased names. */
  headers?: Record<string, string>;
  connectMs?: number;
  tlsMs?: number;
  ttfbMs?: number;
  ttftMs?: number;
  /** Raw response body (decoded lazily: only assertions on body/json need it as text). */
  rawBody?: Buffer;
  /** The body already parsed as JSON, when the kind parsed it. */
  json?: unknown;
  /** The LLM answer text. */
  answer?: string;
  outputTokens?: number;
  tokensPerSec?: number;
  embeddingDim?: number;
  certDaysLeft?: number;
}

/** One probe kind: observe the target, throw ProbeFailure when it misbehaves. */
export type ProbeKind = (target: Target, ctx: ProbeContext, now: () => number) => Promise<ProbeFacts>;
