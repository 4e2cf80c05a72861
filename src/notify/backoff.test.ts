import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';

it('backoff grows exponentially, stays within jitter bounds and under the cap', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.double({ min: 0, max: 0.999_999, noNaN: true }),
      (attempts, r) => {
        const p = DEFAULT_BACKOFF;
        const base = Math.min(p.maxMs, p.initialMs * p.multiplier ** (attempts - 1));
        const d = backoffDelay(attempts, p, () => r);
        assert.ok(
          d >= Math.floor(base * (1 - p.jitter)) && d <= Math.ceil(base * (1 + p.jitter)),
          `${attempts}: ${d}`,
        );
      },
    ),
  );
  assert.deepEqual(
    [1, 2, 3, 4, 10].map((a) => backoffDelay(a, DEFAULT_BACKOFF, () => 0.5)),
    [1000, 2000, 4000, 8000, 60_000],
  );
});
