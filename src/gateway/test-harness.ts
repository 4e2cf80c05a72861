/**
 * Test harness (used by *.test.ts only): a sim server with providers `a`, `b` (OpenAI) and
 * `claude` (Anthropic), a gateway in front of them on loopback, the official openai client,
 * and the records the gateway wrote.
 */
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import type { GatewayConfigInput } from '../config/gateway.ts';
import { startSimServer, type SimServer } from '../sim/index.ts';
import type { RequestRecord } from '../store/types.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { hashKey } from './keys.ts';

/** The virtual key the harness client uses. */
export const TEST_KEY = 'nines-test-key-0123456789';

/** A running sim + gateway + client. */
export interface Harness {
  sim: SimServer;
  gateway: Gateway;
  url: string;
  client: OpenAI;
  records: RequestRecord[];
  registry: Registry;
  close(): Promise<void>;
}

/** Options: extra route settings merged into the default route `m` (deployments a then b). */
export interface HarnessOptions {
  route?: Partial<NonNullable<GatewayConfigInput['routes']>[number]>;
  gateway?: Partial<GatewayConfigInput>;
  streamChunks?: number;
}

/** Starts the sim and a gateway with route `m` → [a/sim-model, b/sim-model] and route `claude`. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const models = ['sim-model', 'text-embedding-3-small'];
  const sim = await startSimServer({
    providers: [
      {
        name: 'a',
        kind: 'openai',
        models,
        apiKey: 'upstream-secret-a',
        streamChunks: opts.streamChunks ?? 8,
      },
      {
        name: 'b',
        kind: 'openai',
        models,
        apiKey: 'upstream-secret-b',
        streamChunks: opts.streamChunks ?? 8,
      },
      {
        name: 'claude',
        kind: 'anthropic',
        models: ['claude-sim'],
        apiKey: 'upstream-secret-c',
        streamChunks: 8,
      },
    ],
    seed: 7,
  });
  const records: RequestRecord[] = [];
  const registry = new Registry();
  const gateway = createGateway(
    {
      port: 0,
      adminToken: '${ADMIN}',
      providers: [
        { name: 'a', baseUrl: sim.baseUrl('a'), apiKey: '${KEY_A}' },
        { name: 'b', baseUrl: sim.baseUrl('b'), apiKey: '${KEY_B}' },
        { name: 'claude', kind: 'anthropic', baseUrl: sim.baseUrl('claude'), apiKey: '${KEY_C}' },
      ],
      routes: [
        {
          model: 'm',
          deployments: [
            { name: 'a', provider: 'a', model: 'sim-model' },
            { name: 'b', provider: 'b', model: 'sim-model' },
          ],
          deadlines: { attempt: '2s', total: '5s', firstToken: '1s', idle: '1s' },
          retry: { maxAttempts: 3, backoff: 10, maxRetryAfter: '1s' },
          ...opts.route,
        },
        {
          model: 'emb',
          deployments: [{ provider: 'a', model: 'text-embedding-3-small' }],
          cache: { enabled: true },
        },
        { model: 'claude', deployments: [{ provider: 'claude', model: 'claude-sim' }] },
      ],
      keys: [{ id: 'app', hash: hashKey(TEST_KEY), rpm: 10_000 }],
      breaker: { consecutiveFailures: 3, cooldown: '30s' },
      ...opts.gateway,
    },
    {
      recorder: { record: (r) => void records.push(r) },
      registry,
      env: {
        KEY_A: 'upstream-secret-a',
        KEY_B: 'upstream-secret-b',
        KEY_C: 'upstream-secret-c',
        ADMIN: 'admin-token-xyz',
      },
    },
  );
  const { url } = await gateway.listen(0, '127.0.0.1');
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: TEST_KEY, maxRetries: 0, timeout: 10_000 });
  return {
    sim,
    gateway,
    url,
    client,
    records,
    registry,
    async close() {
      await gateway.close();
      await sim.close();
    },
  };
}

/** Waits until `pred` holds (records are written just after the response ends). */
export async function eventually(pred: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Collects a chat stream's text. */
export async function collect(
  stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>,
): Promise<string> {
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
  return text;
}
