/**
 * The Anthropic Messages adapter: OpenAI chat requests become `POST /v1/messages`
 * (`anthropic-request.ts`: system, messages with images, tool calls and tool results, tools,
 * tool_choice, response_format as a forced tool), answers come back as chat completions (text and
 * `tool_calls`, or the forced tool's input as `content` for a JSON `response_format`), and the
 * event stream is rewritten frame by frame into chat chunks (`anthropic-stream.ts`).
 */
import { NinesError } from '../../core/errors.ts';
import { jsonMode, toMessagesBody } from './anthropic-request.ts';
import { AnthropicStream, finishReason } from './anthropic-stream.ts';
import type { ProviderAdapter, Usage } from './types.ts';

export { toMessagesBody } from './anthropic-request.ts';

const VERSION = '2023-06-01';

interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

interface MessageJson {
  id?: string;
  content?: ContentBlock[];
  stop_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
}

/**
 * The chat `message` of an answer: joined text (null when only tool calls), and `tool_calls`.
 * `json` (a JSON `response_format`): the forced tool's input is the content, as JSON text.
 */
function chatMessage(blocks: ContentBlock[], json: boolean): Record<string, unknown> {
  let text = '';
  if (json) {
    for (const b of blocks) {
      if (b.type === 'text') text += b.text ?? '';
      else if (b.type === 'tool_use') text += JSON.stringify(b.input ?? {});
    }
    return { role: 'assistant', content: text, refusal: null };
  }
  const calls: Record<string, unknown>[] = [];
  for (const b of blocks) {
    if (b.type === 'text') text += b.text ?? '';
    else if (b.type === 'tool_use') {
      calls.push({
        id: b.id,
        type: 'function',
        function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
      });
    }
  }
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: text === '' && calls.length > 0 ? null : text,
    refusal: null,
  };
  if (calls.length > 0) message.tool_calls = calls;
  return message;
}

/** The Anthropic Messages protocol (chat only). */
export const anthropicAdapter: ProviderAdapter = {
  request(endpoint, body, upstreamModel, provider) {
    if (endpoint !== 'chat')
      throw new NinesError('VALIDATION', `${provider.name} (anthropic) serves chat completions only`, {
        retryable: true,
      });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'anthropic-version': VERSION,
      ...provider.headers,
    };
    if (provider.apiKey) headers['x-api-key'] = provider.apiKey;
    return {
      path: `${provider.basePath}/v1/messages`,
      headers,
      body: JSON.stringify(toMessagesBody(body, upstreamModel)),
    };
  },
  response(_endpoint, raw, publicModel, request) {
    let m: MessageJson;
    try {
      m = JSON.parse(raw.toString('utf8')) as MessageJson;
    } catch {
      throw new NinesError('UPSTREAM', 'upstream answered with a body that is not valid JSON', {
        retryable: true,
      });
    }
    const json = jsonMode(request);
    const usage: Usage = { inputTokens: m.usage?.input_tokens, outputTokens: m.usage?.output_tokens };
    const body = {
      id: m.id ?? 'chatcmpl-nines',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: publicModel,
      choices: [
        {
          index: 0,
          message: chatMessage(Array.isArray(m.content) ? m.content : [], json),
          logprobs: null,
          finish_reason: finishReason(m.stop_reason, json),
        },
      ],
      usage: {
        prompt_tokens: usage.inputTokens ?? 0,
        completion_tokens: usage.outputTokens ?? 0,
        total_tokens: (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0),
      },
    };
    return { body: Buffer.from(JSON.stringify(body)), usage };
  },
  errorMessage(raw) {
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as { error?: { message?: string } };
      return parsed.error?.message;
    } catch {
      return undefined;
    }
  },
  stream: (_endpoint, publicModel, includeUsage, _keepText, request) =>
    new AnthropicStream(publicModel, includeUsage, jsonMode(request)),
};
