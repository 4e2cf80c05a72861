import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Counter } from 'prom-client';
import { sloSchema, type SloConfigInput } from '../config/slo.ts';
import type { ProbeResult } from '../store/types.ts';
import type { SloDefinition } from '../slo/types.ts';
import { PROBE_LATENCY_BUCKETS } from './buckets.ts';
import { createTelemetry } from './metrics.ts';
import { metricsRoute } from './metrics-route.ts';
import { renderPrometheusRules } from './prometheus-rules.ts';
import { labelNamesOf } from './target-labels.ts';

const slo = (input: SloConfigInput): SloDefinition => sloSchema.parse(input);

const SLOS = [
  slo({ name: 'chat-availability', target: 'chat-a', sli: 'availability', objective: 99.9 }),
  slo({
    name: 'chat-latency',
    target: 'chat-a',
    sli: { kind: 'latency', threshold: '800ms' },
    objective: 99,
  }),
  slo({ name: 'chat-slow', target: 'chat-a', sli: { kind: 'latency', threshold: '7s' }, objective: 99 }),
  slo({ name: 'chat-ttft', target: 'chat-a', sli: { kind: 'ttft', threshold: '1200ms' }, objective: 99 }),
  slo({ name: 'openai-correct', selector: { provider: 'openai' }, sli: 'correctness', objective: 98 }),
];

const TARGETS: { name: string; labels: Record<string, string> }[] = [
  { name: 'chat-a', labels: { provider: 'openai', region: 'us-east' } },
  { name: 'embed-b', labels: { provider: 'local', target: 'x', __meta: 'y' } },
];

function result(over: Partial<ProbeResult>): ProbeResult {
  return {
    target: 'chat-a',
    at: 1_700_000_000_000,
    outcome: 'ok',
    latencyMs: 640,
    timings: { totalMs: 640 },
    ...over,
  };
}

function promtool(args: string[], input: string): { status: number; out: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail(
      'promtool not found: install it with `apt-get install prometheus` (Debian) to lint the exposition',
    );
  }
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

/** `name{b="2",a="1"}` → `name{a="1",b="2"}` (label values here hold no commas or braces). */
function canonical(series: string): string {
  const m = /^([^{]+)\{(.*)\}$/.exec(series);
  return m ? `${m[1]}{${m[2]!.split(',').sort().join(',')}}` : series;
}

/** The scrape as a map from `name{labels sorted}` to value. */
function samples(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(canonical(line.slice(0, i)), line.slice(i + 1));
  }
  return out;
}

/** Looks a series up whatever the order of its labels. */
function get(s: Map<string, string>, series: string): string | undefined {
  return s.get(canonical(series));
}

function populated() {
  const t = createTelemetry({ slos: SLOS, targetLabelNames: labelNamesOf(TARGETS) });
  const chat = TARGETS[0]!.labels;
  t.observeProbe(result({ timings: { totalMs: 640, ttftMs: 300 } }), chat);
  t.observeProbe(result({ outcome: 'failed', latencyMs: 10_000, errorClass: 'timeout' }), chat);
  t.observeProbe(
    result({
      outcome: 'degraded',
      latencyMs: 900,
      assertions: [
        { expr: 'status == 200', ok: true, severity: 'fail' },
        { expr: 'latency < 800ms', ok: false, severity: 'degrade' },
      ],
    }),
    chat,
  );
  t.observeProbe(result({ assertions: [{ expr: 'status == 200', ok: true, severity: 'fail' }] }), chat);
  t.observeProbe(result({ target: 'embed-b', latencyMs: 20 }), TARGETS[1]!.labels);
  t.setTargetState('chat-a', 'degraded', chat);
  t.setTargetState('embed-b', 'unknown', TARGETS[1]!.labels);
  t.observeSlo('chat-availability', {
    budget: {
      good: 995,
      total: 1000,
      sli: 0.995,
      allowedBad: 1,
      bad: 5,
      consumed: 5,
      remaining: -4,
      met: false,
    },
    burn: [
      { windowMs: 3_600_000, good: 99, total: 100, burnRate: 10 },
      { windowMs: 300_000, good: 9, total: 10, burnRate: 100 },
    ],
  });
  t.observeAlerts([
    { state: 'firing', severity: 'page', count: 2 },
    { state: 'pending', severity: 'ticket', count: 1 },
  ]);
  return t;
}

test('the scrape has every metric, label and SLO threshold bucket', async () => {
  const t = populated();
  assert.deepEqual(t.labelNames, ['provider', 'region']);
  assert.deepEqual(
    t.droppedLabelNames.map((d) => d.name),
    ['target', '__meta'],
  );
  const s = samples(await t.metrics());
  const chat = 'target="chat-a",provider="openai",region="us-east"';
  const expected: [string, string][] = [
    [`nines_probe_results_total{outcome="ok",${chat}}`, '2'],
    [`nines_probe_results_total{target="chat-a",outcome="failed",provider="openai",region="us-east"}`, '1'],
    [`nines_probe_results_total{target="chat-a",outcome="degraded",provider="openai",region="us-east"}`, '1'],
    [`nines_probe_results_total{target="embed-b",outcome="ok",provider="local"}`, '1'],
    [`nines_probe_latency_seconds_bucket{le="0.8",${chat}}`, '2'],
    [`nines_probe_latency_seconds_bucket{le="1",${chat}}`, '3'],
    [`nines_probe_latency_seconds_bucket{le="7",${chat}}`, '3'],
    [`nines_probe_latency_seconds_bucket{le="+Inf",${chat}}`, '4'],
    [`nines_probe_latency_seconds_count{${chat}}`, '4'],
    [`nines_probe_ttft_seconds_bucket{le="1.2",${chat}}`, '1'],
    [`nines_probe_ttft_seconds_count{${chat}}`, '1'],
    [`nines_probe_assertions_total{target="chat-a",result="fail",provider="openai",region="us-east"}`, '1'],
    [`nines_probe_assertions_total{target="chat-a",result="pass",provider="openai",region="us-east"}`, '1'],
    [`nines_target_state{target="chat-a",state="degraded",provider="openai",region="us-east"}`, '1'],
    [`nines_target_state{target="chat-a",state="up",provider="openai",region="us-east"}`, '0'],
    [`nines_target_state{target="embed-b",state="unknown",provider="local"}`, '1'],
    [`nines_target_up{${chat}}`, '1'],
    ['nines_slo_budget_remaining_ratio{slo="chat-availability"}', '-4'],
    ['nines_slo_sli_ratio{slo="chat-availability"}', '0.995'],
    ['nines_slo_burn_rate{slo="chat-availability",window="1h"}', '10'],
    ['nines_slo_burn_rate{slo="chat-availability",window="5m"}', '100'],
    ['nines_alerts{state="firing",severity="page"}', '2'],
    ['nines_alerts{state="pending",severity="ticket"}', '1'],
  ];
  for (const [key, value] of expected) assert.equal(get(s, key), value, key);
  assert.equal(
    get(s, 'nines_target_up{target="embed-b",provider="local"}'),
    undefined,
    'unknown has no up series',
  );
  for (const b of PROBE_LATENCY_BUCKETS)
    assert.ok(get(s, `nines_probe_latency_seconds_bucket{le="${b}",${chat}}`));
  assert.ok(
    [...s.keys()].some((k) => k.startsWith('process_cpu_user_seconds_total')),
    'default metrics',
  );
});

test('every le matcher of the exported rules is a bucket bound of the scrape', async () => {
  const t = populated();
  const scrape = await t.metrics();
  const rules = renderPrometheusRules(SLOS);
  const matchers = [...rules.matchAll(/(nines_probe_\w+_seconds)_bucket\{[^}]*le=\\?"([^"\\]+)\\?"/g)];
  assert.ok(matchers.length >= 3);
  const bounds = new Set(
    [...scrape.matchAll(/^(\w+)_bucket\{[^}]*\ble="([^"]+)"/gm)].map(([, m, le]) => `${m} ${le}`),
  );
  for (const [, metric, le] of matchers) assert.ok(bounds.has(`${metric} ${le}`), `${metric} ${le}`);
});

test('promtool check metrics accepts the exposition, with a gateway metric on the shared registry', async () => {
  const t = populated();
  new Counter({
    name: 'nines_gateway_requests_total',
    help: 'x',
    labelNames: ['route'],
    registers: [t.registry],
  }).inc({ route: 'chat' });
  const text = await t.metrics();
  assert.match(text, /nines_gateway_requests_total\{route="chat"\} 1/);
  // prom-client's default metrics name three gauges `nodejs_active_*_total`, which promtool's
  // linter flags; anything else (a format error included) fails the test
  const known =
    /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
  const problems = promtool(['check', 'metrics'], text)
    .out.split('\n')
    .filter((l) => l.trim() && !known.test(l));
  assert.deepEqual(problems, []);
  const ours = createTelemetry({ slos: SLOS, defaultMetrics: false });
  ours.observeProbe(result({ timings: { totalMs: 640, ttftMs: 300 } }));
  const strict = promtool(['check', 'metrics'], await ours.metrics());
  assert.equal(strict.status, 0, strict.out);
});

test('alert pairs that disappear go to 0; forgetTarget and forgetSlo drop their series', async () => {
  const t = populated();
  t.observeAlerts([{ state: 'firing', severity: 'ticket', count: 3 }]);
  t.forgetTarget('chat-a');
  t.forgetSlo('chat-availability');
  const s = samples(await t.metrics());
  assert.equal(get(s, 'nines_alerts{state="firing",severity="page"}'), '0');
  assert.equal(get(s, 'nines_alerts{state="firing",severity="ticket"}'), '3');
  const left = [...s.keys()].filter((k) => k.includes('chat-a') || k.includes('chat-availability'));
  assert.deepEqual(left, []);
  assert.equal(get(s, 'nines_probe_results_total{target="embed-b",outcome="ok",provider="local"}'), '1');
});

test('GET /metrics serves the scrape, optionally behind a bearer token', async () => {
  const t = populated();
  const open = await metricsRoute(t).request('/metrics');
  assert.equal(open.status, 200);
  assert.equal(open.headers.get('content-type'), t.contentType);
  assert.match(await open.text(), /^# HELP /m);
  const guarded = metricsRoute(t, { token: 's3cret' });
  assert.equal((await guarded.request('/metrics')).status, 401);
  assert.equal(
    (await guarded.request('/metrics', { headers: { authorization: 'Bearer nope' } })).status,
    401,
  );
  const ok = await guarded.request('/metrics', { headers: { authorization: 'Bearer s3cret' } });
  assert.equal(ok.status, 200);
  const failing = metricsRoute({
    contentType: 'text/plain',
    metrics: () => Promise.reject(new Error('boom')),
  });
  const res = await failing.request('/metrics');
  assert.equal(res.status, 500);
  assert.match(await res.text(), /boom/);
});
