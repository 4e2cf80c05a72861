import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isNinesError } from '../../core/errors.ts';
import { anthropicAdapter, toMessagesBody } from './anthropic.ts';
import { AnthropicStream } from './anthropic-stream.ts';
import type { ResolvedProvider } from './types.ts';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const call = (id: string, args: string, name = 'get_weather') => ({
  id,
  type: 'function',
  function: { name, arguments: args },
});

describe('anthropic request mapping', () => {
  it('keeps text-only requests as they were', () => {
    const out = toMessagesBody(
      {
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'developer', content: [{ type: 'text', text: 'and kind' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hi ' },
              { type: 'text', text: 'there' },
            ],
          },
          { role: 'assistant', content: 'hello' },
          { role: 'user', content: 'bye' },
        ],
        temperature: 1.5,
        top_p: 0.9,
        stop: 'END',
        max_tokens: 50,
        stream: true,
      },
      'claude-x',
    );
    assert.deepEqual(out, {
      model: 'claude-x',
      messages: [
        { role: 'user', content: 'hi there' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'bye' },
      ],
      max_tokens: 50,
      system: 'be brief\nand kind',
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['END'],
      stream: true,
    });
  });

  it('maps tools, with a default schema when parameters are absent', () => {
    const out = toMessagesBody(
      {
        messages: [{ role: 'user', content: 'x' }],
        tools: [weatherTool, { type: 'function', function: { name: 'now' } }],
      },
      'm',
    );
    assert.deepEqual(out.tools, [
      {
        name: 'get_weather',
        description: 'The weather in a city',
        input_schema: weatherTool.function.parameters,
      },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    assert.equal(out.tool_choice, undefined);
  });

  it('maps tool_choice and parallel_tool_calls', () => {
    const choice = (tool_choice: unknown, parallel_tool_calls?: boolean) =>
      toMessagesBody(
        {
          messages: [{ role: 'user', content: 'x' }],
          tools: [weatherTool],
          tool_choice,
          parallel_tool_calls,
        },
        'm',
      ).tool_choice;
    assert.deepEqual(choice('auto'), { type: 'auto' });
    assert.deepEqual(choice('required'), { type: 'any' });
    assert.deepEqual(choice('none'), { type: 'none' });
    assert.deepEqual(choice({ type: 'function', function: { name: 'get_weather' } }), {
      type: 'tool',
      name: 'get_weather',
    });
    assert.deepEqual(choice('required', false), { type: 'any', disable_parallel_tool_use: true });
    assert.deepEqual(choice({ type: 'function', function: { name: 'get_weather' } }, false), {
      type: 'tool',
      name: 'get_weather',
      disable_parallel_tool_use: true,
    });
    assert.deepEqual(choice(undefined, false), { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(choice('none', false), { type: 'none' });
    assert.equal(choice(undefined, true), undefined);
  });

  it('turns tool calls into tool_use blocks and merges tool results with the next user message', () => {
    const out = toMessagesBody(
      {
        messages: [
          { role: 'system', content: 's' },
          { role: 'user', content: 'weather in Paris and Oslo?' },
          {
            role: 'assistant',
            content: 'Let me look.',
            tool_calls: [call('call_1', '{"city":"Paris"}'), call('call.2', '{"city": "Oslo"}')],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '21C' },
          { role: 'tool', tool_call_id: 'call.2', content: [{ type: 'text', text: '12C' }] },
          { role: 'user', content: 'and tomorrow?' },
          { role: 'assistant', content: null, tool_calls: [call('call_3', '')] },
          { role: 'tool', tool_call_id: 'call_3', content: '' },
        ],
      },
      'm',
    );
    assert.deepEqual(out.messages, [
      { role: 'user', content: 'weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '21C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: '12C' },
          { type: 'text', text: 'and tomorrow?' },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_3', name: 'get_weather', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_3' }] },
    ]);
  });

  it('merges consecutive messages of one role, also across a removed system message', () => {
    const out = toMessagesBody(
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'system', content: 's' },
          { role: 'user', content: [{ type: 'text', text: 'b' }] },
          { role: 'assistant', content: 'c' },
          { role: 'assistant', content: '' },
          { role: 'assistant', content: 'd' },
        ],
      },
      'm',
    );
    assert.deepEqual(out.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'c' },
          { type: 'text', text: 'd' },
        ],
      },
    ]);
  });

  it('maps image parts: base64 data URLs and http(s) URLs', () => {
    const out = toMessagesBody(
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            ],
          },
        ],
      },
      'm',
    );
    assert.deepEqual(out.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  const refusal = (body: Record<string, unknown>) => {
    try {
      toMessagesBody(body, 'm');
    } catch (err) {
      assert.ok(isNinesError(err, 'VALIDATION'), String(err));
      return err;
    }
    assert.fail('expected a VALIDATION error');
  };

  it('refuses tool call arguments that are not a JSON object, naming the message and call, not retryable', () => {
    const messages = (args: string) => [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, tool_calls: [call('call_ok', '{}'), call('call_bad', args)] },
      { role: 'tool', tool_call_id: 'call_ok', content: 'r' },
    ];
    for (const args of ['{"city": Paris}', '[1,2]', '"s"']) {
      const err = refusal({ messages: messages(args) });
      assert.equal(err.retryable, false);
      assert.match(err.message, /messages\[1\]\.tool_calls\[1\]\.function\.arguments/);
      assert.match(err.message, /call_bad/);
      assert.equal(err.details.param, 'messages[1].tool_calls[1].function.arguments');
    }
  });

  it('refuses malformed images and tool messages (not retryable), unsupported parts (retryable)', () => {
    const user = (part: object) => ({ messages: [{ role: 'user', content: [part] }] });
    let err = refusal(user({ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }));
    assert.equal(err.retryable, false);
    assert.match(err.message, /messages\[0\]\.content\[0\]/);
    err = refusal(user({ type: 'image_url', image_url: { url: 'data:image/png,rawbytes' } }));
    assert.equal(err.retryable, false);
    err = refusal({ messages: [{ role: 'tool', content: 'r' }] });
    assert.equal(err.retryable, false);
    assert.match(err.message, /messages\[0\]\.tool_call_id/);
    err = refusal(user({ type: 'input_audio', input_audio: { data: 'AA==', format: 'wav' } }));
    assert.equal(err.retryable, true);
    assert.match(err.message, /not supported by the Anthropic adapter/);
  });

  it('maps response_format json_schema and json_object to one forced answer tool; text to nothing', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const format = (response_format: unknown, extra: Record<string, unknown> = {}) =>
      toMessagesBody({ messages: [{ role: 'user', content: 'x' }], response_format, ...extra }, 'm');
    const description = 'Answer with this tool: its input is the JSON answer.';
    let out = format({ type: 'json_schema', json_schema: { name: 'count', schema, strict: true } });
    assert.deepEqual(out.tools, [{ name: 'count', description, input_schema: schema }]);
    assert.deepEqual(out.tool_choice, { type: 'tool', name: 'count' });
    out = format({ type: 'json_schema', json_schema: { schema } }, { tool_choice: 'auto' });
    assert.deepEqual(out.tools, [{ name: 'json_output', description, input_schema: schema }]);
    assert.deepEqual(out.tool_choice, { type: 'tool', name: 'json_output' });
    out = format({ type: 'json_object' });
    assert.deepEqual(out.tools, [{ name: 'json_output', description, input_schema: { type: 'object' } }]);
    assert.deepEqual(out.tool_choice, { type: 'tool', name: 'json_output' });
    out = format({ type: 'text' });
    assert.equal(out.tools, undefined);
    assert.equal(out.tool_choice, undefined);
  });

  it('refuses a bad response_format type (not retryable), and response_format with tools (retryable)', () => {
    const base = { messages: [{ role: 'user', content: 'x' }] };
    let err = refusal({ ...base, response_format: { type: 'yaml' } });
    assert.equal(err.retryable, false);
    assert.match(err.message, /response_format\.type/);
    assert.equal(err.details.param, 'response_format.type');
    err = refusal({ ...base, response_format: { type: 'json_object' }, tools: [weatherTool] });
    assert.equal(err.retryable, true);
    assert.match(err.message, /response_format.*not supported by the Anthropic adapter/);
    // Without the JSON format, the same tools pass.
    assert.equal(
      (toMessagesBody({ ...base, response_format: { type: 'text' }, tools: [weatherTool] }, 'm').tools as [])
        .length,
      1,
    );
  });

  it('builds the upstream request with the Anthropic headers', () => {
    const provider: ResolvedProvider = {
      name: 'c',
      kind: 'anthropic',
      origin: 'http://x',
      basePath: '',
      apiKey: 'k',
      headers: {},
      streamUsage: false,
    };
    const req = anthropicAdapter.request(
      'chat',
      { messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], tool_choice: 'required' },
      'claude-x',
      provider,
    );
    assert.equal(req.path, '/v1/messages');
    assert.equal(req.headers['x-api-key'], 'k');
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    const sent = JSON.parse(String(req.body)) as { tool_choice: unknown };
    assert.deepEqual(sent.tool_choice, { type: 'any' });
  });
});

describe('anthropic response mapping', () => {
  const respond = (message: object, request?: Record<string, unknown>) =>
    JSON.parse(
      anthropicAdapter.response('chat', Buffer.from(JSON.stringify(message)), 'pub', request).body.toString(),
    ) as {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
      usage: { total_tokens: number };
    };

  it('maps tool_use blocks to tool_calls, content null without text', () => {
    const r = respond({
      id: 'msg_1',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 5 },
    });
    assert.deepEqual(r.choices[0]!.message, {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    });
    assert.equal(r.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(r.usage.total_tokens, 15);
  });

  it('keeps text beside tool calls, and text-only answers as before', () => {
    const both = respond({
      content: [
        { type: 'text', text: 'Let me ' },
        { type: 'text', text: 'check.' },
        { type: 'tool_use', id: 't1', name: 'a', input: {} },
        { type: 'tool_use', id: 't2', name: 'b', input: { n: 1 } },
      ],
      stop_reason: 'tool_use',
    });
    const m = both.choices[0]!.message as {
      content: string;
      tool_calls: { function: { arguments: string } }[];
    };
    assert.equal(m.content, 'Let me check.');
    assert.deepEqual(
      m.tool_calls.map((c) => c.function.arguments),
      ['{}', '{"n":1}'],
    );
    const text = respond({ content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn' });
    assert.deepEqual(text.choices[0]!.message, { role: 'assistant', content: 'hi', refusal: null });
    assert.equal(text.choices[0]!.finish_reason, 'stop');
    const empty = respond({ content: [], stop_reason: 'max_tokens' });
    assert.equal(empty.choices[0]!.message.content, '');
    assert.equal(empty.choices[0]!.finish_reason, 'length');
  });

  it('gives the forced answer tool input as content for a JSON response_format, finishing as stop', () => {
    const answer = {
      content: [{ type: 'tool_use', id: 'toolu_j', name: 'count', input: { n: 3, s: 'é' } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 4, output_tokens: 6 },
    };
    const request = {
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'count', schema: { type: 'object' } } },
    };
    const r = respond(answer, request);
    assert.deepEqual(r.choices[0]!.message, { role: 'assistant', content: '{"n":3,"s":"é"}', refusal: null });
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.equal(r.usage.total_tokens, 10);
    const obj = respond(answer, { ...request, response_format: { type: 'json_object' } });
    assert.equal(obj.choices[0]!.message.content, '{"n":3,"s":"é"}');
    // A text format, or no request at all, keeps the tool call a tool call.
    for (const other of [{ ...request, response_format: { type: 'text' } }, undefined]) {
      const t = respond(answer, other);
      assert.equal(t.choices[0]!.message.content, null);
      assert.equal(t.choices[0]!.finish_reason, 'tool_calls');
    }
  });
});

describe('anthropic stream translation', () => {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const upstream = [
    ev('message_start', { message: { id: 'msg_s', usage: { input_tokens: 9, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', {}),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Café ☕ ' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'first. 🌧' } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', {
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} },
    }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
    ev('content_block_delta', {
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"city": "Zü' },
    }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: 'rich"}' } }),
    ev('content_block_stop', { index: 1 }),
    ev('content_block_start', {
      index: 2,
      content_block: { type: 'tool_use', id: 'toolu_b', name: 'now', input: {} },
    }),
    ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } }),
    ev('content_block_stop', { index: 2 }),
    ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 30 } }),
    ev('message_stop', {}),
  ].join('');
  const bytes = Buffer.from(upstream);

  interface Chunk {
    id: string;
    choices: {
      delta: {
        content?: string;
        tool_calls?: {
          index: number;
          id?: string;
          type?: string;
          function: { name?: string; arguments: string };
        }[];
      };
      finish_reason: string | null;
    }[];
    usage?: { prompt_tokens: number; completion_tokens: number };
  }

  /** Feeds `bytes` cut at `cuts`; returns the parsed chunks, whether [DONE] came, and the content flags. */
  function run(cuts: number[]) {
    const t = new AnthropicStream('pub', true);
    let out = '';
    let text = '';
    let done = false;
    let firstContentAt = -1;
    const edges = [0, ...cuts, bytes.length];
    for (let i = 0; i + 1 < edges.length; i++) {
      const step = t.push(bytes.subarray(edges[i], edges[i + 1]));
      assert.equal(step.error, undefined);
      out += String(step.out);
      text += step.text;
      done ||= step.done;
      if (step.content && firstContentAt === -1) firstContentAt = i;
    }
    const frames = out.split('\n\n').filter(Boolean);
    assert.equal(frames.at(-1), 'data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice('data: '.length)) as Chunk);
    return { chunks, text, done, firstContentAt };
  }

  /** Accumulates chunks the way an OpenAI client does. */
  function accumulate(chunks: Chunk[]) {
    let content = '';
    let finish: string | null = null;
    const calls: { id?: string; name?: string; arguments: string }[] = [];
    for (const c of chunks) {
      const choice = c.choices[0];
      if (!choice) continue;
      content += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
      for (const tc of choice.delta.tool_calls ?? []) {
        const acc = (calls[tc.index] ??= { arguments: '' });
        if (tc.id) acc.id = tc.id;
        if (tc.function.name) acc.name = tc.function.name;
        acc.arguments += tc.function.arguments;
      }
    }
    return { content, finish, calls };
  }

  it('maps text deltas, tool_use blocks and input_json_delta pieces to OpenAI chunks', () => {
    const { chunks, text, done } = run([]);
    assert.ok(done);
    assert.equal(text, 'Café ☕ first. 🌧');
    assert.ok(chunks.every((c) => c.id === 'msg_s'));
    const starts = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((tc) => tc.id);
    assert.deepEqual(starts, [
      { index: 0, id: 'toolu_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, id: 'toolu_b', type: 'function', function: { name: 'now', arguments: '' } },
    ]);
    const acc = accumulate(chunks);
    assert.equal(acc.content, 'Café ☕ first. 🌧');
    assert.equal(acc.finish, 'tool_calls');
    assert.deepEqual(
      acc.calls.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) as unknown })),
      [
        { id: 'toolu_a', name: 'get_weather', arguments: { city: 'Zürich' } },
        { id: 'toolu_b', name: 'now', arguments: {} },
      ],
    );
    assert.deepEqual(chunks.at(-1)!.usage, { prompt_tokens: 9, completion_tokens: 30, total_tokens: 39 });
  });

  it('a tool call counts as content (the first-token signal)', () => {
    const toolOnly = [
      ev('message_start', { message: { id: 'm' } }),
      ev('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 't', name: 'f', input: {} },
      }),
    ].join('');
    const t = new AnthropicStream('pub', false);
    const first = t.push(Buffer.from(toolOnly.slice(0, toolOnly.indexOf('event: content_block_start'))));
    assert.equal(first.content, false);
    const second = t.push(Buffer.from(toolOnly.slice(toolOnly.indexOf('event: content_block_start'))));
    assert.equal(second.content, true);
    assert.equal(second.text, '');
  });

  it('gives the same answer whatever the chunk boundaries, even inside UTF-8 characters', () => {
    const whole = accumulate(run([]).chunks);
    // Every single split point, then byte-by-byte, then a few multi-cut patterns.
    for (let at = 1; at < bytes.length; at++) assert.deepEqual(accumulate(run([at]).chunks), whole);
    const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    const bytewise = run(everyByte);
    assert.deepEqual(accumulate(bytewise.chunks), whole);
    assert.equal(bytewise.text, 'Café ☕ first. 🌧');
    for (const step of [3, 7, 64]) {
      const cuts = [];
      for (let at = step; at < bytes.length; at += step) cuts.push(at);
      assert.deepEqual(accumulate(run(cuts).chunks), whole);
    }
  });

  it('streams the answer tool input of a JSON response_format as content, finishing as stop', () => {
    const json = [
      ev('message_start', { message: { id: 'msg_j', usage: { input_tokens: 3 } } }),
      ev('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_j', name: 'json_output', input: {} },
      }),
      ev('ping', {}),
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '' } }),
      ev('content_block_delta', {
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"city": "Zü' },
      }),
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: 'rich"}' } }),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 7 } }),
      ev('message_stop', {}),
    ];
    const request = { messages: [], response_format: { type: 'json_object' } };
    const t = anthropicAdapter.stream('chat', 'pub', false, false, request);
    const steps = json.map((frame) => t.push(Buffer.from(frame)));
    assert.deepEqual(
      steps.map((s) => s.content),
      [false, false, false, false, true, true, false, false, false],
      'the first input piece is the first token',
    );
    assert.equal(steps.map((s) => s.text).join(''), '{"city": "Zürich"}');
    const frames = steps
      .map((s) => String(s.out))
      .join('')
      .split('\n\n')
      .filter(Boolean);
    assert.equal(frames.at(-1), 'data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice('data: '.length)) as Chunk);
    assert.ok(chunks.every((c) => c.choices[0]!.delta.tool_calls === undefined));
    const acc = accumulate(chunks);
    assert.deepEqual(JSON.parse(acc.content), { city: 'Zürich' });
    assert.equal(acc.finish, 'stop');
    assert.deepEqual(acc.calls, []);
    // Without the JSON format the same events are a tool call.
    const plain = anthropicAdapter.stream('chat', 'pub', false, false, { messages: [] });
    const out = json.map((frame) => String(plain.push(Buffer.from(frame)).out)).join('');
    assert.match(out, /"tool_calls"/);
    assert.match(out, /"finish_reason":"tool_calls"/);
  });

  it('reports an error event and a frame that is not JSON', () => {
    const t = new AnthropicStream('pub', false);
    const step = t.push(
      Buffer.from(ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })),
    );
    assert.match(step.error ?? '', /Overloaded/);
    const bad = new AnthropicStream('pub', false).push(Buffer.from('data: {"type":\n\n'));
    assert.match(bad.error ?? '', /not valid JSON/);
  });
});
