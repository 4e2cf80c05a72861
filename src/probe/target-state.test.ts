import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeOutcome, ProbeResult, TargetState } from '../store/types.ts';
import { initialTargetStatus, nextTargetState } from './target-state.ts';

const result = (outcome: ProbeOutcome, at: number): ProbeResult => ({
  target: 't',
  at,
  outcome,
  latencyMs: 1,
  timings: { totalMs: 1 },
  ...(outcome === 'failed' ? { errorClass: 'http_5xx' as const, error: 'HTTP 503' } : {}),
});

function run(outcomes: string, thresholds = { failureThreshold: 3, successThreshold: 2 }) {
  let status = initialTargetStatus();
  const states: TargetState[] = [];
  const events: string[] = [];
  [...outcomes].forEach((c, i) => {
    const outcome: ProbeOutcome = c === 'o' ? 'ok' : c === 'd' ? 'degraded' : 'failed';
    const next = nextTargetState(status, result(outcome, i), thresholds);
    status = next.status;
    states.push(status.state);
    if (next.event) events.push(`${i}:${next.event.from}>${next.event.to}`);
  });
  return { final: status.state, events };
}

// o = ok, d = degraded, f = failed; failureThreshold 3, successThreshold 2
const table: [string, string, TargetState, string[]][] = [
  ['first ok confirms up', 'o', 'up', ['0:unknown>up']],
  ['first degraded', 'd', 'degraded', ['0:unknown>degraded']],
  ['unknown needs 3 failures for down', 'ff', 'unknown', []],
  ['unknown to down', 'fff', 'down', ['2:unknown>down']],
  ['one blip stays up', 'ofoo', 'up', ['0:unknown>up']],
  ['two blips stay up', 'offo', 'up', ['0:unknown>up']],
  ['three failures go down', 'offf', 'down', ['0:unknown>up', '3:up>down']],
  ['recovery needs two successes', 'offfo', 'down', ['0:unknown>up', '3:up>down']],
  ['recovers after two successes', 'offfoo', 'up', ['0:unknown>up', '3:up>down', '5:down>up']],
  ['flapping never confirms down', 'ofofofofof', 'up', ['0:unknown>up']],
  ['flapping while down stays down', 'offfofofof', 'down', ['0:unknown>up', '3:up>down']],
  ['degraded streak degrades', 'oddd', 'degraded', ['0:unknown>up', '3:up>degraded']],
  ['mixed degraded and failed degrade', 'odfd', 'degraded', ['0:unknown>up', '3:up>degraded']],
  ['degraded then failures go down', 'odddfff', 'down', ['0:unknown>up', '3:up>degraded', '6:degraded>down']],
  ['degraded back up', 'odddoo', 'up', ['0:unknown>up', '3:up>degraded', '5:degraded>up']],
  [
    'down to degraded when answers are degraded',
    'offfdd',
    'degraded',
    ['0:unknown>up', '3:up>down', '5:down>degraded'],
  ],
];
for (const [name, outcomes, final, events] of table) {
  test(`state: ${name} (${outcomes})`, () => {
    assert.deepEqual(run(outcomes), { final, events });
  });
}

test('thresholds of 1 switch on every change', () => {
  assert.deepEqual(run('ofo', { failureThreshold: 1, successThreshold: 1 }).events, [
    '0:unknown>up',
    '1:up>down',
    '2:down>up',
  ]);
});

test('events carry a reason and the time of the confirming result', () => {
  let s = initialTargetStatus();
  s = nextTargetState(s, result('ok', 10), { failureThreshold: 2, successThreshold: 1 }).status;
  s = nextTargetState(s, result('failed', 20), { failureThreshold: 2, successThreshold: 1 }).status;
  const next = nextTargetState(s, result('failed', 30), { failureThreshold: 2, successThreshold: 1 });
  assert.equal(next.event?.at, 30);
  assert.equal(next.status.since, 30);
  assert.match(next.event!.reason, /2 consecutive failures \(last: http_5xx: HTTP 503\)/);
});
