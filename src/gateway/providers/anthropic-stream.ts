/**
 * Anthropic Messages event stream → OpenAI chat completion chunks, frame by frame.
 * message_start → the role chunk; text_delta → `delta.content`; a tool_use content block →
 * `delta.tool_calls[{index, id, type, function:{name, arguments:''}}]` and each of its
 * input_json_delta pieces → `delta.tool_calls[{index, function:{arguments}}]`, where `index`
 * counts the message's tool calls from 0; message_delta → the finish chunk; message_stop →
 * the usage chunk (when asked for) and `[DONE]`. For a JSON `response_format` (`json`), the
 * forced tool's input_json_delta pieces are `delta.content` instead, finishing as `stop`.
 *
 * `SseLines` holds a partial line (and a split multi-byte UTF-8 character) back for the next chunk.
 */
import { dataOf, SseLines } from './sse-lines.ts';
import type { StreamStep, StreamTranslator, Usage } from './types.ts';

/** Anthropic `stop_reason` → OpenAI `finish_reason` (unknown reasons finish as `stop`). */
const FINISH_REASONS: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
};

/**
 * The OpenAI `finish_reason` of an Anthropic `stop_reason`. `json` (a JSON `response_format`):
 * stopping for the forced tool is the answer's normal end, `stop`.
 */
export function finishReason(stopReason: string | undefined, json: boolean): string {
  if (json && stopReason === 'tool_use') return 'stop';
  return FINISH_REASONS[stopReason ?? ''] ?? 'stop';
}

interface StreamEvent {
  type?: string;
  index?: number;
  message?: { id?: string; usage?: { input_tokens?: number } };
  content_block?: { type?: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
  usage?: { output_tokens?: number };
  error?: { message?: string };
}

/** Translates one Anthropic stream into OpenAI chat chunks for the gateway's stream stages. */
export class AnthropicStream implements StreamTranslator {
  private readonly lines = new SseLines();
  private id = 'chatcmpl-nines';
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: Usage = {};
  /** Anthropic content-block index → OpenAI tool call index. */
  private readonly toolIndex = new Map<number, number>();

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
    /** A JSON `response_format`: the forced tool's input is the answer's content. */
    private readonly json = false,
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
      let ev: StreamEvent;
      try {
        ev = JSON.parse(data) as StreamEvent;
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
        case 'content_block_start': {
          const block = ev.content_block;
          if (block?.type !== 'tool_use' || ev.index === undefined) break;
          const index = this.toolIndex.size;
          this.toolIndex.set(ev.index, index);
          if (this.json) break; // its input arrives as content
          const call = {
            index,
            id: block.id,
            type: 'function',
            function: { name: block.name, arguments: '' },
          };
          step.out += this.frame({ tool_calls: [call] }, null);
          step.content = true;
          break;
        }
        case 'content_block_delta':
          if (ev.delta?.type === 'text_delta' && ev.delta.text) {
            step.out += this.frame({ content: ev.delta.text }, null);
            step.text += ev.delta.text;
            step.content = true;
          } else if (ev.delta?.type === 'input_json_delta' && ev.delta.partial_json) {
            const index = this.toolIndex.get(ev.index ?? -1);
            if (index === undefined) break;
            if (this.json) {
              step.out += this.frame({ content: ev.delta.partial_json }, null);
              step.text += ev.delta.partial_json;
              step.content = true;
              break;
            }
            const call = { index, function: { arguments: ev.delta.partial_json } };
            step.out += this.frame({ tool_calls: [call] }, null);
            step.content = true;
          }
          break;
        case 'message_delta': {
          if (ev.usage?.output_tokens !== undefined) this.usage.outputTokens = ev.usage.output_tokens;
          step.out += this.frame({}, finishReason(ev.delta?.stop_reason, this.json));
          step.usage = { ...this.usage };
          break;
        }
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
          break; // ping, content_block_stop, other block types (thinking…)
      }
    }
    return step;
  }
}
