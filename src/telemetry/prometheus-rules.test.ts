import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sloSchema, type SloConfigInput } from '../config/slo.ts';
import { BucketedCounts } from '../slo/bucketed.ts';
import { evaluateSloSync } from '../slo/evaluate.ts';
import type { SloDefinition } from '../slo/types.ts';
import {
  BURN_ALERT_NAME,
  burnAlertAnnotations,
  burnAlertLabels,
  promDuration,
  renderPrometheusRules,
} from './prometheus-rules.ts';

const M = 60_000;

function promtool(args: string[], cwd: string): { status: number; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail(
      'promtool not found: install it with `apt-get install prometheus` (Debian) to test exported rules',
    );
  }
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'nines-rules-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const slo = (input: SloConfigInput): SloDefinition => sloSchema.parse(input);

test('promDuration uses the largest whole unit', () => {
  assert.deepEqual([5 * M, 60 * M, 1440 * M, 4320 * M, 90_000, 1500].map(promDuration), [
    '5m',
    '1h',
    '1d',
    '3d',
    '90s',
    '1500ms',
  ]);
});

test('promtool check rules accepts the rules for every SLI kind and source', () => {
  const slos = [
    slo({ name: 'chat-availability', target: 'chat-a', sli: 'availability', objective: 99.9 }),
    slo({
      name: 'chat-latency',
      targets: ['chat-a', 'chat.b'],
      sli: { kind: 'latency', threshold: '800ms' },
      objective: 99,
      window: '28d',
    }),
    slo({ name: 'chat-ttft', target: 'chat-a', sli: { kind: 'ttft', threshold: '2s' }, objective: 99 }),
    slo({
      name: 'openai-correct',
      selector: { provider: 'openai' },
      sli: 'correctness',
      objective: 98,
      window: 'week',
    }),
    slo({ name: 'gw-avail', route: 'chat', sli: 'availability', objective: 99.5, window: 'month' }),
    slo({
      name: 'gw-latency',
      route: 'chat',
      sli: { kind: 'latency', threshold: '5s' },
      objective: 99,
      window: '7d',
    }),
  ];
  const yaml = renderPrometheusRules(slos);
  assert.match(yaml, /record: nines:sli_error_ratio:rate5m/);
  assert.match(yaml, /le="0.8"/);
  withDir((dir) => {
    writeFileSync(join(dir, 'rules.yaml'), yaml);
    const r = promtool(['check', 'rules', 'rules.yaml'], dir);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SUCCESS: 66 rules found/);
  });
});

/** Events per minute: 60 probe results; from minute 60 to 90, 30 of them fail. */
function badInMinute(m: number): number {
  return m > 60 && m <= 90 ? 30 : 0;
}
const MINUTES = 300;

test('Prometheus and the nines evaluator fire the same tiers at the same evaluation times', () => {
  const def = slo({ name: 'chat-availability', target: 'chat-a', sli: 'availability', objective: 99.9 });
  // cumulative counters sampled each minute (what Prometheus scrapes) ...
  const ok = [0];
  const failed = [0];
  for (let m = 1; m <= MINUTES; m++) {
    ok.push(ok[m - 1]! + 60 - badInMinute(m));
    failed.push(failed[m - 1]! + badInMinute(m));
  }
  // ... and the same increments as buckets for nines: bucket i holds the increase from minute i to i+1.
  const good = ok.slice(1).map((v, i) => v - ok[i]!);
  const total = good.map((g, i) => g + failed[i + 1]! - failed[i]!);
  const buckets = new BucketedCounts(0, M, good, total);
  const evalMinutes = [30, 65, 75, 85, 100, 120, 180, 240, 300];

  const expected = evalMinutes.map((minute) => {
    const e = evaluateSloSync(def, minute * M, (_s, from, to) => buckets.query(from, to));
    // Prometheus has no inhibition (Alertmanager does it), so compare before inhibition.
    const tiers = e.tiers.filter((t) => t.state === 'firing' || t.state === 'inhibited').map((t) => t.tier);
    return { minute, tiers };
  });
  // the scenario must exercise the page tier and quiet periods, else the comparison proves little
  const fired = (minute: number) =>
    expected.find((x) => x.minute === minute)!.tiers.map((t) => promDuration(t.longWindowMs));
  assert.deepEqual(fired(30), []);
  assert.deepEqual(fired(75), ['1h', '6h', '1d', '3d']);
  assert.deepEqual(fired(100), ['6h', '1d', '3d']);
  assert.deepEqual(fired(240), ['3d']);

  const unitTest = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          { series: 'nines_probe_results_total{target="chat-a",outcome="ok"}', values: ok.join(' ') },
          { series: 'nines_probe_results_total{target="chat-a",outcome="failed"}', values: failed.join(' ') },
        ],
        alert_rule_test: expected.map(({ minute, tiers }) => ({
          eval_time: `${minute}m`,
          alertname: BURN_ALERT_NAME,
          exp_alerts: tiers.map((tier) => ({
            exp_labels: burnAlertLabels(def, tier),
            exp_annotations: burnAlertAnnotations(def, tier),
          })),
        })),
      },
    ],
  };
  withDir((dir) => {
    writeFileSync(join(dir, 'rules.yaml'), renderPrometheusRules([def]));
    writeFileSync(join(dir, 'test.yaml'), stringify(unitTest, { lineWidth: 0 }));
    const r = promtool(['test', 'rules', 'test.yaml'], dir);
    assert.equal(r.status, 0, r.out);
  });
});
