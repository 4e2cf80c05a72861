import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSimProviders } from './demo.ts';
import { activeScheduledFaults, toMs } from './faults.ts';
import { simConfigSchema } from '../config/sim.ts';

test('the demo providers are a valid sim config', () => {
  const parsed = simConfigSchema.safeParse({ providers: demoSimProviders() });
  assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
  assert.deepEqual(
    demoSimProviders().map((p) => `${p.name}:${p.kind}`),
    ['openai-east:openai', 'openai-west:openai', 'anthropic:anthropic', 'vllm-local:openai', 'triton:kserve'],
  );
});

test('the demo script puts openai-west down from 3m to 5m, every 20 minutes', () => {
  const west = demoSimProviders().find((p) => p.name === 'openai-west')!;
  const every = toMs(west.scheduleEvery!);
  const activeAt = (m: number) => activeScheduledFaults(west.schedule!, 0, every, m * 60_000).length > 0;
  assert.deepEqual([2.9, 3, 4.9, 5, 23.5, 26].map(activeAt), [false, true, true, false, true, false]);
});
