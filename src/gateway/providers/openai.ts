/**
 * The OpenAI-compatible adapter (OpenAI, vLLM, TGI, Ollama, llama.cpp, most hosted APIs):
 * the body goes up with only `model` replaced; answers come back byte for byte, parsed just
 * enough to read usage and, in streams, the first token, `[DONE]` and error frames.
 */
import { NinesError } from '../../core/errors.ts';
import { dataOf, SseLines } from './sse-lines.ts';
import type { Endpoint, ProviderAdapter, StreamStep, StreamTranslator, Usage } from './types.ts';

const PATHS: Record<Endpoint, string> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
};

interface UsageJson {
  prompt_tokens?: number;
  completion_tokens?: number;
}

function usageOf(u: UsageJson | null | undefined): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const out: Usage = {};
  if (typeof u.prompt_tokens === 'number') out.inputTokens = u.prompt_tokens;
  if (typeof u.completion_tokens === 'number') out.outputTokens = u.completion_tokens;
  return out;
}

interface ChunkJson {
  error?: { message?: string };
  usage?: UsageJson | null;
  choices?: { delta?: { content?: string | null; tool_calls?: unknown[] }; text?: string }[];
}

function hasContent(c: ChunkJson): boolean {
  const choice = c.choices?.[0];
  if (!choice) return false;
  if (typeof choice.text === 'string' && choice.text.length > 0) return true;
  const d = choice.delta;
  return (
    !!d &&
    ((typeof d.content === 'string' && d.content.length > 0) ||
      (Array.isArray(d.tool_calls) && d.tool_calls.length > 0))
  );
}

/** A cheap shape check for frames after the first token, which are not parsed unless needed. */
function looksLikeJsonObject(data: string): boolean {
  return data.charCodeAt(0) === 123 && data.charCodeAt(data.length - 1) === 125; // { … }
}

class OpenAIStream implements StreamTranslator {
  private readonly lines = new SseLines();
  /** Once content has flowed, frames are only parsed when they may carry usage or an error. */
  private started = false;

  constructor(
    private readonly keepText: boolean,
    private readonly forwardUsage: boolean,
  ) {}

  push(chunk: Buffer): StreamStep {
    const { lines, text } = this.lines.push(chunk);
    const step: StreamStep = { out: text, content: false, text: '', done: false };
    let consumed = 0; // chars of `text` before the current line
    let cut = 0; // chars removed from `step.out` so far
    for (const line of lines) {
      const lineStart = consumed;
      consumed += line.length + 1;
      const data = dataOf(line);
      if (data === undefined || data === '') continue;
      if (data === '[DONE]') {
        step.done = true;
        continue;
      }
      if (
        this.started &&
        !this.keepText &&
        looksLikeJsonObject(data) &&
        !data.includes('"usage":{') &&
        !data.includes('"error"')
      ) {
        continue;
      }
      let parsed: ChunkJson;
      try {
        parsed = JSON.parse(data) as ChunkJson;
      } catch {
        step.out = step.out.slice(0, lineStart - cut);
        step.error = 'upstream sent a stream frame that is not valid JSON';
        return step;
      }
      if (parsed.error) {
        step.out = step.out.slice(0, lineStart - cut);
        step.error = `upstream stream error: ${parsed.error.message ?? 'unknown'}`;
        return step;
      }
      if (hasContent(parsed)) {
        step.content = true;
        this.started = true;
        const choice = parsed.choices![0]!;
        step.text += choice.text ?? choice.delta?.content ?? '';
      }
      const usage = usageOf(parsed.usage);
      if (usage) {
        step.usage = usage;
        // A usage-only chunk the gateway asked for on its own is not forwarded.
        if (!this.forwardUsage && (parsed.choices?.length ?? 0) === 0) {
          const at = lineStart - cut;
          step.out = step.out.slice(0, at) + step.out.slice(at + line.length + 1);
          cut += line.length + 1;
        }
      }
    }
    return step;
  }
}

/** The OpenAI-compatible protocol. */
export const openaiAdapter: ProviderAdapter = {
  request(endpoint, body, upstreamModel, provider) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...provider.headers };
    if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
    const up: Record<string, unknown> = { ...body, model: upstreamModel };
    if (body.stream === true && provider.streamUsage && endpoint !== 'embeddings') {
      up.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
    }
    return { path: provider.basePath + PATHS[endpoint], headers, body: JSON.stringify(up) };
  },
  response(_endpoint, raw) {
    let parsed: { usage?: UsageJson };
    try {
      parsed = JSON.parse(raw.toString('utf8')) as { usage?: UsageJson };
    } catch {
      throw new NinesError('UPSTREAM', 'upstream answered with a body that is not valid JSON', {
        retryable: true,
      });
    }
    if (!parsed || typeof parsed !== 'object') {
      throw new NinesError('UPSTREAM', 'upstream answered with a body that is not a JSON object', {
        retryable: true,
      });
    }
    return { body: raw, usage: usageOf(parsed.usage) ?? {} };
  },
  errorMessage(raw) {
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as {
        error?: { message?: string } | string;
        message?: string;
      };
      if (typeof parsed.error === 'string') return parsed.error;
      return parsed.error?.message ?? parsed.message;
    } catch {
      return undefined;
    }
  },
  stream: (_endpoint, _model, includeUsage, keepText) => new OpenAIStream(keepText, includeUsage),
};
