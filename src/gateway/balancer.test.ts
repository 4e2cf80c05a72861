import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { breakerSchema } from '../config/gateway.ts';
import { planAttempts, type DeploymentView } from './balancer.ts';
import { closedBreaker } from './breaker.ts';

const cfg = breakerSchema.parse({ cooldown: 1000 });
const view = (over: Partial<DeploymentView> = {}): DeploymentView => ({
  weight: 1,
  breaker: closedBreaker(0),
  health: 'unknown',
  ewmaMs: undefined,
  inFlight: 0,
  ...over,
});
const seq = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};

describe('balancer', () => {
  it('failover keeps config order and skips open breakers', () => {
    const open = { phase: 'open' as const, opens: 1, openedAt: 0 };
    assert.deepEqual(
      planAttempts('failover', [view(), view(), view()], 10, cfg, 'fail', Math.random).order,
      [0, 1, 2],
    );
    assert.deepEqual(
      planAttempts('failover', [view({ breaker: open }), view()], 10, cfg, 'fail', Math.random).order,
      [1],
    );
    assert.deepEqual(
      planAttempts('failover', [view({ breaker: open }), view()], 2000, cfg, 'fail', Math.random).order,
      [0, 1],
    );
  });

  it('weighted picks by weight', () => {
    const views = [view({ weight: 1 }), view({ weight: 3 })];
    assert.deepEqual(planAttempts('weighted', views, 0, cfg, 'fail', seq(0.1)).order, [0, 1]);
    assert.deepEqual(planAttempts('weighted', views, 0, cfg, 'fail', seq(0.5)).order, [1, 0]);
  });

  it('least-latency and least-inflight', () => {
    const views = [
      view({ ewmaMs: 50, inFlight: 1 }),
      view({ ewmaMs: 20, inFlight: 5 }),
      view({ ewmaMs: 30, inFlight: 0 }),
    ];
    assert.deepEqual(planAttempts('least-latency', views, 0, cfg, 'fail', Math.random).order, [1, 2, 0]);
    assert.deepEqual(planAttempts('least-inflight', views, 0, cfg, 'fail', Math.random).order, [2, 0, 1]);
  });

  it('probe-unhealthy deployments go last; full ones are skipped', () => {
    const views = [view({ health: 'unhealthy' }), view(), view({ maxInFlight: 1, inFlight: 1 })];
    assert.deepEqual(planAttempts('failover', views, 0, cfg, 'fail', Math.random).order, [1, 0]);
  });

  it('all open: fail gives nothing, try-anyway the one open longest', () => {
    const views = [
      view({ breaker: { phase: 'open', opens: 1, openedAt: 50 } }),
      view({ breaker: { phase: 'open', opens: 1, openedAt: 20 } }),
    ];
    assert.deepEqual(planAttempts('failover', views, 100, cfg, 'fail', Math.random), {
      order: [],
      allOpen: true,
    });
    assert.deepEqual(planAttempts('failover', views, 100, cfg, 'try-anyway', Math.random), {
      order: [1],
      allOpen: true,
    });
  });
});
