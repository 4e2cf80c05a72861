/**
 * The overview (#/): every target with its state, 90-day uptime bars, p95 latency and TTFT
 * sparklines, SLO budget left; filtering, grouping by label and pages of 100 rows keep 1,000
 * targets fast (bars and sparklines load for the rows on screen only). State changes stream in
 * and update rows in place, in batches.
 */
import { api, optional } from '../api.ts';
import { h, labelled, notice, replace, routeLink, tableHead } from '../dom.ts';
import { sparkline, uptimeBars } from '../charts.ts';
import { ago, pct } from '../format.ts';
import { announce, onLive } from '../live.ts';
import type { PageContext } from '../page.ts';
import type { Slo, State, StateEvent, TargetStatus } from '../types.ts';
import { SparkLoader, UptimeCache, matchesFilter } from './overview-data.ts';

const PAGE_SIZE = 100;
const STATES: State[] = ['down', 'degraded', 'up', 'unknown'];
const COLUMNS = [
  'State',
  'Target',
  'Labels',
  '90-day uptime',
  '90d',
  'p95 latency (24h)',
  'TTFT p95 (24h)',
  'SLO budget left',
];

/** The state badge (text + colour, so colour is never the only signal). */
export function stateBadge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state}` }, state);
}

/** The targets an SLO covers: `targets` (preferred), `target`, or `sli.target` when present. */
function sloTargets(slo: Slo): string[] {
  if (Array.isArray(slo.targets)) return slo.targets.filter((t): t is string => typeof t === 'string');
  if (typeof slo.target === 'string') return [slo.target];
  const sli = slo.sli as { target?: unknown } | undefined;
  return sli && typeof sli.target === 'string' ? [sli.target] : [];
}

interface RowCells {
  state: HTMLElement;
  since: HTMLElement;
  bars: HTMLElement;
  pct: HTMLElement;
}

/** Renders the overview. */
export async function overviewPage(ctx: PageContext): Promise<() => void> {
  ctx.setTitle('Overview');
  const [targetsRes, slos] = await Promise.all([
    api<{ targets: TargetStatus[] }>('/targets'),
    optional<{ slos: Slo[] }>('/slos').catch(() => undefined),
  ]);
  const targets = new Map(targetsRes.targets.map((t) => [t.name, t]));
  const uptime = new UptimeCache();
  const sparks = new SparkLoader();
  const budget = new Map<string, number>();
  for (const slo of slos?.slos ?? []) {
    for (const t of sloTargets(slo)) budget.set(t, Math.min(budget.get(t) ?? Infinity, slo.budgetRemaining));
  }
  const labelKeys = [...new Set(targetsRes.targets.flatMap((t) => Object.keys(t.labels)))].sort();

  const filter = h('input', {
    type: 'search',
    id: 'filter',
    placeholder: 'name or key=value',
    'aria-describedby': 'filter-help',
  });
  const stateSel = h(
    'select',
    { id: 'state-filter' },
    h('option', { value: '' }, 'all'),
    STATES.map((st) => h('option', { value: st }, st)),
  );
  const groupSel = h(
    'select',
    { id: 'group-by' },
    h('option', { value: '' }, 'none'),
    labelKeys.map((k) => h('option', { value: k }, k)),
  );
  const summary = h('p', { class: 'summary', role: 'status' });
  const uptimeNote = h('div');
  const tbody = h('tbody');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const cells = new Map<string, RowCells>();
  let page = 0;
  let generation = 0;

  function updateSummary(): void {
    const counts: Record<string, number> = { up: 0, degraded: 0, down: 0, unknown: 0 };
    for (const t of targets.values()) counts[t.state] = (counts[t.state] ?? 0) + 1;
    summary.textContent = `${targets.size} targets: ${counts.down} down, ${counts.degraded} degraded, ${counts.up} up, ${counts.unknown} unknown`;
  }

  function fillUptime(name: string): void {
    const c = cells.get(name);
    const days = uptime.get(name);
    if (!c) return;
    if (!days) {
      if (!uptime.available) replace(c.bars, h('span', { class: 'muted' }, 'no history'));
      return;
    }
    replace(c.bars, uptimeBars(days, `${name}: 90-day uptime ${pct(uptime.availability(name))}`));
    c.pct.textContent = pct(uptime.availability(name));
  }

  function row(t: TargetStatus): HTMLTableRowElement {
    const c: RowCells = {
      state: h('td', { class: 'state-cell' }, stateBadge(t.state)),
      since: h('div', { class: 'muted' }, t.since ? `${t.state} since ${ago(t.since)}` : ''),
      bars: h('td', { class: 'bars-cell' }),
      pct: h('td', { class: 'num' }, '…'),
    };
    cells.set(t.name, c);
    const b = budget.get(t.name);
    const p95 = h('td', { class: 'spark-cell' });
    const ttft = h('td', { class: 'spark-cell' });
    const gen = generation;
    sparks.request(t.name, (rollups) => {
      if (gen !== generation) return;
      replace(
        p95,
        sparkline(
          rollups.map((r) => r.latencyP95Ms),
          `${t.name} p95 latency, last 24 hours`,
        ),
      );
      replace(
        ttft,
        sparkline(
          rollups.map((r) => r.ttftP95Ms),
          `${t.name} time to first token p95, last 24 hours`,
        ),
      );
    });
    fillUptime(t.name);
    return h(
      'tr',
      { 'data-target': t.name },
      c.state,
      h('th', { scope: 'row' }, routeLink(['targets', t.name], t.name), c.since),
      h(
        'td',
        { class: 'labels' },
        Object.entries(t.labels).map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`)),
      ),
      c.bars,
      c.pct,
      p95,
      ttft,
      h(
        'td',
        { class: `num${b !== undefined && b < 0.25 ? ' low-budget' : ''}` },
        b === undefined ? '—' : pct(b, 1),
      ),
    );
  }

  function draw(): void {
    generation++;
    sparks.cancel();
    cells.clear();
    const list = [...targets.values()].filter((t) => matchesFilter(t, filter.value, stateSel.value));
    const key = groupSel.value;
    if (key)
      list.sort(
        (a, b) => (a.labels[key] ?? '~').localeCompare(b.labels[key] ?? '~') || a.name.localeCompare(b.name),
      );
    const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const shown = list.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const rows: HTMLElement[] = [];
    let group: string | undefined;
    for (const t of shown) {
      const g = key ? (t.labels[key] ?? '(none)') : undefined;
      if (key && g !== group) {
        group = g;
        rows.push(
          h(
            'tr',
            { class: 'group' },
            h('th', { colspan: COLUMNS.length, scope: 'colgroup' }, `${key} = ${g}`),
          ),
        );
      }
      rows.push(row(t));
    }
    if (shown.length === 0)
      rows.push(
        h(
          'tr',
          null,
          h(
            'td',
            { colspan: COLUMNS.length },
            targets.size > 0 ? 'No target matches the filter.' : 'No targets are configured.',
          ),
        ),
      );
    replace(tbody, rows);
    const gen = generation;
    void uptime.load(shown.map((t) => t.name)).then((loaded) => {
      if (!uptime.available)
        replace(uptimeNote, notice('info', 'Uptime history is not available from this server.'));
      if (gen === generation) loaded.forEach(fillUptime);
    });
    const prev = h(
      'button',
      { type: 'button', disabled: page === 0, onclick: () => ((page -= 1), draw()) },
      'Previous',
    );
    const next = h(
      'button',
      { type: 'button', disabled: page >= pages - 1, onclick: () => ((page += 1), draw()) },
      'Next',
    );
    replace(pager, prev, h('span', null, ` Page ${page + 1} of ${pages} (${list.length} targets) `), next);
    updateSummary();
  }

  let typing: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => ((page = 0), draw()), 150);
  });
  stateSel.addEventListener('change', () => ((page = 0), draw()));
  groupSel.addEventListener('change', () => ((page = 0), draw()));

  replace(
    ctx.main,
    h('h1', null, 'Overview'),
    summary,
    h(
      'div',
      { class: 'controls' },
      labelled('Filter', filter),
      labelled('State', stateSel),
      labelled('Group by', groupSel),
    ),
    h(
      'p',
      { id: 'filter-help', class: 'muted' },
      'Filter by name or label value; use key=value (e.g. provider=openai) for an exact label.',
    ),
    uptimeNote,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'targets' },
        h('caption', { class: 'sr-only' }, 'Targets with state, 90-day uptime, latency and SLO budget'),
        tableHead(COLUMNS),
        tbody,
      ),
    ),
    pager,
  );
  draw();
  performance.mark('nines:overview-rendered');

  // Live state changes are applied in batches (every 100 ms at most) so a burst stays smooth;
  // the screen reader hears one short summary per batch.
  let pending = new Map<string, StateEvent>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    flushTimer = undefined;
    const changes = [...pending.values()];
    pending = new Map();
    for (const e of changes) {
      const c = cells.get(e.target);
      if (!c) continue;
      replace(c.state, stateBadge(e.to));
      c.since.textContent = `${e.to} since ${ago(e.at)}`;
    }
    updateSummary();
    announce(
      changes.length <= 3
        ? changes.map((e) => `${e.target} is now ${e.to}`).join('; ')
        : `${changes.length} targets changed state`,
    );
  };
  const unsubscribe = onLive('state', (data) => {
    const e = data as StateEvent;
    const t = targets.get(e.target);
    if (!t) return;
    t.state = e.to;
    t.since = e.at;
    pending.set(e.target, e);
    flushTimer ??= setTimeout(flush, 100);
  });
  return () => {
    unsubscribe();
    clearTimeout(typing);
    clearTimeout(flushTimer);
    generation++;
    sparks.cancel();
  };
}
