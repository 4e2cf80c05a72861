/**
 * The Anthropic Messages protocol: `POST /v1/messages`, as JSON or as the SSE event sequence
 * message_start → content_block_start → ping → content_block_delta… → content_block_stop →
 * message_delta (with usage) → message_stop. Requires `anthropic-version`, and `x-api-key`
 * when the provider has an `apiKey`.
 */
import { answerTokens, countTokens } from './answer.ts';
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

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** An Anthropic-shaped error reply: `{type:'error', error:{type, message}}`. */
export function anthropicError(status: number, message: string, headers?: Record<string, string>): SimReply {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  const body = { type: 'error', error: { type, message } };
  return headers ? { type: 'json', status, body, headers } : { type: 'json', status, body };
}

function messages(body: Record<string, unknown>, ctx: CallContext): SimReply {
  const model = body.model;
  if (typeof model !== 'string' || model === '') return anthropicError(400, 'model: Field required');
  if (!ctx.provider.models.includes(model)) return anthropicError(404, `model: ${model}`);
  const maxTokens = positiveInt(body.max_tokens);
  if (maxTokens === undefined) return anthropicError(400, 'max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return anthropicError(400, 'messages: at least one message is required');
  }
  const msgs = body.messages.map((m) => asObject(m) ?? {});
  const users = msgs.filter((m) => m.role === 'user');
  const lastUser = contentText((users[users.length - 1] ?? msgs[msgs.length - 1])?.content);
  const system = typeof body.system === 'string' ? body.system : contentText(body.system);
  const inputTokens = countTokens([system, ...msgs.map((m) => contentText(m.content))].join('\n'));
  const options: { wrong: boolean; maxTokens: number; minTokens?: number } = {
    wrong: ctx.wrongAnswer,
    maxTokens,
  };
  if (body.stream === true && ctx.provider.streamChunks !== undefined)
    options.minTokens = ctx.provider.streamChunks;
  const { tokens, truncated } = answerTokens(lastUser, model, options);
  const stopReason = truncated ? 'max_tokens' : 'end_turn';
  const id = `msg_sim${ctx.nextId()}`;
  if (body.stream !== true) {
    return {
      type: 'json',
      status: 200,
      body: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: tokens.join('') }],
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: tokens.length },
      },
    };
  }
  const frames = [
    sseFrame(
      {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: 1 },
        },
      },
      'message_start',
    ),
    sseFrame(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    ),
    sseFrame({ type: 'ping' }, 'ping'),
  ];
  const head = frames.length;
  const pre =
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":';
  for (const text of tokens) frames.push(`${pre}${JSON.stringify(text)}}}\n\n`);
  frames.push(
    sseFrame({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sseFrame(
      {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: tokens.length },
      },
      'message_delta',
    ),
    sseFrame({ type: 'message_stop' }, 'message_stop'),
  );
  return { type: 'sse', frames, head, tail: 3 };
}

/** The Anthropic Messages protocol. */
export const anthropicProtocol: SimProtocol = {
  checkAccess(call, provider) {
    const key = call.headers['x-api-key'] ?? bearerToken(call.headers);
    if (provider.apiKey !== undefined && key !== provider.apiKey) {
      return anthropicError(401, 'invalid x-api-key');
    }
    if (call.path.startsWith('/v1/messages') && typeof call.headers['anthropic-version'] !== 'string') {
      return anthropicError(400, 'anthropic-version: header is required');
    }
    return undefined;
  },
  handle(call, ctx) {
    if (call.path === '/v1/models' && call.method === 'GET') {
      const data = ctx.provider.models.map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: '2024-10-22T00:00:00Z',
      }));
      return { type: 'json', status: 200, body: { data, has_more: false, first_id: null, last_id: null } };
    }
    if (call.path !== '/v1/messages') return anthropicError(404, `Not found: ${call.method} ${call.path}`);
    if (call.method !== 'POST') return anthropicError(405, `Method ${call.method} not allowed`);
    const body = asObject(call.body);
    if (!body) return anthropicError(400, 'The request body must be a JSON object.');
    return messages(body, ctx);
  },
  errorReply: (status, message, headers) => anthropicError(status, message, headers),
};
