/**
 * The `openai-chat` probe kind: POST {url}/chat/completions with a tiny prompt, either as one
 * JSON reply (shape-checked) or as an SSE stream (time to first token, tokens/s, `[DONE]`).
 */
import type { Target } from '../../config/resolve.ts';
import type { ProbeFacts, ProbeKind } from '../facts.ts';
import { readSse } from '../sse.ts';
import {
  elapsed,
  expectSuccess,
  joinUrl,
  parseJson,
  postJson,
  ProbeFailure,
  readJson,
  type ProbeContext,
} from '../transport.ts';

/** The prompt used when a target gives none: cheap, and the answer is checkable. */
export const DEFAULT_PROMPT = 'What is 2+2? Answer with a number.';
/** max_tokens used when a target gives none. */
export const DEFAULT_MAX_TOKENS = 16;

function requestBody(target: Target): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: target.model,
    messages: [{ role: 'user', content: target.prompt ?? DEFAULT_PROMPT }],
    max_tokens: target.maxTokens ?? DEFAULT_MAX_TOKENS,
  };
  if (target.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function completionTokens(usage: unknown): number | undefined {
  const n = asRecord(usage)?.completion_tokens;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Tokens per second after the first token, when both are known and the window is measurable. */
export function tokensPerSecond(
  outputTokens: number | undefined,
  ttftMs: number | undefined,
  totalMs: number,
): number | undefined {
  if (outputTokens === undefined || ttftMs === undefined) return undefined;
  const window = totalMs - ttftMs;
  if (window < 1) return undefined;
  return Math.round((outputTokens / (window / 1000)) * 10) / 10;
}

async function streamChat(ctx: ProbeContext, facts: ProbeFacts, res: Awaited<ReturnType<typeof postJson>>) {
  let answer = '';
  const done = await readSse(res, ctx, (ev) => {
    if (ev.data === '[DONE]') return true;
    const chunk = asRecord(parseJson(ev.data, res.status));
    if (!chunk) throw new ProbeFailure('malformed', 'stream chunk is not a JSON object', res.status);
    if (chunk.error !== undefined) {
      const msg = asRecord(chunk.error)?.message;
      throw new ProbeFailure(
        'malformed',
        `error in stream: ${typeof msg === 'string' ? msg : JSON.stringify(chunk.error)}`,
        res.status,
      );
    }
    const choices = chunk.choices;
    if (!Array.isArray(choices))
      throw new ProbeFailure('malformed', 'stream chunk has no choices array', res.status);
    const content = asRecord(asRecord(choices[0])?.delta)?.content;
    if (typeof content === 'string' && content !== '') {
      facts.ttftMs ??= elapsed(ctx);
      answer += content;
    }
    const tokens = completionTokens(chunk.usage);
    if (tokens !== undefined) facts.outputTokens = tokens;
    return false;
  });
  facts.answer = answer;
  if (!done) throw new ProbeFailure('malformed', 'stream ended without [DONE]', res.status);
  facts.tokensPerSec = tokensPerSecond(facts.outputTokens, facts.ttftMs, elapsed(ctx));
}

/** Runs one chat completion and reports answer, tokens and timings. */
export const probeOpenAiChat: ProbeKind = async (target, ctx) => {
  const headers = target.stream ? { ...target.headers, accept: 'text/event-stream' } : target.headers;
  const res = await postJson(joinUrl(target.url, 'chat/completions'), headers, requestBody(target), ctx);
  const facts: ProbeFacts = { status: res.status, headers: res.headers, ttfbMs: res.ttfbMs };
  await expectSuccess(res, ctx, 'chat completion');
  if (target.stream) {
    await streamChat(ctx, facts, res);
    return facts;
  }
  const { raw, json } = await readJson(res, ctx);
  facts.rawBody = raw;
  facts.json = json;
  const choices = asRecord(json)?.choices;
  const message = Array.isArray(choices) ? asRecord(asRecord(choices[0])?.message) : undefined;
  if (!message || typeof message.content !== 'string') {
    throw new ProbeFailure('malformed', 'response has no choices[0].message.content string', res.status);
  }
  facts.answer = message.content;
  facts.outputTokens = completionTokens(asRecord(json)?.usage);
  return facts;
};
