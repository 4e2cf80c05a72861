/**
 * The `anthropic-messages` probe kind: POST {url}/messages (x-api-key and anthropic-version
 * from the target headers; the version defaults to 2023-06-01), non-streaming or streaming.
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
  type HttpResponse,
  type ProbeContext,
} from '../transport.ts';
import { DEFAULT_MAX_TOKENS, DEFAULT_PROMPT, tokensPerSecond } from './openai-chat.ts';

/** The API version sent when the target's headers do not set one. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function headersFor(target: Target): Record<string, string> {
  const h: Record<string, string> = { 'anthropic-version': DEFAULT_ANTHROPIC_VERSION };
  for (const [k, v] of Object.entries(target.headers)) h[k.toLowerCase()] = v;
  if (target.stream) h.accept = 'text/event-stream';
  return h;
}

async function readStream(res: HttpResponse, ctx: ProbeContext, facts: ProbeFacts): Promise<void> {
  let answer = '';
  const done = await readSse(res, ctx, (ev) => {
    const data = asRecord(parseJson(ev.data, res.status));
    if (!data) throw new ProbeFailure('malformed', 'stream event is not a JSON object', res.status);
    const type = data.type ?? ev.event;
    if (type === 'error') {
      const msg = asRecord(data.error)?.message;
      throw new ProbeFailure(
        'malformed',
        `error in stream: ${typeof msg === 'string' ? msg : 'unknown'}`,
        res.status,
      );
    }
    if (type === 'content_block_delta') {
      const text = asRecord(data.delta)?.text;
      if (typeof text === 'string' && text !== '') {
        facts.ttftMs ??= elapsed(ctx);
        answer += text;
      }
    }
    const out = asRecord(data.usage)?.output_tokens;
    if (type === 'message_delta' && typeof out === 'number') facts.outputTokens = out;
    return type === 'message_stop';
  });
  facts.answer = answer;
  if (!done) throw new ProbeFailure('malformed', 'stream ended without message_stop', res.status);
  facts.tokensPerSec = tokensPerSecond(facts.outputTokens, facts.ttftMs, elapsed(ctx));
}

/** Sends one message and reports the answer, tokens and timings. */
export const probeAnthropicMessages: ProbeKind = async (target, ctx) => {
  const body: Record<string, unknown> = {
    model: target.model,
    max_tokens: target.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: [{ role: 'user', content: target.prompt ?? DEFAULT_PROMPT }],
  };
  if (target.stream) body.stream = true;
  const res = await postJson(joinUrl(target.url, 'messages'), headersFor(target), body, ctx);
  const facts: ProbeFacts = { status: res.status, headers: res.headers, ttfbMs: res.ttfbMs };
  await expectSuccess(res, ctx, 'messages');
  if (target.stream) {
    await readStream(res, ctx, facts);
    return facts;
  }
  const { raw, json } = await readJson(res, ctx);
  facts.rawBody = raw;
  facts.json = json;
  const content = asRecord(json)?.content;
  if (!Array.isArray(content))
    throw new ProbeFailure('malformed', 'response has no content array', res.status);
  facts.answer = content
    .map((block) => asRecord(block))
    .filter((b) => b?.type === 'text' && typeof b.text === 'string')
    .map((b) => b!.text as string)
    .join('');
  const out = asRecord(asRecord(json)?.usage)?.output_tokens;
  if (typeof out === 'number') facts.outputTokens = out;
  return facts;
};
