import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { Deadlines } from './deadlines.ts';

function recorder(clock: ManualClock, log: string[], name: string) {
  return { onDeadline: (ms: number) => void log.push(`${name}:${ms}@${clock.now() - Date.UTC(2026, 0, 1)}`) };
}

describe('Deadlines', () => {
  it('fires each deadline at its own time, in order, with one timer per length', () => {
    const clock = new ManualClock();
    const dl = new Deadlines(clock);
    const log: string[] = [];
    dl.add(100, recorder(clock, log, 'a'));
    clock.advance(30);
    dl.add(100, recorder(clock, log, 'b'));
    dl.add(50, recorder(clock, log, 'c'));
    assert.equal(clock.pendingTimers(), 2);
    clock.advance(69);
    assert.deepEqual(log, ['c:50@80']);
    clock.advance(1);
    assert.deepEqual(log, ['c:50@80', 'a:100@100']);
    clock.advance(30);
    assert.deepEqual(log, ['c:50@80', 'a:100@100', 'b:100@130']);
    assert.equal(dl.pending(), 0);
  });

  it('never fires a cancelled deadline, and re-arms past a cancelled head', () => {
    const clock = new ManualClock();
    const dl = new Deadlines(clock);
    const log: string[] = [];
    const a = dl.add(100, recorder(clock, log, 'a'));
    clock.advance(10);
    const b = dl.add(100, recorder(clock, log, 'b'));
    clock.advance(10);
    dl.add(100, recorder(clock, log, 'c'));
    dl.cancel(a);
    dl.cancel(b);
    dl.cancel(b); // twice: no effect
    assert.equal(dl.pending(), 1);
    clock.advance(100);
    assert.deepEqual(log, ['c:100@120']);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('keeps firing the rest when a target throws', () => {
    const clock = new ManualClock();
    const dl = new Deadlines(clock);
    const log: string[] = [];
    dl.add(10, {
      onDeadline: () => {
        throw new Error('boom');
      },
    });
    clock.advance(1);
    dl.add(10, recorder(clock, log, 'b'));
    assert.throws(() => clock.advance(10), /boom/);
    clock.advance(10);
    assert.deepEqual(log, ['b:10@11']);
  });
});
