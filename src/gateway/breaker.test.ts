import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { breakerSchema } from '../config/gateway.ts';
import {
  breakerAllows,
  breakerStep,
  closedBreaker,
  type BreakerEvent,
  type BreakerState,
} from './breaker.ts';

const cfg = breakerSchema.parse({
  consecutiveFailures: 3,
  errorRate: 0.5,
  minRequests: 10,
  window: 10_000,
  cooldown: 5000,
  halfOpenRequests: 2,
});

function run(events: BreakerEvent[], start: BreakerState = closedBreaker(0), now = 0): BreakerState {
  return events.reduce((s, e) => breakerStep(s, e, now, cfg), start);
}

describe('breaker', () => {
  it('opens after consecutive failures and stays open until the cooldown', () => {
    const s = run(['failure', 'failure', 'failure']);
    assert.equal(s.phase, 'open');
    assert.equal(s.opens, 1);
    assert.equal(breakerAllows(s, 4999, cfg), false);
    assert.equal(breakerAllows(s, 5000, cfg), true);
  });

  it('a success resets the consecutive count', () => {
    assert.equal(run(['failure', 'failure', 'success', 'failure', 'failure']).phase, 'closed');
  });

  it('opens on an error rate over the minimum of requests', () => {
    const events: BreakerEvent[] = [];
    for (let i = 0; i < 5; i++) events.push('success', 'failure');
    assert.equal(run(events).phase, 'open');
    assert.equal(run(events.slice(0, 8)).phase, 'closed');
  });

  it('the error-rate window tumbles', () => {
    let s = closedBreaker(0);
    for (let i = 0; i < 4; i++) s = breakerStep(breakerStep(s, 'success', i, cfg), 'failure', i, cfg);
    for (let i = 0; i < 4; i++)
      s = breakerStep(breakerStep(s, 'success', 20_000, cfg), 'failure', 20_000, cfg);
    assert.equal(s.phase, 'closed'); // 8 requests in the new window, under the minimum
    s = breakerStep(breakerStep(s, 'success', 20_000, cfg), 'failure', 20_000, cfg);
    assert.equal(s.phase, 'open'); // 10 requests, half failed
  });

  it('half-open: trial requests close it, one failure re-opens it', () => {
    const open = run(['failure', 'failure', 'failure']);
    let s = breakerStep(open, 'acquire', 6000, cfg);
    assert.equal(s.phase, 'half-open');
    s = breakerStep(s, 'acquire', 6000, cfg);
    assert.equal(breakerAllows(s, 6000, cfg), false, 'only halfOpenRequests trials at once');
    assert.equal(breakerStep(s, 'failure', 6001, cfg).phase, 'open');
    assert.equal(breakerStep(s, 'failure', 6001, cfg).opens, 2);
    const closed = breakerStep(breakerStep(s, 'success', 6001, cfg), 'success', 6002, cfg);
    assert.equal(closed.phase, 'closed');
    assert.equal(closed.opens, 1);
  });

  it('never has negative trials in flight and only opens by counting (property)', () => {
    const ev = fc.constantFrom<BreakerEvent>('acquire', 'success', 'failure', 'release');
    fc.assert(
      fc.property(fc.array(fc.tuple(ev, fc.integer({ min: 0, max: 3000 }))), (steps) => {
        let s = closedBreaker(0);
        let now = 0;
        let opens = 0;
        for (const [e, dt] of steps) {
          now += dt;
          const before = s;
          s = breakerStep(s, e, now, cfg);
          if (s.phase === 'open' && before.phase !== 'open') opens++;
          if (s.phase === 'half-open') assert.ok(s.inFlight >= 0 && s.inFlight <= cfg.halfOpenRequests + 100);
          if (before.phase === 'open' && s.phase === 'closed') assert.fail('open never closes directly');
        }
        assert.equal(s.opens, opens);
      }),
    );
  });
});
