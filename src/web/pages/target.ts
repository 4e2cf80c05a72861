/**
 * One target (#/targets/:name): latency percentiles and TTFT over time with anomaly and
 * forecast overlays, error rate by class, availability over 24h/7d/30d/90d, MTBF and MTTR,
 * the state timeline and recent failed checks with their errors.
 */
import { api, optional } from '../api.ts';
import { h, labelled, replace } from '../dom.ts';
import { lineChart } from '../charts.ts';
import { duration, ms, pct, time } from '../format.ts';
import { availabilitySection, failuresSection, timelineSection } from './target-sections.ts';
import { onLive } from '../live.ts';
import type { PageContext } from '../page.ts';
import type { RollupView, StateEvent, TargetStatus } from '../types.ts';
import { stateBadge } from './overview.ts';

const RANGES: Record<string, { tier: 'minute' | 'hour'; from: string }> = {
  '6h': { tier: 'minute', from: '-6h' },
  '24h': { tier: 'minute', from: '-24h' },
  '7d': { tier: 'hour', from: '-7d' },
  '30d': { tier: 'hour', from: '-30d' },
};

/** Renders one target's page. */
export async function targetPage(ctx: PageContext): Promise<() => void> {
  const name = ctx.params[0]!;
  const enc = encodeURIComponent(name);
  const { target } = await api<{ target: TargetStatus }>(`/targets/${enc}`);
  ctx.setTitle(name);
  const badge = h('span', null, stateBadge(target.state));
  const rangeSel = h(
    'select',
    { id: 'range' },
    Object.keys(RANGES).map((r) => h('option', { value: r, selected: r === '24h' }, r)),
  );
  const charts = h('div', { class: 'charts' }, h('p', { class: 'loading' }, 'Loading charts…'));
  const reports = h(
    'section',
    { 'aria-labelledby': 'avail-h' },
    h('h2', { id: 'avail-h' }, 'Availability'),
    h('p', { class: 'loading' }, 'Loading…'),
  );
  const timeline = h(
    'section',
    { 'aria-labelledby': 'timeline-h' },
    h('h2', { id: 'timeline-h' }, 'State timeline (7 days)'),
  );
  const failures = h(
    'section',
    { 'aria-labelledby': 'fail-h' },
    h('h2', { id: 'fail-h' }, 'Recent failed checks (24h)'),
  );

  replace(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Overview'), ' / ', name),
    h('h1', null, name, ' ', badge),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Kind'),
      h('dd', null, target.kind),
      target.model ? [h('dt', null, 'Model'), h('dd', null, target.model)] : null,
      h('dt', null, 'URL'),
      h('dd', null, target.url),
      h('dt', null, 'Interval'),
      h('dd', null, duration(target.intervalMs)),
      h('dt', null, 'Labels'),
      h(
        'dd',
        null,
        Object.entries(target.labels).map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`)),
      ),
      h('dt', null, 'Last check'),
      h(
        'dd',
        null,
        target.lastResult
          ? `${target.lastResult.outcome}, ${ms(target.lastResult.latencyMs)} at ${time(target.lastResult.at)}`
          : '—',
      ),
    ),
    reports,
    h(
      'section',
      { 'aria-labelledby': 'perf-h' },
      h('h2', { id: 'perf-h' }, 'Latency and errors'),
      labelled('Range', rangeSel),
      charts,
    ),
    timeline,
    failures,
  );

  async function drawCharts(): Promise<void> {
    const r = RANGES[rangeSel.value] ?? RANGES['24h']!;
    const [roll, anomalies, forecast] = await Promise.all([
      api<{ rollups: RollupView[] }>(`/targets/${enc}/rollups?tier=${r.tier}&from=${r.from}`),
      optional<{ points: { at: number; score: number }[] }>(`/targets/${enc}/anomalies?from=${r.from}`).catch(
        () => undefined,
      ),
      optional<{ metric: string; points: { at: number; value: number; lo: number; hi: number }[] }>(
        `/targets/${enc}/forecast`,
      ).catch(() => undefined),
    ]);
    const rows = roll.rollups;
    const at = (x: RollupView) => x.bucketMs;
    const markers = (anomalies?.points ?? [])
      .filter((p) => p.score >= 0.8)
      .map((p) => ({ at: p.at, label: `anomaly score ${p.score.toFixed(2)}` }));
    const fc = forecast?.points ?? [];
    const latency = lineChart({
      title: `Latency percentiles, ${rangeSel.value}`,
      series: [
        { name: 'p50', cls: 's1', points: rows.map((x) => ({ at: at(x), value: x.latencyP50Ms })) },
        { name: 'p95', cls: 's2', points: rows.map((x) => ({ at: at(x), value: x.latencyP95Ms })) },
        { name: 'p99', cls: 's3', points: rows.map((x) => ({ at: at(x), value: x.latencyP99Ms })) },
        ...(fc.length
          ? [
              {
                name: `forecast (${forecast!.metric})`,
                cls: 's4',
                dashed: true,
                points: fc.map((p) => ({ at: p.at, value: p.value })),
              },
            ]
          : []),
      ],
      ...(fc.length ? { band: fc } : {}),
      markers,
      unit: ms,
    });
    const ttft = lineChart({
      title: `Time to first token, ${rangeSel.value}`,
      series: [
        { name: 'TTFT p50', cls: 's1', points: rows.map((x) => ({ at: at(x), value: x.ttftP50Ms })) },
        { name: 'TTFT p95', cls: 's2', points: rows.map((x) => ({ at: at(x), value: x.ttftP95Ms })) },
      ],
      unit: ms,
    });
    const classes = [...new Set(rows.flatMap((x) => Object.keys(x.errors ?? {})))].sort();
    const errorRate = lineChart({
      title: `Error rate by class, ${rangeSel.value}`,
      series: classes.map((c, i) => ({
        name: c,
        cls: `s${(i % 4) + 1}`,
        points: rows.map((x) => ({ at: at(x), value: x.total ? (x.errors[c] ?? 0) / x.total : null })),
      })),
      unit: (v) => pct(v, 1),
      height: 160,
    });
    const totals = classes.map((c) => [c, rows.reduce((a, x) => a + (x.errors[c] ?? 0), 0)] as const);
    const legend = (items: string[]) =>
      h(
        'ul',
        { class: 'legend' },
        items.map((t, i) => h('li', { class: `s${(i % 4) + 1}` }, t)),
      );
    replace(
      charts,
      h(
        'figure',
        null,
        latency,
        h(
          'figcaption',
          null,
          legend(['p50', 'p95', 'p99', ...(fc.length ? ['forecast'] : [])]),
          markers.length ? `${markers.length} anomalies marked` : '',
        ),
      ),
      h('figure', null, ttft, h('figcaption', null, legend(['TTFT p50', 'TTFT p95']))),
      h(
        'figure',
        null,
        errorRate,
        h(
          'figcaption',
          null,
          classes.length ? legend(totals.map(([c, n]) => `${c}: ${n}`)) : 'No errors in this range.',
        ),
      ),
    );
  }
  rangeSel.addEventListener(
    'change',
    () => void drawCharts().catch((e: unknown) => replace(charts, String(e))),
  );

  const loadReports = availabilitySection(reports, enc);
  const loadTimeline = timelineSection(timeline, name, enc);
  const loadFailures = failuresSection(failures, enc);

  await Promise.all([drawCharts(), loadReports, loadTimeline, loadFailures]);
  return onLive('state', (data) => {
    const e = data as StateEvent;
    if (e.target === name) replace(badge, stateBadge(e.to));
  });
}
