// SLO evaluations and forecast crossings become rule inputs that slo_burn and forecast rules read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SloEvaluation } from '../slo/evaluate.ts';
import { forecastSignal, sloBurnSignal } from './signal-adapters.ts';

test('signal adapters: SLO tiers by window name, firing only when firing; forecast time from now', () => {
  const tier = (longWindowMs: number, shortWindowMs: number, severity: 'page' | 'ticket') => ({
    severity,
    budgetPercent: 2,
    longWindowMs,
    shortWindowMs,
  });
  const ev = {
    slo: 'chat',
    tiers: [
      {
        tier: tier(3_600_000, 300_000, 'page'),
        factor: 14.4,
        longBurn: 20,
        shortBurn: 18,
        longTotal: 100,
        state: 'firing',
      },
      {
        tier: tier(21_600_000, 1_800_000, 'page'),
        factor: 6,
        longBurn: 7,
        shortBurn: 9,
        longTotal: 100,
        state: 'inhibited',
      },
    ],
  } as unknown as SloEvaluation;
  const s = sloBurnSignal(ev, { target: 'chat-a' });
  assert.deepEqual(s, {
    slo: 'chat',
    target: 'chat-a',
    tiers: [
      { name: '1h/5m', firing: true, burnRate: 20, severity: 'page' },
      { name: '6h/30m', firing: false, burnRate: 7, severity: 'page' },
    ],
  });
  const crossing = { expectedMs: 5000 } as Parameters<typeof forecastSignal>[2];
  assert.equal(forecastSignal('p95', 2000, crossing, 1000).timeToThresholdMs, 4000);
  assert.equal(forecastSignal('p95', 2000, null, 1000).timeToThresholdMs, null);
});
