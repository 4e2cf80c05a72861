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
  gatewayPort: number;
  adminToken: string;
  /** Where the demo's alert notifications are posted (a local log receiver). */
  webhookUrl: string;
}

/** The targets, gateway routes, SLOs, alert rules and status page of the demo. */
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
        assertions: [
          'status == 200',
          'answer matches /\\b4\\b/',
          { expr: 'ttft < 800ms', severity: 'degrade' },
        ],
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
        assertions: [
          'status == 200',
          'answer matches /\\b4\\b/',
          { expr: 'latency < 2s', severity: 'degrade' },
        ],
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
    gateway: {
      port: s.gatewayPort,
      allowAnonymous: true,
      providers: [
        { name: 'openai-east', kind: 'openai', baseUrl: url('openai-east') },
        { name: 'openai-west', kind: 'openai', baseUrl: url('openai-west') },
        { name: 'anthropic', kind: 'anthropic', baseUrl: url('anthropic') },
        { name: 'vllm-local', kind: 'openai', baseUrl: url('vllm-local') },
      ],
      routes: [
        {
          model: 'gpt-4o-mini',
          strategy: 'failover',
          deployments: [
            { provider: 'openai-east', model: 'gpt-4o-mini' },
            { provider: 'openai-west', model: 'gpt-4o-mini' },
          ],
        },
        { model: 'claude-3-5-haiku', deployments: [{ provider: 'anthropic', model: 'claude-3-5-haiku' }] },
        { model: 'llama-3.1-8b', deployments: [{ provider: 'vllm-local', model: 'llama-3.1-8b' }] },
      ],
    },
    slos: [
      {
        name: 'chat-availability',
        targets: ['openai-east-chat', 'openai-west-chat'],
        sli: 'availability',
        objective: 99.5,
      },
      {
        name: 'chat-latency',
        targets: ['openai-east-chat', 'openai-west-chat', 'anthropic-chat'],
        sli: { kind: 'latency', threshold: '2s' },
        objective: 99,
      },
      {
        name: 'chat-ttft',
        target: 'openai-east-chat',
        sli: { kind: 'ttft', threshold: '800ms' },
        objective: 99,
      },
      { name: 'gateway-availability', route: 'gpt-4o-mini', sli: 'availability', objective: 99.9 },
    ],
    alerting: {
      rules: [
        {
          name: 'TargetDown',
          kind: 'target_state',
          state: 'down',
          severity: 'page',
          annotations: { summary: '{{ $labels.target }} is down' },
        },
        {
          name: 'TargetDegraded',
          kind: 'target_state',
          state: 'degraded',
          for: '1m',
          severity: 'ticket',
          annotations: { summary: '{{ $labels.target }} is degraded' },
        },
        {
          name: 'SloBurn',
          kind: 'slo_burn',
          slo: 'chat-availability',
          annotations: { summary: 'chat availability is burning its error budget' },
        },
        {
          name: 'LatencyAnomaly',
          kind: 'anomaly',
          metric: 'p95_latency_ms',
          score: 0.9,
          for: '2m',
          severity: 'ticket',
          annotations: { summary: 'unusual p95 latency on {{ $labels.target }}' },
        },
      ],
      route: {
        receiver: 'demo',
        group_by: ['alertname', 'target'],
        group_wait: '5s',
        group_interval: '1m',
        repeat_interval: '4h',
      },
      receivers: [{ name: 'demo', webhook_configs: [{ url: s.webhookUrl }] }],
      inhibit_rules: [
        {
          source_matchers: ['alertname=TargetDown'],
          target_matchers: ['alertname=TargetDegraded'],
          equal: ['target'],
        },
      ],
    },
    statusPages: [
      {
        slug: 'public',
        title: 'Acme AI status',
        targets: [
          { target: 'openai-east-chat', name: 'Chat API (US East)' },
          { target: 'openai-west-chat', name: 'Chat API (US West)' },
          { target: 'openai-east-embed', name: 'Embeddings API' },
        ],
      },
    ],
  });
  return applyDefaults(input);
}
