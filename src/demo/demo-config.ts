/**
 * The demo's config, built in code around the simulated providers: one probe per provider API
 * (chat streaming and not, embeddings, Anthropic, vLLM-style, KServe), with labels to group by.
 */
import { configSchema } from '../config/schema.ts';
import { applyDefaults, type Config } from '../config/resolve.ts';

/** Where the demo keeps its data and listens. */
export interface DemoSettings {
  /** Base URL of each simulated provider, by name (from the sim server). */
  providerUrls: Record<string, string>;
  dbPath: string;
  port: number;
  adminToken: string;
}

/** The targets, gateway routes and SLOs of the demo. */
export function demoConfig(s: DemoSettings): Config {
  const url = (name: string) => {
    const u = s.providerUrls[name];
    if (!u) throw new Error(`demo: no simulated provider ${name}`);
    return u;
  };
  const input = configSchema.parse({
    server: { host: '127.0.0.1', port: s.port },
    storage: { sqlite: { path: s.dbPath } },
    auth: { tokens: [{ name: 'demo-admin', role: 'admin', token: s.adminToken }] },
    defaults: { interval: '10s', timeout: '5s', failureThreshold: 2, successThreshold: 2 },
    targets: [
      {
        name: 'openai-east-chat',
        kind: 'openai-chat',
        url: url('openai-east'),
        model: 'gpt-4o-mini',
        stream: true,
        assertions: ['status == 200', 'answer matches /\\b4\\b/', { expr: 'ttft < 800ms', severity: 'degrade' }],
        labels: { provider: 'openai-east', region: 'us-east', model: 'gpt-4o-mini' },
        publicName: 'Chat API (US East)',
      },
      {
        name: 'openai-east-embed',
        kind: 'openai-embeddings',
        url: url('openai-east'),
        model: 'text-embedding-3-small',
        dimension: 1536,
        labels: { provider: 'openai-east', region: 'us-east', model: 'text-embedding-3-small' },
        publicName: 'Embeddings API',
      },
      {
        name: 'openai-west-chat',
        kind: 'openai-chat',
        url: url('openai-west'),
        model: 'gpt-4o-mini',
        assertions: ['status == 200', 'answer matches /\\b4\\b/', { expr: 'latency < 2s', severity: 'degrade' }],
        labels: { provider: 'openai-west', region: 'us-west', model: 'gpt-4o-mini' },
        publicName: 'Chat API (US West)',
      },
      {
        name: 'anthropic-chat',
        kind: 'anthropic-messages',
        url: url('anthropic'),
        model: 'claude-3-5-haiku',
        stream: true,
        headers: { 'anthropic-version': '2023-06-01' },
        assertions: ['status == 200', { expr: 'latency < 2s', severity: 'degrade' }],
        labels: { provider: 'anthropic', region: 'us-east', model: 'claude-3-5-haiku' },
      },
      {
        name: 'vllm-llama',
        kind: 'openai-chat',
        url: url('vllm-local'),
        model: 'llama-3.1-8b',
        stream: true,
        labels: { provider: 'vllm-local', region: 'on-prem', model: 'llama-3.1-8b' },
      },
      {
        name: 'triton-resnet',
        kind: 'kserve-v2',
        url: url('triton'),
        model: 'resnet',
        labels: { provider: 'triton', region: 'on-prem', model: 'resnet' },
      },
    ],
  });
  return applyDefaults(input);
}
