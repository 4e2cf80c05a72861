import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import { collect, eventually, startHarness, type Harness } from './test-harness.ts';

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type Tool = OpenAI.Chat.Completions.ChatCompletionTool;

const tools: Tool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The current weather in a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer' } },
        required: ['city'],
      },
    },
  },
  { type: 'function', function: { name: 'get_time' } },
];

/** What the simulated Anthropic provider fills in from get_weather's schema. */
const SIM_ARGS = { city: 'sim', days: 1 };

const question: Message = { role: 'user', content: 'What is the weather in Paris?' };

describe('gateway: OpenAI tools and images through the Anthropic adapter', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());
  beforeEach(() => {
    h.records.length = 0;
  });

  it('answers a forced tool call, not streamed', async () => {
    const r = await h.client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'system', content: 'use tools' }, question],
      tools,
      tool_choice: 'required',
    });
    const choice = r.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    const calls = choice.message.tool_calls ?? [];
    assert.equal(calls.length, 1);
    const c = calls[0]!;
    assert.equal(c.type, 'function');
    assert.match(c.id, /^toolu_sim_/);
    assert.ok(c.type === 'function');
    assert.equal(c.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(c.function.arguments), SIM_ARGS);
    assert.ok((r.usage?.completion_tokens ?? 0) > 0);
  });

  it('streams a named tool call as tool_calls deltas a client can put together', async () => {
    const stream = await h.client.chat.completions.create({
      model: 'claude',
      messages: [question],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      stream: true,
      stream_options: { include_usage: true },
    });
    const calls: { id?: string; name?: string; arguments: string }[] = [];
    let finish: string | null = null;
    let deltas = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      finish = choice.finish_reason ?? finish;
      for (const tc of choice.delta.tool_calls ?? []) {
        deltas++;
        const acc = (calls[tc.index] ??= { arguments: '' });
        if (tc.id) acc.id = tc.id;
        if (tc.function?.name) acc.name = tc.function.name;
        acc.arguments += tc.function?.arguments ?? '';
      }
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(calls.length, 1);
    assert.match(calls[0]!.id ?? '', /^toolu_sim_/);
    assert.equal(calls[0]!.name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0]!.arguments), SIM_ARGS);
    assert.ok(deltas >= 3, `the arguments arrive in pieces (${deltas} deltas)`);
    assert.ok((usage?.completion_tokens ?? 0) > 0);
    await eventually(() => h.records.length === 1);
    assert.equal(h.records[0]!.status, 200);
    assert.ok(h.records[0]!.stream);
  });

  it("the openai client's stream helper assembles the same tool call", async () => {
    const runner = h.client.chat.completions.stream({
      model: 'claude',
      messages: [question],
      tools,
      tool_choice: 'required',
    });
    const final = await runner.finalChatCompletion();
    const c = final.choices[0]!.message.tool_calls?.[0];
    assert.ok(c && c.type === 'function');
    assert.equal(c.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(c.function.arguments), SIM_ARGS);
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
  });

  it('sends tool results back and gets text that uses them, streamed and not', async () => {
    const first = await h.client.chat.completions.create({
      model: 'claude',
      messages: [question],
      tools,
      tool_choice: 'required',
    });
    const assistant = first.choices[0]!.message;
    const call = assistant.tool_calls![0]!;
    const messages: Message[] = [
      question,
      { role: 'assistant', content: assistant.content, tool_calls: assistant.tool_calls },
      { role: 'tool', tool_call_id: call.id, content: '{"temperature_c":21}' },
    ];
    const r = await h.client.chat.completions.create({
      model: 'claude',
      messages,
      tools,
      tool_choice: 'auto',
    });
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.equal(r.choices[0]!.message.tool_calls, undefined);
    assert.match(r.choices[0]!.message.content ?? '', /The tool returned: \{"temperature_c":21\}/);
    const text = await collect(
      await h.client.chat.completions.create({ model: 'claude', messages, tools, stream: true }),
    );
    assert.match(text, /^The tool returned: \{"temperature_c":21\}/);
  });

  it('merges parallel tool results and a following user message into one Anthropic turn', async () => {
    const messages: Message[] = [
      { role: 'user', content: 'Weather in Paris and Oslo?' },
      { role: 'user', content: 'Be quick.' },
      {
        role: 'assistant',
        content: 'Looking both up.',
        tool_calls: [
          {
            id: 'call_p',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'call_o', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_p', content: 'Paris 21C' },
      { role: 'tool', tool_call_id: 'call_o', content: 'Oslo 12C' },
      { role: 'user', content: 'Thanks!' },
    ];
    // The simulated provider refuses non-alternating roles and unpaired tool results with a 400,
    // as Anthropic does: this passes only because the adapter merged them.
    const r = await h.client.chat.completions.create({ model: 'claude', messages, tools });
    assert.match(r.choices[0]!.message.content ?? '', /The tool returned: Paris 21C; Oslo 12C/);
  });

  it('refuses tool call arguments that are not JSON with a 400 naming the call, tried once', async () => {
    const err = await h.client.chat.completions
      .create({
        model: 'claude',
        messages: [
          question,
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_x',
                type: 'function',
                function: { name: 'get_weather', arguments: '{city: Paris' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_x', content: 'r' },
        ],
        tools,
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.status, 400);
    assert.equal((err.error as { type?: string }).type, 'invalid_request_error');
    assert.match(err.message, /messages\[1\]\.tool_calls\[0\]\.function\.arguments/);
    assert.match(err.message, /call_x/);
    assert.doesNotMatch(
      err.message,
      /all attempts failed/,
      "the adapter's own message, not a failover summary",
    );
    assert.equal(err.param, 'messages[1].tool_calls[0].function.arguments');
    await eventually(() => h.records.length === 1);
    assert.equal(h.records[0]!.attempts, 1);
  });

  it('answers a json_schema response_format with JSON content, not streamed and streamed', async () => {
    const response_format = {
      type: 'json_schema',
      json_schema: {
        name: 'weather',
        strict: true,
        schema: {
          type: 'object',
          properties: { city: { type: 'string' }, celsius: { type: 'number' }, rainy: { type: 'boolean' } },
          required: ['city', 'celsius', 'rainy'],
          additionalProperties: false,
        },
      },
    } as const;
    const expected = { city: 'sim', celsius: 1, rainy: true };
    const r = await h.client.chat.completions.create({
      model: 'claude',
      messages: [question],
      response_format,
    });
    const choice = r.choices[0]!;
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.message.tool_calls, undefined);
    assert.deepEqual(JSON.parse(choice.message.content ?? ''), expected);
    assert.ok((r.usage?.completion_tokens ?? 0) > 0);

    const stream = await h.client.chat.completions.create({
      model: 'claude',
      messages: [question],
      response_format,
      stream: true,
    });
    let content = '';
    let pieces = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      if (!c) continue;
      assert.equal(c.delta.tool_calls, undefined);
      if (c.delta.content) {
        content += c.delta.content;
        pieces++;
      }
      finish = c.finish_reason ?? finish;
    }
    assert.equal(finish, 'stop');
    assert.ok(pieces >= 2, `the JSON arrives in pieces (${pieces})`);
    assert.deepEqual(JSON.parse(content), expected);
    await eventually(() => h.records.length === 2);
    assert.ok(h.records.every((rec) => rec.status === 200 && rec.attempts === 1));
  });

  it('answers a json_object response_format with a JSON object, streamed by the client helper', async () => {
    const r = await h.client.chat.completions.create({
      model: 'claude',
      messages: [question],
      response_format: { type: 'json_object' },
    });
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    const parsed = JSON.parse(r.choices[0]!.message.content ?? '') as unknown;
    assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed));
    const final = await h.client.chat.completions
      .stream({ model: 'claude', messages: [question], response_format: { type: 'json_object' } })
      .finalChatCompletion();
    assert.deepEqual(JSON.parse(final.choices[0]!.message.content ?? ''), parsed);
    assert.equal(final.choices[0]!.finish_reason, 'stop');
  });

  it('refuses an unknown response_format type with a 400 naming it, tried once', async () => {
    const err = await h.client.chat.completions
      .create({
        model: 'claude',
        messages: [question],
        response_format: { type: 'yaml' } as unknown as { type: 'text' },
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.match(err.message, /response_format\.type/);
    await eventually(() => h.records.length === 1);
    assert.equal(h.records[0]!.attempts, 1);
  });

  it('passes images through; the provider refuses an image type Anthropic does not take', async () => {
    const image = (url: string): Message => ({
      role: 'user',
      content: [
        { type: 'text', text: 'What is 2+3?' },
        { type: 'image_url', image_url: { url } },
      ],
    });
    const png = await h.client.chat.completions.create({
      model: 'claude',
      messages: [
        image('data:image/png;base64,iVBORw0KGgo='),
        { role: 'assistant', content: 'An image.' },
        image('https://example.com/a.jpg'),
      ],
    });
    assert.equal(png.choices[0]!.message.content, '5');
    await assert.rejects(
      h.client.chat.completions.create({ model: 'claude', messages: [image('data:image/bmp;base64,Qk0=')] }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /media_type/.test(e.message),
    );
  });
});
