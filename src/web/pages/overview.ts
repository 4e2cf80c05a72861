/**
 * The overview (#/): every target with its state, 90-day uptime bars, p95 latency and TTFT
 * sparklines (loaded for the visible page only), SLO budget left; filtering, grouping by label
 * and paging keep 1,000 targets fast. State changes stream in and update rows in place.
 */
import { api, optional } from '../api.ts';
import { h, labelled, notice, replace, routeLink } from '../dom.ts';
import { sparkline, uptimeBars, type UptimeDay } from '../charts.ts';
import { ago, pct } from '../format.ts';
import { announce, onLive } from '../live.ts';
import type { PageContext } from '../page.ts';
import type { RollupView, Slo, State, StateEvent, TargetStatus, UptimeResponse } from '../types.ts';

const PAGE_SIZE = 100;
const STATES: State[] = ['down', 'degraded', 'up', 'unknown'];
const sparkCache = new Map<string, RollupView[]>();

/** The state badge (text + colour, so colour is never the only signal). */
export function stateBadge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state}` }, state);
}

function sloTarget(slo: Slo): string | undefined {
  if (typeof slo.target === 'string') return slo.target;
  const sli = slo.sli as { target?: unknown; targets?: unknown } | undefined;
  if (sli && typeof sli.target === 'string') return sli.target;
  return undefined;
}

/** Renders the overview. */
export async function overviewPage(ctx: PageContext): Promise<() => void> {
  ctx.setTitle('Overview');
  const [targetsRes, uptime, slos] = await Promise.all([
    api<{ targets: TargetStatus[] }>('/targets'),
    optional<UptimeResponse>('/uptime?days=90'),
    optional<{ slos: Slo[] }>('/slos').catch(() => undefined),
  ]);
  const targets = new Map(targetsRes.targets.map((t) => [t.name, t]));
  const perTarget = new Map<string, UptimeDay[]>();
  const availability90 = new Map<string, number | null>();
  if (uptime) {
    for (const day of uptime.days) {
      for (const name of targets.keys()) {
        const d = day.targets[name];
        let list = perTarget.get(name);
        if (!list) perTarget.set(name, (list = []));
        list.push({ date: day.date, availability: d?.availability ?? null, downtimeMs: d?.downtimeMs ?? 0 });
      }
    }
    for (const [name, days] of perTarget) {
      const known = days.filter((d) => d.availability !== null);
      availability90.set(name, known.length ? known.reduce((a, d) => a + d.availability!, 0) / known.length : null);
    }
  }
  const budget = new Map<string, number>();
  for (const slo of slos?.slos ?? []) {
    const t = sloTarget(slo);
    if (t) budget.set(t, Math.min(budget.get(t) ?? Infinity, slo.budgetRemaining));
  }
  const labelKeys = [...new Set(targetsRes.targets.flatMap((t) => Object.keys(t.labels)))].sort();

  const filter = h('input', { type: 'search', id: 'filter', placeholder: 'name or key=value', 'aria-describedby': 'filter-help' });
  const stateSel = h('select', { id: 'state-filter' }, h('option', { value: '' }, 'all'), STATES.map((st) => h('option', { value: st }, st)));
  const groupSel = h('select', { id: 'group-by' }, h('option', { value: '' }, 'none'), labelKeys.map((k) => h('option', { value: k }, k)));
  const summary = h('p', { class: 'summary', role: 'status' });
  const tbody = h('tbody');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const stateCells = new Map<string, HTMLElement>();
  let page = 0;

  const table = h(
    'table',
    { class: 'targets' },
    h('caption', { class: 'sr-only' }, 'Targets with state, 90-day uptime, latency and SLO budget'),
    h('thead', null, h('tr', null, ['State', 'Target', 'Labels', '90-day uptime', '90d', 'p95 latency (24h)', 'TTFT p95 (24h)', 'SLO budget left'].map((c) => h('th', { scope: 'col' }, c)))),
    tbody,
  );

  function matches(t: TargetStatus): boolean {
    if (stateSel.value && t.state !== stateSel.value) return false;
    const q = filter.value.trim().toLowerCase();
    if (!q) return true;
    return q.split(/\s+/).every((term) => {
      const eq = term.indexOf('=');
      if (eq > 0) return (t.labels[term.slice(0, eq)] ?? '').toLowerCase() === term.slice(eq + 1);
      return t.name.toLowerCase().includes(term) || (t.model ?? '').toLowerCase().includes(term) || Object.values(t.labels).some((v) => v.toLowerCase().includes(term));
    });
  }

  function updateSummary(): void {
    const counts: Record<string, number> = { up: 0, degraded: 0, down: 0, unknown: 0 };
    for (const t of targets.values()) counts[t.state] = (counts[t.state] ?? 0) + 1;
    summary.textContent = `${targets.size} targets: ${counts.down} down, ${counts.degraded} degraded, ${counts.up} up, ${counts.unknown} unknown`;
  }

  function row(t: TargetStatus): HTMLTableRowElement {
    const state = h('td', { class: 'state-cell' }, stateBadge(t.state));
    stateCells.set(t.name, state);
    const days = perTarget.get(t.name);
    const b = budget.get(t.name);
    const p95 = h('td', { class: 'spark-cell', 'data-spark': 'p95' });
    const ttft = h('td', { class: 'spark-cell', 'data-spark': 'ttft' });
    const tr = h(
      'tr',
      { 'data-target': t.name },
      state,
      h('th', { scope: 'row' }, routeLink(['targets', t.name], t.name), t.since ? h('div', { class: 'muted' }, `${t.state} since ${ago(t.since)}`) : null),
      h('td', { class: 'labels' }, Object.entries(t.labels).map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`))),
      h('td', null, days ? uptimeBars(days, `${t.name}: 90-day uptime ${pct(availability90.get(t.name))}`) : h('span', { class: 'muted' }, 'no history')),
      h('td', { class: 'num' }, pct(availability90.get(t.name))),
      p95,
      ttft,
      h('td', { class: `num${b !== undefined && b < 0.25 ? ' low-budget' : ''}` }, b === undefined ? '—' : pct(b, 1)),
    );
    void loadSparks(t.name, p95, ttft);
    return tr;
  }

  let sparkGeneration = 0;
  const queue: (() => Promise<void>)[] = [];
  let running = 0;
  function runQueue(): void {
    while (running < 4 && queue.length) {
      const job = queue.shift()!;
      running++;
      void job().finally(() => {
        running--;
        runQueue();
      });
    }
  }
  async function loadSparks(name: string, p95: HTMLElement, ttft: HTMLElement): Promise<void> {
    const gen = sparkGeneration;
    const draw = (rollups: RollupView[]) => {
      replace(p95, sparkline(rollups.map((r) => r.latencyP95Ms), `${name} p95 latency, last 24 hours`));
      replace(ttft, sparkline(rollups.map((r) => r.ttftP95Ms), `${name} time to first token p95, last 24 hours`));
    };
    const cached = sparkCache.get(name);
    if (cached) return draw(cached);
    queue.push(async () => {
      if (gen !== sparkGeneration) return;
      const res = await optional<{ rollups: RollupView[] }>(`/targets/${encodeURIComponent(name)}/rollups?tier=hour&from=-24h`).catch(() => undefined);
      sparkCache.set(name, res?.rollups ?? []);
      if (gen === sparkGeneration) draw(res?.rollups ?? []);
    });
    runQueue();
  }

  function draw(): void {
    sparkGeneration++;
    queue.length = 0;
    stateCells.clear();
    const list = [...targets.values()].filter(matches);
    const key = groupSel.value;
    if (key) list.sort((a, b) => (a.labels[key] ?? '~').localeCompare(b.labels[key] ?? '~') || a.name.localeCompare(b.name));
    const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const shown = list.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const rows: HTMLElement[] = [];
    let group: string | undefined;
    for (const t of shown) {
      const g = key ? (t.labels[key] ?? '(none)') : undefined;
      if (key && g !== group) {
        group = g;
        rows.push(h('tr', { class: 'group' }, h('th', { colspan: 8, scope: 'colgroup' }, `${key} = ${g}`)));
      }
      rows.push(row(t));
    }
    if (shown.length === 0) rows.push(h('tr', null, h('td', { colspan: 8 }, list.length === 0 && targets.size > 0 ? 'No target matches the filter.' : 'No targets are configured.')));
    replace(tbody, rows);
    const prev = h('button', { type: 'button', disabled: page === 0, onclick: () => ((page -= 1), draw()) }, 'Previous');
    const next = h('button', { type: 'button', disabled: page >= pages - 1, onclick: () => ((page += 1), draw()) }, 'Next');
    replace(pager, prev, h('span', null, ` Page ${page + 1} of ${pages} (${list.length} targets) `), next);
    updateSummary();
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const redrawSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((page = 0), draw()), 150);
  };
  filter.addEventListener('input', redrawSoon);
  stateSel.addEventListener('change', () => ((page = 0), draw()));
  groupSel.addEventListener('change', () => ((page = 0), draw()));

  replace(
    ctx.main,
    h('h1', null, 'Overview'),
    summary,
    h('div', { class: 'controls' }, labelled('Filter', filter), labelled('State', stateSel), labelled('Group by', groupSel)),
    h('p', { id: 'filter-help', class: 'muted' }, 'Filter by name or label value; use key=value (e.g. provider=openai) for an exact label.'),
    uptime ? null : notice('info', 'Uptime history is not available from this server.'),
    h('div', { class: 'table-wrap' }, table),
    pager,
  );
  draw();

  const unsubscribe = onLive('state', (data) => {
    const e = data as StateEvent;
    const t = targets.get(e.target);
    if (!t) return;
    t.state = e.to;
    t.since = e.at;
    const cell = stateCells.get(e.target);
    if (cell) replace(cell, stateBadge(e.to));
    updateSummary();
    announce(`${e.target} is now ${e.to}`);
  });
  return () => {
    unsubscribe();
    clearTimeout(timer);
    sparkGeneration++;
  };
}
