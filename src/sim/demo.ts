/**
 * The demo's providers: what `npm start` serves so that the dashboard has something real to
 * watch. Incidents are scripted to repeat every 20 minutes, so a visitor sees one within a few
 * minutes of starting the demo, then recovery.
 */
import type { SimProviderConfig } from '../config/sim.ts';

/** Period of the demo's incident script. */
export const DEMO_INCIDENT_PERIOD = '20m';

/**
 * Five providers: `openai-east` and `openai-west` (gpt-4o-mini, text-embedding-3-small),
 * `anthropic` (claude-3-5-haiku), `vllm-local` (an OpenAI-compatible llama-3.1-8b) and `triton`
 * (KServe v2, model `resnet`). Every 20 minutes: openai-west is hard down from 3m for 2m,
 * anthropic slows down gradually from 8m for 4m, vllm-local returns 30% 503s from 13m for 3m,
 * and triton refuses connections briefly from 17m for 1m.
 */
export function demoSimProviders(): SimProviderConfig[] {
  const healthyLatency = (p50Ms: number, p99Ms: number) => ({ latency: { p50Ms, p99Ms } });
  return [
    {
      name: 'openai-east',
      kind: 'openai',
      models: ['gpt-4o-mini', 'text-embedding-3-small'],
      streamChunks: 20,
      faults: { ...healthyLatency(120, 600), ttftMs: 80, interChunkMs: 15 },
    },
    {
      name: 'openai-west',
      kind: 'openai',
      models: ['gpt-4o-mini', 'text-embedding-3-small'],
      streamChunks: 20,
      faults: { ...healthyLatency(140, 700), ttftMs: 90, interChunkMs: 15 },
      scheduleEvery: DEMO_INCIDENT_PERIOD,
      schedule: [{ at: '3m', for: '2m', label: 'openai-west outage', fault: { down: 'refuse' } }],
    },
    {
      name: 'anthropic',
      kind: 'anthropic',
      models: ['claude-3-5-haiku'],
      streamChunks: 20,
      faults: { ...healthyLatency(200, 900), ttftMs: 120, interChunkMs: 20 },
      scheduleEvery: DEMO_INCIDENT_PERIOD,
      schedule: [
        {
          at: '8m',
          for: '4m',
          label: 'anthropic latency degradation',
          fault: { degrade: { over: '3m', latencyMs: 4000, errorRate: 0.1 }, errorStatuses: [529] },
        },
      ],
    },
    {
      name: 'vllm-local',
      kind: 'openai',
      models: ['llama-3.1-8b'],
      streamChunks: 30,
      faults: { ...healthyLatency(60, 300), ttftMs: 40, interChunkMs: 8 },
      scheduleEvery: DEMO_INCIDENT_PERIOD,
      schedule: [
        { at: '13m', for: '3m', label: 'vllm-local 503s', fault: { errorRate: 0.3, errorStatuses: [503] } },
      ],
    },
    {
      name: 'triton',
      kind: 'kserve',
      models: ['resnet'],
      faults: healthyLatency(15, 80),
      scheduleEvery: DEMO_INCIDENT_PERIOD,
      schedule: [{ at: '17m', for: '1m', label: 'triton restart', fault: { down: 'refuse' } }],
    },
  ];
}
