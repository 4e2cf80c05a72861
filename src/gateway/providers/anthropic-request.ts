/**
 * OpenAI chat request → Anthropic Messages request. System and developer messages become
 * `system`; user, assistant and tool messages become alternating `user`/`assistant` turns made
 * of content blocks (text, image, tool_use, tool_result), consecutive turns of one role merged;
 * `tools`, `tool_choice` and `parallel_tool_calls` become their Anthropic equivalents.
 * `response_format` json_schema/json_object becomes one forced tool whose input is the answer
 * (as LiteLLM does it); the answer side turns that tool's input back into `content`.
 *
 * A malformed message (tool call arguments that are not a JSON object, an image URL that is
 * neither `data:…;base64,` nor http(s)) is the client's mistake: a VALIDATION error that is not
 * retried. A well-formed feature Anthropic has no equivalent for (audio or file parts, custom
 * tools) is retryable: another deployment of the route may serve it.
 */
import { NinesError } from '../../core/errors.ts';

type Block = Record<string, unknown>;
type Obj = Record<string, unknown>;

interface Turn {
  role: 'user' | 'assistant';
  content: string | Block[];
}

function asObj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The client sent something malformed: a 400, not tried elsewhere. */
function invalid(message: string, param: string): NinesError {
  return new NinesError('VALIDATION', message, { retryable: false, details: { param } });
}

/** Well-formed, but this adapter cannot express it: another deployment may. */
function unsupported(message: string, param: string): NinesError {
  return new NinesError('VALIDATION', `${message} (not supported by the Anthropic adapter)`, {
    retryable: true,
    details: { param },
  });
}

/** The text of a content value: a string, or the text parts of an array joined. */
function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const p of content) {
    const t = asObj(p)?.text;
    if (typeof t === 'string') out += t;
  }
  return out;
}

/** Anthropic tool ids must match `^[a-zA-Z0-9_-]+$`; ids from other providers are mapped alike on both sides. */
function toolId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

const DATA_URL = /^data:([^;,]+)(?:;[^;,]*)*?;base64,(.+)$/s;

function imageBlock(part: Obj, param: string): Block {
  const iu = part.image_url;
  const url = typeof iu === 'string' ? iu : asObj(iu)?.url;
  if (typeof url !== 'string' || url === '')
    throw invalid(`'${param}.image_url.url' must be a string`, param);
  const m = DATA_URL.exec(url);
  if (m) return { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } };
  if (url.startsWith('data:'))
    throw invalid(`'${param}.image_url.url' must be a base64 data URL (data:<mime>;base64,<data>)`, param);
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalid(`'${param}.image_url.url' must be a data: URL or an http(s) URL`, param);
}

/** User content: a string stays a string when it has only text; images make it blocks. */
function userContent(content: unknown, i: number): string | Block[] {
  if (!Array.isArray(content)) return text(content);
  if (content.every((p) => asObj(p)?.type === 'text')) return text(content);
  const blocks: Block[] = [];
  content.forEach((raw, j) => {
    const param = `messages[${i}].content[${j}]`;
    const part = asObj(raw);
    if (!part) throw invalid(`'${param}' must be an object`, param);
    if (part.type === 'text') {
      if (typeof part.text !== 'string') throw invalid(`'${param}.text' must be a string`, param);
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'image_url') {
      blocks.push(imageBlock(part, param));
    } else {
      throw unsupported(`'${param}' has content type ${JSON.stringify(part.type)}`, param);
    }
  });
  return blocks;
}

/** Assistant content: its text, then one tool_use block per tool call. */
function assistantContent(m: Obj, i: number): string | Block[] {
  const calls = m.tool_calls;
  if (calls === undefined || calls === null || (Array.isArray(calls) && calls.length === 0))
    return text(m.content);
  if (!Array.isArray(calls)) throw invalid(`'messages[${i}].tool_calls' must be an array`, `messages[${i}]`);
  const blocks: Block[] = [];
  const t = text(m.content);
  if (t !== '') blocks.push({ type: 'text', text: t });
  calls.forEach((raw, j) => {
    const param = `messages[${i}].tool_calls[${j}]`;
    const call = asObj(raw);
    if (call && call.type !== undefined && call.type !== 'function')
      throw unsupported(`'${param}' is a ${JSON.stringify(call.type)} tool call`, param);
    const fn = asObj(call?.function);
    if (!call || typeof call.id !== 'string' || call.id === '' || !fn || typeof fn.name !== 'string')
      throw invalid(`'${param}' must have a string 'id' and a 'function' with a string 'name'`, param);
    const args = fn.arguments ?? '';
    if (typeof args !== 'string') throw invalid(`'${param}.function.arguments' must be a string`, param);
    let input: unknown = {};
    if (args.trim() !== '') {
      try {
        input = JSON.parse(args);
      } catch (err) {
        throw invalid(
          `'${param}.function.arguments' (tool call ${JSON.stringify(call.id)}) is not valid JSON: ${(err as Error).message}`,
          `${param}.function.arguments`,
        );
      }
    }
    if (!asObj(input))
      throw invalid(
        `'${param}.function.arguments' (tool call ${JSON.stringify(call.id)}) must be a JSON object`,
        `${param}.function.arguments`,
      );
    blocks.push({ type: 'tool_use', id: toolId(call.id), name: fn.name, input });
  });
  return blocks;
}

function toolResult(m: Obj, i: number): Block {
  if (typeof m.tool_call_id !== 'string' || m.tool_call_id === '')
    throw invalid(`'messages[${i}].tool_call_id' must be a non-empty string`, `messages[${i}].tool_call_id`);
  const block: Block = { type: 'tool_result', tool_use_id: toolId(m.tool_call_id) };
  const content = text(m.content);
  if (content !== '') block.content = content;
  return block;
}

function blocksOf(content: string | Block[]): Block[] {
  if (typeof content !== 'string') return content;
  return content === '' ? [] : [{ type: 'text', text: content }];
}

/** Anthropic wants alternating roles: consecutive turns of one role become one, blocks concatenated. */
function merge(turns: Turn[]): Turn[] {
  const out: Turn[] = [];
  for (const t of turns) {
    const prev = out[out.length - 1];
    if (prev && prev.role === t.role) prev.content = [...blocksOf(prev.content), ...blocksOf(t.content)];
    else out.push({ ...t });
  }
  return out;
}

/** The conversation turns of an OpenAI `messages` array (system/developer excluded). */
function turns(msgs: unknown[]): Turn[] {
  const out: Turn[] = [];
  msgs.forEach((raw, i) => {
    const m = asObj(raw) ?? {};
    if (m.role === 'system' || m.role === 'developer') return;
    if (m.role === 'assistant') out.push({ role: 'assistant', content: assistantContent(m, i) });
    else if (m.role === 'tool') out.push({ role: 'user', content: [toolResult(m, i)] });
    else out.push({ role: 'user', content: userContent(m.content, i) });
  });
  return merge(out);
}

function toTools(tools: unknown): Block[] {
  if (!Array.isArray(tools)) throw invalid("'tools' must be an array", 'tools');
  return tools.map((raw, i) => {
    const t = asObj(raw);
    if (t && t.type !== 'function')
      throw unsupported(`'tools[${i}]' is a ${JSON.stringify(t.type)} tool`, `tools[${i}]`);
    const fn = asObj(t?.function);
    if (!fn || typeof fn.name !== 'string' || fn.name === '')
      throw invalid(`'tools[${i}].function.name' must be a non-empty string`, `tools[${i}]`);
    const tool: Block = { name: fn.name };
    if (typeof fn.description === 'string') tool.description = fn.description;
    tool.input_schema = asObj(fn.parameters) ?? { type: 'object', properties: {} };
    return tool;
  });
}

const CHOICES: Record<string, string> = { auto: 'auto', required: 'any', none: 'none' };

function toToolChoice(choice: unknown, parallel: unknown, hasTools: boolean): Block | undefined {
  let out: Block | undefined;
  if (choice === undefined || choice === null) {
    if (hasTools && parallel === false) out = { type: 'auto' };
  } else if (typeof choice === 'string') {
    const type = CHOICES[choice];
    if (!type) throw invalid("'tool_choice' must be 'auto', 'required', 'none' or a function", 'tool_choice');
    out = { type };
  } else {
    const c = asObj(choice);
    const name = asObj(c?.function)?.name;
    if (c && c.type !== 'function' && typeof c.type === 'string')
      throw unsupported(`'tool_choice' of type ${JSON.stringify(c.type)}`, 'tool_choice');
    if (typeof name !== 'string' || name === '')
      throw invalid("'tool_choice.function.name' must be a non-empty string", 'tool_choice');
    out = { type: 'tool', name };
  }
  if (out && parallel === false && out.type !== 'none') out.disable_parallel_tool_use = true;
  return out;
}

const ANSWER_TOOL = 'json_output';
const ANSWER_DESCRIPTION = 'Answer with this tool: its input is the JSON answer.';

/**
 * True when `response_format` asks for JSON (json_schema or json_object): the request then
 * forces the answer tool, and the answer or stream gives its input back as `content`.
 */
export function jsonMode(body: Record<string, unknown> | undefined): boolean {
  const type = asObj(body?.response_format)?.type;
  return type === 'json_schema' || type === 'json_object';
}

/** The tool a JSON `response_format` becomes; undefined for none or `text`. */
function answerTool(format: unknown): Block | undefined {
  if (format === undefined || format === null) return undefined;
  const rf = asObj(format);
  if (!rf) throw invalid("'response_format' must be an object", 'response_format');
  if (rf.type === 'text') return undefined;
  if (rf.type === 'json_object')
    return { name: ANSWER_TOOL, description: ANSWER_DESCRIPTION, input_schema: { type: 'object' } };
  if (rf.type !== 'json_schema')
    throw invalid(
      `'response_format.type' must be 'text', 'json_object' or 'json_schema', not ${JSON.stringify(rf.type)}`,
      'response_format.type',
    );
  const js = asObj(rf.json_schema);
  if (!js) throw invalid("'response_format.json_schema' must be an object", 'response_format.json_schema');
  if (js.schema !== undefined && !asObj(js.schema))
    throw invalid(
      "'response_format.json_schema.schema' must be an object",
      'response_format.json_schema.schema',
    );
  const name = typeof js.name === 'string' && js.name !== '' ? js.name : ANSWER_TOOL;
  return { name, description: ANSWER_DESCRIPTION, input_schema: asObj(js.schema) ?? { type: 'object' } };
}

/** Builds the Messages body from an OpenAI chat body; throws VALIDATION for what cannot be sent. */
export function toMessagesBody(body: Record<string, unknown>, model: string): Record<string, unknown> {
  const msgs = body.messages as unknown[];
  const system = msgs
    .map((m) => asObj(m) ?? {})
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => text(m.content));
  const out: Record<string, unknown> = {
    model,
    messages: turns(msgs),
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? 4096,
  };
  if (system.length > 0) out.system = system.join('\n');
  if (typeof body.temperature === 'number') out.temperature = Math.min(1, body.temperature);
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (body.stop !== undefined && body.stop !== null)
    out.stop_sequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  const tools = body.tools === undefined || body.tools === null ? [] : toTools(body.tools);
  if (tools.length > 0) out.tools = tools;
  const choice = toToolChoice(body.tool_choice, body.parallel_tool_calls, tools.length > 0);
  if (choice) out.tool_choice = choice;
  const answer = answerTool(body.response_format);
  if (answer) {
    if (tools.length > 0) throw unsupported("'response_format' together with 'tools'", 'response_format');
    out.tools = [answer];
    out.tool_choice = { type: 'tool', name: answer.name };
  }
  if (body.stream === true) out.stream = true;
  return out;
}
