/**
 * The OpenAI-compatible adapter (OpenAI, vLLM, TGI, Ollama, llama.cpp, most hosted APIs):
 * the body goes up with only `model` replaced; answers come back byte for byte, parsed just
 * enough to read usage and, in streams, the first token, `[DONE]` and error frames.
 */
import { NinesError } from '../../core/errors.ts';
import type {
  Endpoint,
  ProviderAdapter,
  ResolvedProvider,
  StreamStep,
  StreamTranslator,
  Usage,
} from './types.ts';

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

const NL = 10;
const CR = 13;
const SPACE = 32;
const EMPTY = Buffer.alloc(0);
const USAGE_KEY = Buffer.from('"usage":{');
const ERROR_KEY = Buffer.from('"error"');

/** True when bytes [at, end) of `b` start with `data:`. */
function isDataLine(b: Buffer, at: number, end: number): boolean {
  return (
    end - at >= 5 &&
    b[at] === 100 &&
    b[at + 1] === 97 &&
    b[at + 2] === 116 &&
    b[at + 3] === 97 &&
    b[at + 4] === 58
  );
}

/** Bytes [0, end) of `b` without the `cuts` ranges (sorted, within [0, end)). */
function without(b: Buffer, cuts: number[], end: number): Buffer {
  if (cuts.length === 0) return end === b.length ? b : b.subarray(0, end);
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < cuts.length; i += 2) {
    parts.push(b.subarray(from, cuts[i]));
    from = cuts[i + 1]!;
  }
  parts.push(b.subarray(from, end));
  return Buffer.concat(parts);
}

/**
 * Scans an OpenAI SSE stream as bytes: complete lines go on unchanged (the chunk itself when it
 * ends on a line), a partial last line waits for the next chunk. `data:` payloads are decoded
 * and parsed only until the first token, and after it only when the frame mentions usage or an
 * error; other frames get a shape check (`{…}`) and pass.
 */
class OpenAIStream implements StreamTranslator {
  private rest: Buffer | undefined;
  /** Once content has flowed, frames are only parsed when they may carry usage or an error. */
  private started = false;

  constructor(
    private readonly keepText: boolean,
    private readonly forwardUsage: boolean,
  ) {}

  push(chunk: Buffer): StreamStep {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const last = buf.lastIndexOf(NL);
    if (last === -1) {
      this.rest = buf;
      return { out: EMPTY, content: false, text: '', done: false };
    }
    this.rest = last + 1 < buf.length ? buf.subarray(last + 1) : undefined;
    const whole = last + 1 === buf.length ? buf : buf.subarray(0, last + 1);
    const step: StreamStep = { out: whole, content: false, text: '', done: false };
    // Where the next frame that may carry usage or an error starts (-1: none left): frames
    // before it are skimmed once content has flowed, even within the chunk that started it.
    let nextUsage = whole.indexOf(USAGE_KEY);
    let nextError = whole.indexOf(ERROR_KEY);
    const cuts: number[] = []; // [start, end) byte ranges of frames not forwarded
    let pos = 0;
    while (pos < whole.length) {
      const lineStart = pos;
      const nl = whole.indexOf(NL, pos);
      pos = nl + 1;
      if (!isDataLine(whole, lineStart, nl)) continue;
      let a = lineStart + 5;
      if (whole[a] === SPACE) a++;
      let b = nl;
      if (b > a && whole[b - 1] === CR) b--;
      if (a >= b) continue;
      if (b - a === 6 && whole[a] === 91 && whole.toString('latin1', a, b) === '[DONE]') {
        step.done = true;
        continue;
      }
      if (nextUsage !== -1 && nextUsage < a) nextUsage = whole.indexOf(USAGE_KEY, a);
      if (nextError !== -1 && nextError < a) nextError = whole.indexOf(ERROR_KEY, a);
      const plain = (nextUsage === -1 || nextUsage >= b) && (nextError === -1 || nextError >= b);
      if (plain && this.started && !this.keepText && whole[a] === 123 && whole[b - 1] === 125) continue; // { … }
      let parsed: ChunkJson;
      try {
        parsed = JSON.parse(whole.toString('utf8', a, b)) as ChunkJson;
      } catch {
        step.out = without(whole, cuts, lineStart);
        step.error = 'upstream sent a stream frame that is not valid JSON';
        return step;
      }
      if (parsed.error) {
        step.out = without(whole, cuts, lineStart);
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
        if (!this.forwardUsage && (parsed.choices?.length ?? 0) === 0) cuts.push(lineStart, pos);
      }
    }
    if (cuts.length > 0) step.out = without(whole, cuts, whole.length);
    return step;
  }
}

const HEADERS = new WeakMap<ResolvedProvider, Record<string, string>>();

/** The upstream request headers of `provider`, built once (they never change). */
function headersOf(provider: ResolvedProvider): Record<string, string> {
  let h = HEADERS.get(provider);
  if (!h) {
    h = { 'content-type': 'application/json', ...provider.headers };
    if (provider.apiKey) h.authorization = `Bearer ${provider.apiKey}`;
    HEADERS.set(provider, h);
  }
  return h;
}

const USAGE_OPTION = Buffer.from('"stream_options":{"include_usage":true},');

/** `raw` (a JSON object without `stream_options`) with `stream_options.include_usage` added first. */
function withUsageOption(raw: Buffer): Buffer {
  const brace = raw.indexOf(123); // the object's `{` (only whitespace may precede it)
  return Buffer.concat([raw.subarray(0, brace + 1), USAGE_OPTION, raw.subarray(brace + 1)]);
}

/** Answers up to this size are parsed whole (validated); bigger ones have usage read from the tail. */
const WHOLE_PARSE_MAX = 4096;
const USAGE_FIELD = Buffer.from('"usage"');

/**
 * Usage of a big answer (embeddings, long completions) without parsing all of it: the body must
 * look like one object (`{` … `}`), and its last `"usage"` key's object is parsed alone.
 * Undefined when that does not work out (the caller then parses the whole body).
 */
function tailUsage(raw: Buffer): Usage | undefined {
  let end = raw.length - 1;
  while (end > 0 && raw[end]! <= SPACE) end--;
  if (raw[end] !== 125 || raw.indexOf(123) === -1) return undefined;
  const key = raw.lastIndexOf(USAGE_FIELD);
  if (key === -1) return undefined;
  const open = raw.indexOf(123, key + USAGE_FIELD.length);
  if (open === -1) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = open; i < end; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === 92)
        i++; // backslash escape
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) {
      try {
        return usageOf(JSON.parse(raw.toString('utf8', open, i + 1)) as UsageJson);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The OpenAI-compatible protocol. */
export const openaiAdapter: ProviderAdapter = {
  request(endpoint, body, upstreamModel, provider, raw) {
    const headers = headersOf(provider);
    const path = provider.basePath + PATHS[endpoint];
    const addUsage = body.stream === true && provider.streamUsage && endpoint !== 'embeddings';
    if (raw && body.model === upstreamModel) {
      // Same model name upstream: the client's bytes go on as they are (no re-serialising);
      // the usage request, when needed and absent, is spliced in after the opening brace.
      if (!addUsage) return { path, headers, body: raw };
      if (body.stream_options === undefined) return { path, headers, body: withUsageOption(raw) };
    }
    const up: Record<string, unknown> = { ...body, model: upstreamModel };
    if (addUsage) up.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
    return { path, headers, body: JSON.stringify(up) };
  },
  response(_endpoint, raw) {
    if (raw.length > WHOLE_PARSE_MAX) {
      const usage = tailUsage(raw);
      if (usage) return { body: raw, usage };
    }
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
