import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityPlan, replicasFor } from './capacity.ts';

const pts = (means: number[], spread: number) =>
  means.map((m, i) => ({ timestampMs: i * 60_000, mean: m, lower: m - spread, upper: m + spread }));

test("Little's law: 40 rps × 2.5 s = 100 concurrent; 16 per replica at 70% → 9 replicas", () => {
  const plan = capacityPlan([{ route: 'chat', rpsForecast: pts([20, 40, 30], 0), latencySeconds: 2.5 }], {
    replicaConcurrency: 16,
  });
  const r = plan.routes[0]!;
  assert.equal(r.peakRps, 40);
  assert.equal(r.concurrency, 100);
  assert.equal(r.replicas, Math.ceil(100 / (16 * 0.7)));
  assert.equal(r.peakAtMs, 60_000);
});

test('sizes on the upper edge of the forecast interval and sums routes for a shared pool', () => {
  const plan = capacityPlan(
    [
      { route: 'a', rpsForecast: pts([10], 5), latencySeconds: 1 },
      { route: 'b', rpsForecast: pts([4], 1), latencySeconds: 0.5 },
    ],
    { replicaConcurrency: 10, targetUtilization: 0.5, minReplicas: 2 },
  );
  assert.equal(plan.routes[0]!.concurrencyUpper, 15);
  assert.equal(plan.routes[0]!.replicas, 3);
  assert.equal(plan.routes[1]!.replicas, 2, 'minReplicas');
  assert.equal(plan.totalConcurrencyUpper, 17.5);
  assert.equal(plan.totalReplicas, 4);
});

test('no traffic still gets minReplicas; bad limits are refused', () => {
  assert.equal(replicasFor(0, { replicaConcurrency: 8 }), 1);
  assert.throws(() => replicasFor(1, { replicaConcurrency: 0 }), RangeError);
});
