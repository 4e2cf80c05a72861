/**
 * The Anthropic Messages adapter: OpenAI chat requests become `POST /v1/messages` (system
 * messages to `system`, `max_tokens` required, `stop` to `stop_sequences`), and answers come
 * back as chat completions; the event stream is rewritten frame by frame into chat chunks.
 */
import { NinesError } from '../../core/errors.ts';
import { dataOf, SseLines } from './sse-lines.ts';
import type { ProviderAdapter, StreamStep, StreamTranslator, Usage } from './types.ts';

const VERSION = '2023-06-01';

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) =>
        p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
          ? (p as { text: string }).text
          : '',
      )
      .join('');
  }
  return '';
}

const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
};

/** Builds the Messages body from an OpenAI chat body. */
export function toMessagesBody(body: Record<string, unknown>, model: string): Record<string, unknown> {
  const msgs = body.messages as { role: string; content: unknown }[];
  const system = msgs
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => text(m.content));
  const messages = msgs
    .filter((m) => m.role !== 'system' && m.role !== 'developer')
    .map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: text(m.content) }));
  const out: Record<string, unknown> = {
    model,
    messages,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? 4096,
  };
  if (system.length > 0) out.system = system.join('\n');
  if (typeof body.temperature === 'number') out.temperature = Math.min(1, body.temperature);
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (body.stop !== undefined && body.stop !== null)
    out.stop_sequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  if (body.stream === true) out.stream = true;
  return out;
}

interface MessageJson {
  id?: string;
  content?: { type: string; text?: string }[];
  stop_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
}

class AnthropicStream implements StreamTranslator {
  private readonly lines = new SseLines();
  private id = 'chatcmpl-nines';
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: Usage = {};

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private frame(delta: Record<string, unknown>, finish: string | null): string {
    const chunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  push(chunk: Buffer): StreamStep {
    const step: StreamStep = { out: '', content: false, text: '', done: false };
    for (const line of this.lines.push(chunk).lines) {
      const data = dataOf(line);
      if (data === undefined || data === '') continue;
      let ev: {
        type?: string;
        message?: MessageJson;
        delta?: { type?: string; text?: string; stop_reason?: string };
        usage?: MessageJson['usage'];
        error?: { message?: string };
      };
      try {
        ev = JSON.parse(data) as typeof ev;
      } catch {
        step.error = 'upstream sent a stream frame that is not valid JSON';
        return step;
      }
      switch (ev.type) {
        case 'message_start':
          if (ev.message?.id) this.id = ev.message.id;
          if (ev.message?.usage?.input_tokens !== undefined)
            this.usage.inputTokens = ev.message.usage.input_tokens;
          step.out += this.frame({ role: 'assistant', content: '' }, null);
          break;
        case 'content_block_delta':
          if (ev.delta?.type === 'text_delta' && ev.delta.text) {
            step.out += this.frame({ content: ev.delta.text }, null);
            step.text += ev.delta.text;
            step.content = true;
          }
          break;
        case 'message_delta':
          if (ev.usage?.output_tokens !== undefined) this.usage.outputTokens = ev.usage.output_tokens;
          step.out += this.frame({}, FINISH[ev.delta?.stop_reason ?? ''] ?? 'stop');
          step.usage = { ...this.usage };
          break;
        case 'message_stop': {
          if (this.includeUsage) {
            const u = {
              prompt_tokens: this.usage.inputTokens ?? 0,
              completion_tokens: this.usage.outputTokens ?? 0,
            };
            const chunkJson = {
              id: this.id,
              object: 'chat.completion.chunk',
              created: this.created,
              model: this.model,
              choices: [],
              usage: { ...u, total_tokens: u.prompt_tokens + u.completion_tokens },
            };
            step.out += `data: ${JSON.stringify(chunkJson)}\n\n`;
          }
          step.out += 'data: [DONE]\n\n';
          step.done = true;
          step.usage = { ...this.usage };
          break;
        }
        case 'error':
          step.error = `upstream stream error: ${ev.error?.message ?? 'unknown'}`;
          return step;
        default:
          break; // ping, content_block_start/stop
      }
    }
    return step;
  }
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
  response(_endpoint, raw, publicModel) {
    let m: MessageJson;
    try {
      m = JSON.parse(raw.toString('utf8')) as MessageJson;
    } catch {
      throw new NinesError('UPSTREAM', 'upstream answered with a body that is not valid JSON', {
        retryable: true,
      });
    }
    const content = (m.content ?? [])
      .filter((c) => c.type === 'text')
      .map((c) => c.text ?? '')
      .join('');
    const usage: Usage = { inputTokens: m.usage?.input_tokens, outputTokens: m.usage?.output_tokens };
    const body = {
      id: m.id ?? 'chatcmpl-nines',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: publicModel,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: FINISH[m.stop_reason ?? ''] ?? 'stop',
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
  stream: (_endpoint, publicModel, includeUsage) => new AnthropicStream(publicModel, includeUsage),
};
