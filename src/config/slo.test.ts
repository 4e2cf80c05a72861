import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem, loadConfigText } from './load.ts';
import { sloSchema, DEFAULT_ALERT_TIERS } from './slo.ts';
import type { SloDefinition } from '../slo/types.ts';

const dir = join(import.meta.dirname, 'fixtures', 'slo');

const expected = (f: string) =>
  readFileSync(join(dir, f.replace('.bad.yaml', '.expected')), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');

test('every rejected SLO fixture fails with the messages in its .expected file', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.bad.yaml'));
  assert.ok(files.length >= 13);
  for (const f of files) {
    const r = loadConfigText(readFileSync(join(dir, f), 'utf8'), f, { env: {}, requireEnv: false });
    assert.equal(r.ok, false, f);
    if (r.ok) continue;
    assert.deepEqual(r.problems.map(formatProblem), expected(f), f);
  }
});

test('the good fixture parses into evaluator definitions with defaults filled in', () => {
  const r = loadConfigText(readFileSync(join(dir, 'good.yaml'), 'utf8'), 'good.yaml');
  assert.ok(r.ok, r.ok ? '' : r.problems.map(formatProblem).join('\n'));
  const slos: SloDefinition[] = r.config.slos;
  const [avail, latency, ttft, week] = slos;
  assert.deepEqual(avail, {
    name: 'chat-availability',
    selector: { source: 'probe', targets: ['chat-a'], kind: 'availability', excludeMaintenance: false },
    objective: 99.9,
    window: { type: 'rolling', durationMs: 30 * 86_400_000 },
    budgeting: { method: 'occurrences' },
    minEvents: 10,
    alerts: DEFAULT_ALERT_TIERS,
  });
  assert.deepEqual(latency!.selector, {
    source: 'probe',
    targets: ['chat-a', 'chat-b'],
    kind: 'latency',
    thresholdMs: 2000,
    excludeMaintenance: false,
  });
  assert.deepEqual(latency!.budgeting, { method: 'timeslices', sliceMs: 300_000, sliceGoal: 0.95 });
  assert.deepEqual(ttft!.selector, {
    source: 'gateway',
    route: 'chat',
    kind: 'ttft',
    thresholdMs: 800,
    excludeMaintenance: true,
  });
  assert.deepEqual(ttft!.window, { type: 'calendar', unit: 'month' });
  assert.deepEqual(week!.selector, {
    source: 'probe',
    labels: { provider: 'openai' },
    kind: 'correctness',
    excludeMaintenance: false,
  });
  assert.deepEqual(week!.alerts, [
    { severity: 'page', budgetPercent: 5, longWindowMs: 3_600_000, shortWindowMs: 300_000 },
  ]);
});

test('sloSchema on its own: a 7d window accepts the default tiers (3d < 7d)', () => {
  const r = sloSchema.safeParse({
    name: 'x',
    target: 't',
    sli: 'availability',
    objective: 99.5,
    window: '7d',
  });
  assert.ok(r.success);
});
