/**
 * The Anthropic Messages protocol: `POST /v1/messages`, as JSON or as the SSE event sequence
 * message_start → content_block_start → ping → content_block_delta… → content_block_stop →
 * message_delta (with usage) → message_stop. Requires `anthropic-version`, and `x-api-key`
 * when the provider has an `apiKey`.
 */
import { answerTokens, countTokens, sampleInput } from './answer.ts';
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

type Obj = Record<string, unknown>;

const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const BLOCKS: Record<string, 'user' | 'assistant' | 'both'> = {
  text: 'both',
  image: 'user',
  tool_use: 'assistant',
  tool_result: 'user',
};

function blocks(content: unknown): Obj[] {
  return Array.isArray(content) ? content.map((b) => asObject(b) ?? {}) : [];
}

/** Why one content block would be refused, or undefined. */
function blockError(b: Obj, at: string, role: string): string | undefined {
  const where = BLOCKS[String(b.type)];
  if (!where)
    return `${at}: Input tag ${JSON.stringify(b.type)} found using 'type' does not match any of the expected tags`;
  if (where !== 'both' && where !== role)
    return `${at}: ${String(b.type)} blocks are not allowed in ${role} messages`;
  if (b.type === 'text' && (typeof b.text !== 'string' || b.text === ''))
    return `${at}: text content blocks must be non-empty`;
  if (b.type === 'image') {
    const src = asObject(b.source) ?? {};
    if (src.type === 'url')
      return typeof src.url === 'string' ? undefined : `${at}.image.source.url: Field required`;
    if (src.type !== 'base64' || typeof src.data !== 'string') return `${at}.image.source: Field required`;
    if (!MEDIA_TYPES.includes(String(src.media_type)))
      return `${at}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  }
  if (b.type === 'tool_use' && (typeof b.id !== 'string' || typeof b.name !== 'string' || !asObject(b.input)))
    return `${at}.tool_use: 'id', 'name' and an object 'input' are required`;
  if (b.type === 'tool_result' && typeof b.tool_use_id !== 'string')
    return `${at}.tool_use_id: Field required`;
  return undefined;
}

/**
 * Why the conversation would be refused, or undefined: roles must be user/assistant and
 * alternate, blocks must be well-formed, and every tool_use must be answered by a tool_result
 * in the next message (and only those).
 */
function messagesError(msgs: Obj[]): string | undefined {
  let open: string[] = [];
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!;
    if (m.role !== 'user' && m.role !== 'assistant')
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i > 0 && msgs[i - 1]!.role === m.role)
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`;
    if (typeof m.content !== 'string' && !Array.isArray(m.content))
      return `messages.${i}.content: Field required`;
    const bs = blocks(m.content);
    for (let j = 0; j < bs.length; j++) {
      const err = blockError(bs[j]!, `messages.${i}.content.${j}`, m.role);
      if (err) return err;
      const id = bs[j]!.tool_use_id;
      if (bs[j]!.type === 'tool_result' && !open.includes(String(id)))
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    const answered = new Set(bs.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id));
    const missing = open.filter((id) => !answered.has(id));
    if (missing.length > 0)
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    open = bs.filter((b) => b.type === 'tool_use').map((b) => String(b.id));
  }
  return undefined;
}

/** The tool the request forces (tool_choice any → the first, tool → the named one), or an error. */
function forcedTool(body: Obj): { tool?: Obj; error?: string } {
  if (body.tools !== undefined && !Array.isArray(body.tools))
    return { error: 'tools: Input should be a valid list' };
  const tools = ((body.tools as unknown[] | undefined) ?? []).map((t) => asObject(t) ?? {});
  for (let i = 0; i < tools.length; i++) {
    const t = tools[i]!;
    if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name))
      return { error: `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'` };
    if (asObject(t.input_schema)?.type !== 'object')
      return { error: `tools.${i}.input_schema.type: Input should be 'object'` };
  }
  if (body.tool_choice === undefined) return {};
  const choice = asObject(body.tool_choice) ?? {};
  if (!['auto', 'any', 'tool', 'none'].includes(String(choice.type)))
    return { error: "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'" };
  if (choice.type === 'auto' || choice.type === 'none') return {};
  if (tools.length === 0)
    return { error: 'tool_choice: tool_choice may only be specified while providing tools' };
  if (choice.type === 'any') return { tool: tools[0] };
  const tool = tools.find((t) => t.name === choice.name);
  return tool
    ? { tool }
    : { error: `tool_choice.name: tool ${JSON.stringify(choice.name)} not found in tools` };
}

/** The text of the tool_result blocks in `m` (the sim's answer mentions them). */
function toolResults(m: Obj | undefined): string[] {
  return blocks(m?.content)
    .filter((b) => b.type === 'tool_result')
    .map((b) => (typeof b.content === 'string' ? b.content : contentText(b.content)));
}

function messageStart(id: string, model: string, inputTokens: number): string {
  const message = { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null };
  const usage = { input_tokens: inputTokens, output_tokens: 1 };
  return sseFrame(
    { type: 'message_start', message: { ...message, stop_sequence: null, usage } },
    'message_start',
  );
}

function closing(stopReason: string, outputTokens: number): string[] {
  return [
    sseFrame({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sseFrame(
      {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: outputTokens },
      },
      'message_delta',
    ),
    sseFrame({ type: 'message_stop' }, 'message_stop'),
  ];
}

/** A tool_use answer: one block, streamed as content_block_start and input_json_delta pieces. */
function toolUse(tool: Obj, body: Obj, ctx: CallContext, inputTokens: number): SimReply {
  const model = body.model as string;
  const id = `msg_sim${ctx.nextId()}`;
  const block = {
    type: 'tool_use',
    id: `toolu_sim_${ctx.nextId()}`,
    name: tool.name,
    input: sampleInput(asObject(tool.input_schema)),
  };
  const json = JSON.stringify(block.input);
  const outputTokens = countTokens(json);
  if (body.stream !== true) {
    const content = [block];
    const usage = { input_tokens: inputTokens, output_tokens: outputTokens };
    const msg = { id, type: 'message', role: 'assistant', model, content, stop_reason: 'tool_use' };
    return { type: 'json', status: 200, body: { ...msg, stop_sequence: null, usage } };
  }
  const start = { type: 'content_block_start', index: 0, content_block: { ...block, input: {} } };
  const frames = [
    messageStart(id, model, inputTokens),
    sseFrame(start, 'content_block_start'),
    sseFrame({ type: 'ping' }, 'ping'),
  ];
  const size = Math.max(1, Math.ceil(json.length / 3));
  for (let at = 0; at < json.length; at += size) {
    const delta = { type: 'input_json_delta', partial_json: json.slice(at, at + size) };
    frames.push(sseFrame({ type: 'content_block_delta', index: 0, delta }, 'content_block_delta'));
  }
  frames.push(...closing('tool_use', outputTokens));
  return { type: 'sse', frames, head: 3, tail: 3 };
}

function messages(body: Obj, ctx: CallContext): SimReply {
  const model = body.model;
  if (typeof model !== 'string' || model === '') return anthropicError(400, 'model: Field required');
  if (!ctx.provider.models.includes(model)) return anthropicError(404, `model: ${model}`);
  const maxTokens = positiveInt(body.max_tokens);
  if (maxTokens === undefined) return anthropicError(400, 'max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return anthropicError(400, 'messages: at least one message is required');
  }
  const msgs = body.messages.map((m) => asObject(m) ?? {});
  const invalid = messagesError(msgs);
  if (invalid) return anthropicError(400, invalid);
  const forced = forcedTool(body);
  if (forced.error) return anthropicError(400, forced.error);
  const users = msgs.filter((m) => m.role === 'user');
  const lastUser = contentText((users[users.length - 1] ?? msgs[msgs.length - 1])?.content);
  const system = typeof body.system === 'string' ? body.system : contentText(body.system);
  const inputTokens = countTokens([system, ...msgs.map((m) => contentText(m.content))].join('\n'));
  if (forced.tool) return toolUse(forced.tool, body, ctx, inputTokens);
  const results = toolResults(msgs[msgs.length - 1]);
  const options: { wrong: boolean; maxTokens: number; minTokens?: number; text?: string } = {
    wrong: ctx.wrongAnswer,
    maxTokens,
  };
  if (results.length > 0) options.text = `The tool returned: ${results.join('; ')}`;
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
    messageStart(id, model, inputTokens),
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
  frames.push(...closing(stopReason, tokens.length));
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
