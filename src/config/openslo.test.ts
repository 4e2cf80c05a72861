import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNinesError } from '../core/errors.ts';
import { parseOpenSlo } from './openslo.ts';

const dir = join(import.meta.dirname, 'fixtures', 'slo');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

test('every rejected OpenSLO fixture fails with the message in its .expected file', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.bad.openslo.yaml'));
  assert.ok(files.length >= 12);
  for (const f of files) {
    const want = read(f.replace('.bad.openslo.yaml', '.expected')).trimEnd();
    assert.throws(
      () => parseOpenSlo(read(f), f),
      (err: unknown) => {
        assert.ok(isNinesError(err, 'VALIDATION'), f);
        assert.equal(err.message, want, f);
        return true;
      },
    );
  }
});

test('OpenSLO v1 documents map onto nines SLOs', () => {
  const { slos, warnings } = parseOpenSlo(read('openslo-good.openslo.yaml'), 'openslo-good.openslo.yaml');
  assert.deepEqual(
    slos.map((s) => s.name),
    ['chat-a-availability', 'gateway-latency-fast', 'gateway-latency-very-fast', 'openai-monthly'],
  );
  const [avail, fast, veryFast, monthly] = slos;
  // indicatorRef → the kind: SLI document; ratio good/total of a nines source; 28d rolling; target 0.999
  assert.deepEqual(avail!.selector, {
    source: 'probe',
    targets: ['chat-a'],
    kind: 'availability',
    excludeMaintenance: false,
  });
  assert.equal(avail!.objective, 99.9);
  assert.deepEqual(avail!.window, { type: 'rolling', durationMs: 28 * 86_400_000 });
  // thresholdMetric from a nines: query → latency on the gateway route; one SLO per objective
  assert.deepEqual(fast!.selector, {
    source: 'gateway',
    route: 'chat',
    kind: 'latency',
    thresholdMs: 2000,
    excludeMaintenance: false,
  });
  assert.equal(fast!.objective, 99);
  assert.equal(veryFast!.selector.thresholdMs, 500);
  assert.equal(veryFast!.objective, 90);
  // bad/total over a label selector; calendar month; Timeslices with 5m slices at 95%
  assert.deepEqual(monthly!.selector, {
    source: 'probe',
    labels: { provider: 'openai' },
    kind: 'availability',
    excludeMaintenance: false,
  });
  assert.deepEqual(monthly!.window, { type: 'calendar', unit: 'month' });
  assert.deepEqual(monthly!.budgeting, { method: 'timeslices', sliceMs: 300_000, sliceGoal: 0.95 });
  assert.equal(monthly!.objective, 99.5);
  assert.deepEqual(warnings, [
    'Service chat ignored',
    'openai-monthly: calendar periods are UTC in nines, not America/New_York',
  ]);
});

test('a YAML list of OpenSLO objects is accepted too, and RatioTimeslices maps', () => {
  const text = `- apiVersion: openslo/v1
  kind: SLO
  metadata: { name: ttft }
  spec:
    service: chat
    indicator:
      metadata: { name: ttft }
      spec:
        ratioMetric:
          counter: true
          good: { metricSource: { type: nines, spec: { route: chat, sli: ttft, threshold: 800ms } } }
          total: { metricSource: { type: nines, spec: { route: chat } } }
    budgetingMethod: RatioTimeslices
    timeWindow: [{ duration: 1w, isRolling: false }]
    objectives: [{ targetPercent: 99, timeSliceWindow: 1m }]
`;
  const { slos } = parseOpenSlo(text);
  assert.equal(slos.length, 1);
  assert.deepEqual(slos[0]!.selector, {
    source: 'gateway',
    route: 'chat',
    kind: 'ttft',
    thresholdMs: 800,
    excludeMaintenance: false,
  });
  assert.deepEqual(slos[0]!.budgeting, { method: 'ratioTimeslices', sliceMs: 60_000 });
  assert.deepEqual(slos[0]!.window, { type: 'calendar', unit: 'week' });
});

test('an unknown field in a nines metric source is named with its path', () => {
  const text = read('openslo-good.openslo.yaml').replace(
    '          sli: availability',
    '          slo: availability',
  );
  assert.throws(
    () => parseOpenSlo(text, 'x.yaml'),
    /x\.yaml:\d+:\d+: \[1\]\.spec\.ratioMetric\.good\.metricSource\.spec\.slo: unknown field "slo"/,
  );
});
