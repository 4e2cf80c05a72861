/**
 * The OpenAI wire protocol (also spoken by vLLM, Ollama and most gateways): chat completions
 * (JSON and SSE with `stream_options.include_usage`), legacy completions, embeddings (float or
 * base64) and the model list, with OpenAI-shaped error bodies.
 */
import { answerTokens, countTokens } from './answer.ts';
import { embedText, embeddingDimensions, encodeBase64 } from './embedding.ts';
import {
  asObject,
  bearerToken,
  contentText,
  positiveInt,
  sseFrame,
  type CallContext,
  type SimProtocol,
  type SimReply,
} from './protocol.ts';
import type { SimProviderConfig } from '../config/sim.ts';

const ERROR_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_error', null],
  404: ['invalid_request_error', 'not_found'],
  429: ['requests', 'rate_limit_exceeded'],
};

/** An OpenAI-shaped error reply: `{error:{message,type,param,code}}`. */
export function openaiError(
  status: number,
  message: string,
  headers?: Record<string, string>,
  code?: string,
): SimReply {
  const [type, defaultCode] =
    ERROR_TYPES[status] ?? (status >= 500 ? ['server_error', null] : ['invalid_request_error', null]);
  const body = { error: { message, type, param: null, code: code ?? defaultCode } };
  return headers ? { type: 'json', status, body, headers } : { type: 'json', status, body };
}

function modelNotFound(model: string): SimReply {
  return openaiError(
    404,
    `The model \`${model}\` does not exist or you do not have access to it.`,
    undefined,
    'model_not_found',
  );
}

/** Validates `model` in a request body; returns the model or the error reply. */
function requireModel(body: Record<string, unknown>, provider: SimProviderConfig): string | SimReply {
  const model = body.model;
  if (typeof model !== 'string' || model === '')
    return openaiError(400, 'you must provide a model parameter');
  return provider.models.includes(model) ? model : modelNotFound(model);
}

/** A string no answer contains, used to template content chunks. */
const MARKER = '\u0000nines-sim\u0000';

interface Generation {
  prompt: string;
  lastUser: string;
  model: string;
  maxTokens: number | undefined;
  stream: boolean;
  includeUsage: boolean;
}

function generate(gen: Generation, ctx: CallContext, kind: 'chat' | 'text'): SimReply {
  const options: { wrong: boolean; maxTokens?: number; minTokens?: number } = { wrong: ctx.wrongAnswer };
  if (gen.maxTokens !== undefined) options.maxTokens = gen.maxTokens;
  if (gen.stream && ctx.provider.streamChunks !== undefined) options.minTokens = ctx.provider.streamChunks;
  const { tokens, truncated } = answerTokens(gen.lastUser, gen.model, options);
  const finish = truncated ? 'length' : 'stop';
  const usage = {
    prompt_tokens: countTokens(gen.prompt),
    completion_tokens: tokens.length,
    total_tokens: countTokens(gen.prompt) + tokens.length,
  };
  const created = Math.floor(ctx.now / 1000);
  const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-sim${ctx.nextId()}`;
  const object = kind === 'chat' ? 'chat.completion' : 'text_completion';
  const text = tokens.join('');
  if (!gen.stream) {
    const choice =
      kind === 'chat'
        ? {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null },
            logprobs: null,
            finish_reason: finish,
          }
        : { index: 0, text, logprobs: null, finish_reason: finish };
    return {
      type: 'json',
      status: 200,
      body: {
        id,
        object,
        created,
        model: gen.model,
        system_fingerprint: 'fp_nines_sim',
        choices: [choice],
        usage,
      },
    };
  }
  const chunkObject = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  const base = { id, object: chunkObject, created, model: gen.model, system_fingerprint: 'fp_nines_sim' };
  const withUsage = gen.includeUsage ? { usage: null } : {};
  const chunk = (delta: string | null, role: boolean, finishReason: string | null): string => {
    const choice =
      kind === 'chat'
        ? {
            index: 0,
            delta: role
              ? { role: 'assistant', content: '', refusal: null }
              : delta === null
                ? {}
                : { content: delta },
            logprobs: null,
            finish_reason: finishReason,
          }
        : { index: 0, text: delta ?? '', logprobs: null, finish_reason: finishReason };
    return sseFrame({ ...base, choices: [choice], ...withUsage });
  };
  const frames: string[] = [];
  const head = kind === 'chat' ? 1 : 0;
  if (head) frames.push(chunk(null, true, null));
  // Content chunks differ only in their text: render one with a marker and splice the rest.
  const [pre, post] = chunk(MARKER, false, null).split(JSON.stringify(MARKER)) as [string, string];
  for (const token of tokens) frames.push(pre + JSON.stringify(token) + post);
  frames.push(chunk(null, false, finish));
  if (gen.includeUsage) frames.push(sseFrame({ ...base, choices: [], usage }));
  frames.push('data: [DONE]\n\n');
  return { type: 'sse', frames, head, tail: frames.length - head - tokens.length };
}

function streamFlags(body: Record<string, unknown>): { stream: boolean; includeUsage: boolean } {
  const stream = body.stream === true;
  const opts = asObject(body.stream_options);
  return { stream, includeUsage: stream && opts?.include_usage === true };
}

function chatCompletions(body: Record<string, unknown>, ctx: CallContext): SimReply {
  const model = requireModel(body, ctx.provider);
  if (typeof model !== 'string') return model;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openaiError(400, "'messages' must be a non-empty array");
  }
  const messages = body.messages.map((m) => asObject(m) ?? {});
  const users = messages.filter((m) => m.role === 'user');
  const lastUser = contentText((users[users.length - 1] ?? messages[messages.length - 1])?.content);
  const prompt = messages.map((m) => contentText(m.content)).join('\n');
  const maxTokens = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens);
  return generate({ prompt, lastUser, model, maxTokens, ...streamFlags(body) }, ctx, 'chat');
}

function completions(body: Record<string, unknown>, ctx: CallContext): SimReply {
  const model = requireModel(body, ctx.provider);
  if (typeof model !== 'string') return model;
  const raw = body.prompt;
  const prompt = Array.isArray(raw) ? raw.map(String).join('\n') : typeof raw === 'string' ? raw : '';
  if (prompt === '') return openaiError(400, "'prompt' must be a non-empty string");
  const maxTokens = positiveInt(body.max_tokens) ?? 16;
  return generate({ prompt, lastUser: prompt, model, maxTokens, ...streamFlags(body) }, ctx, 'text');
}

function embeddings(body: Record<string, unknown>, ctx: CallContext): SimReply {
  const model = requireModel(body, ctx.provider);
  if (typeof model !== 'string') return model;
  const raw = body.input;
  let inputs: string[];
  if (typeof raw === 'string') inputs = [raw];
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((x) => typeof x === 'number'))
    inputs = [raw.join(',')];
  else if (Array.isArray(raw) && raw.length > 0)
    inputs = raw.map((x) => (Array.isArray(x) ? x.join(',') : String(x)));
  else return openaiError(400, "'input' must be a non-empty string or array");
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return openaiError(400, `'encoding_format' must be 'float' or 'base64', not ${JSON.stringify(format)}`);
  }
  const dims = positiveInt(body.dimensions) ?? embeddingDimensions(model, ctx.provider.embeddingDims);
  const salt = ctx.wrongAnswer ? 'wrong:' : '';
  const data = inputs.map((text, index) => {
    const vector = embedText(model, salt + text, dims);
    return {
      object: 'embedding',
      index,
      embedding: format === 'base64' ? encodeBase64(vector) : Array.from(vector),
    };
  });
  const promptTokens = inputs.reduce((n, text) => n + countTokens(text), 0);
  return {
    type: 'json',
    status: 200,
    body: { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
  };
}

function listModels(ctx: CallContext): SimReply {
  const created = Math.floor(ctx.now / 1000);
  const data = ctx.provider.models.map((id) => ({
    id,
    object: 'model',
    created,
    owned_by: ctx.provider.name,
  }));
  return { type: 'json', status: 200, body: { object: 'list', data } };
}

/** The OpenAI-compatible protocol. */
export const openaiProtocol: SimProtocol = {
  checkAccess(call, provider) {
    if (provider.apiKey === undefined || bearerToken(call.headers) === provider.apiKey) return undefined;
    return openaiError(401, 'Incorrect API key provided.');
  },
  handle(call, ctx) {
    const { method, path } = call;
    if (method === 'GET' && path === '/v1/models') return listModels(ctx);
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!ctx.provider.models.includes(id)) return modelNotFound(id);
      return {
        type: 'json',
        status: 200,
        body: { id, object: 'model', created: 0, owned_by: ctx.provider.name },
      };
    }
    const routes: Record<string, (b: Record<string, unknown>, c: CallContext) => SimReply> = {
      '/v1/chat/completions': chatCompletions,
      '/v1/completions': completions,
      '/v1/embeddings': embeddings,
    };
    const route = routes[path];
    if (!route) return openaiError(404, `Unknown request URL: ${method} ${path}.`, undefined, 'unknown_url');
    if (method !== 'POST') return openaiError(405, `Method ${method} not allowed on ${path}.`);
    const body = asObject(call.body);
    if (!body) return openaiError(400, 'The request body must be a JSON object.');
    return route(body, ctx);
  },
  errorReply: (status, message, headers) => openaiError(status, message, headers),
};
