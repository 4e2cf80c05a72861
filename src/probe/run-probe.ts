/**
 * `runProbe`: runs one probe of any kind against one target and returns a `ProbeResult`. It never
 * throws for endpoint misbehaviour: every failure is classified (dns, connect, tls, timeout, reset,
 * http_*, malformed, too_large, assertion) and the probe's deadline (`target.timeout`) aborts
 * whatever is still open.
 */
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../core/clock.ts';
import { formatDuration } from '../core/duration.ts';
import type { Target } from '../config/resolve.ts';
import type { AssertionOutcome, ProbeResult, ProbeTimings } from '../store/types.ts';
import { compileAssertions, evaluateAssertions, isStatusAssertion } from './assert.ts';
import type { ProbeFacts, ProbeKind } from './facts.ts';
import { probeAnthropicMessages } from './kinds/anthropic-messages.ts';
import { probeHttp } from './kinds/http.ts';
import { probeKserveV2 } from './kinds/kserve-v2.ts';
import { probeOpenAiChat } from './kinds/openai-chat.ts';
import { probeOpenAiEmbeddings } from './kinds/openai-embeddings.ts';
import { probeTcp, probeTls } from './kinds/socket.ts';
import { classifyError, statusClass, type ProbeContext } from './transport.ts';

/** Options of `runProbe`. */
export interface RunProbeOptions {
  /** Clock for the result's `at`, the deadline timer and certificate days; default the system clock. */
  clock?: Clock;
  /** Aborts the probe from outside (e.g. shutdown); the result is failed with class internal. */
  signal?: AbortSignal;
  /** Where the probe runs from; default 'local'. */
  location?: string;
  /** The undici dispatcher to use; default the shared probe agent. */
  dispatcher?: Dispatcher;
  /** Extra trusted CA certificates (PEM) for tls probes, e.g. a private CA. */
  ca?: string | Buffer;
}

/** The probe function for each kind. */
export const PROBE_KINDS: Record<Target['kind'], ProbeKind> = {
  http: probeHttp,
  'openai-chat': probeOpenAiChat,
  'openai-embeddings': probeOpenAiEmbeddings,
  'anthropic-messages': probeAnthropicMessages,
  'kserve-v2': probeKserveV2,
  tcp: probeTcp,
  tls: probeTls,
};

function timingsOf(facts: ProbeFacts, totalMs: number): ProbeTimings {
  const t: ProbeTimings = { totalMs };
  if (facts.connectMs !== undefined) t.connectMs = facts.connectMs;
  if (facts.tlsMs !== undefined) t.tlsMs = facts.tlsMs;
  if (facts.ttfbMs !== undefined) t.ttfbMs = facts.ttfbMs;
  if (facts.ttftMs !== undefined) t.ttftMs = facts.ttftMs;
  return t;
}

function judge(result: ProbeResult, outcomes: AssertionOutcome[]): void {
  result.assertions = outcomes;
  const failed = outcomes.find((a) => !a.ok && a.severity === 'fail');
  if (failed) {
    result.outcome = 'failed';
    const httpError = result.status !== undefined && result.status >= 400 && isStatusAssertion(failed.expr);
    result.errorClass = httpError ? statusClass(result.status!) : 'assertion';
    result.error = `assertion failed: ${failed.expr} (actual ${failed.actual})`;
  } else if (outcomes.some((a) => !a.ok)) {
    result.outcome = 'degraded';
    const soft = outcomes.find((a) => !a.ok)!;
    result.error = `assertion failed: ${soft.expr} (actual ${soft.actual})`;
  }
}

/** Runs one probe; resolves with a classified result, never rejects for endpoint misbehaviour. */
export async function runProbe(target: Target, opts: RunProbeOptions = {}): Promise<ProbeResult> {
  const clock = opts.clock ?? systemClock;
  const at = clock.now();
  const startedAt = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimer(target.timeout, () => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${target.timeout}ms`));
  });
  const onOuterAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const ctx: ProbeContext = {
    signal: controller.signal,
    timedOut: () => timedOut,
    timeoutMs: target.timeout,
    maxBodyBytes: target.maxBodyBytes,
    startedAt,
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    ...(opts.ca ? { ca: opts.ca } : {}),
  };
  const base = { target: target.name, at, location: opts.location ?? 'local' };
  try {
    const facts = await PROBE_KINDS[target.kind](target, ctx, () => clock.now());
    const totalMs = Math.round((performance.now() - startedAt) * 100) / 100;
    const result: ProbeResult = {
      ...base,
      outcome: 'ok',
      latencyMs: totalMs,
      timings: timingsOf(facts, totalMs),
    };
    if (facts.status !== undefined) result.status = facts.status;
    if (facts.outputTokens !== undefined) result.outputTokens = facts.outputTokens;
    if (facts.tokensPerSec !== undefined) result.tokensPerSec = facts.tokensPerSec;
    if (facts.certDaysLeft !== undefined) result.certDaysLeft = facts.certDaysLeft;
    judge(result, evaluateAssertions(compileAssertions(target), facts, totalMs));
    return result;
  } catch (err) {
    // tear down whatever the failed kind left open (a body stream, a socket)
    if (!controller.signal.aborted) controller.abort(new Error('probe failed'));
    const failure = classifyError(err, timedOut);
    const message =
      failure.errorClass === 'timeout' && timedOut
        ? `timed out after ${formatDuration(target.timeout)}`
        : failure.message;
    const totalMs = Math.round((performance.now() - startedAt) * 100) / 100;
    const result: ProbeResult = {
      ...base,
      outcome: 'failed',
      latencyMs: totalMs,
      timings: { totalMs },
      errorClass: failure.errorClass,
      error: message,
    };
    if (failure.status !== undefined) result.status = failure.status;
    return result;
  } finally {
    timer.cancel();
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}
