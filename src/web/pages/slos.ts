/**
 * SLOs: the list (#/slos) with budget left, burn rates and firing tiers, and one SLO
 * (#/slos/:name) with the burn-down over its window, burn rate per alert window and the time
 * until the budget runs out at the current rate.
 */
import { api, optional } from '../api.ts';
import { h, notice, replace, routeLink, tableHead } from '../dom.ts';
import { lineChart } from '../charts.ts';
import { duration, pct } from '../format.ts';
import type { PageContext } from '../page.ts';
import type { Slo } from '../types.ts';

function windowText(w: string | number | null): string {
  return typeof w === 'number' ? duration(w) : (w ?? '—');
}

function budgetMeter(fraction: number, label: string): HTMLElement {
  const clamped = Math.max(0, Math.min(1, fraction));
  const m = h(
    'meter',
    { min: 0, max: 1, low: 0.25, high: 0.5, optimum: 1, value: clamped, 'aria-label': label },
    pct(fraction, 1),
  );
  return h('span', { class: 'budget' }, m, ' ', pct(fraction, 1));
}

function firing(slo: Slo): HTMLElement {
  return slo.firingTiers.length
    ? h('span', { class: 'badge state-down' }, `firing: ${slo.firingTiers.join(', ')}`)
    : h('span', { class: 'badge state-up' }, 'not firing');
}

/** Renders the SLO list. */
export async function sloListPage(ctx: PageContext): Promise<void> {
  ctx.setTitle('SLOs');
  const res = await optional<{ slos: Slo[] }>('/slos');
  if (!res) {
    replace(
      ctx.main,
      h('h1', null, 'SLOs'),
      notice('info', 'This server does not evaluate SLOs (no slos: section configured).'),
    );
    return;
  }
  const windows = [...new Set(res.slos.flatMap((x) => Object.keys(x.burnRates)))];
  replace(
    ctx.main,
    h('h1', null, 'SLOs'),
    res.slos.length === 0
      ? notice('info', 'No SLOs are configured.')
      : h(
          'table',
          null,
          tableHead([
            'SLO',
            'Objective',
            'Window',
            'Budget left',
            ...windows.map((w) => `Burn ${w}`),
            'Exhausted in',
            'Alerting',
          ]),
          h(
            'tbody',
            null,
            res.slos.map((x) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, routeLink(['slos', x.name], x.name)),
                h('td', { class: 'num' }, pct(x.objective, 3)),
                h('td', null, windowText(x.window)),
                h('td', null, budgetMeter(x.budgetRemaining, `${x.name} error budget left`)),
                windows.map((w) =>
                  h(
                    'td',
                    { class: 'num' },
                    x.burnRates[w] === undefined ? '—' : `${x.burnRates[w]!.toFixed(2)}×`,
                  ),
                ),
                h(
                  'td',
                  null,
                  x.timeToExhaustionMs === null ? 'not at this rate' : duration(x.timeToExhaustionMs),
                ),
                h('td', null, firing(x)),
              ),
            ),
          ),
        ),
  );
}

/** Renders one SLO. */
export async function sloPage(ctx: PageContext): Promise<void> {
  const name = ctx.params[0]!;
  ctx.setTitle(`SLO ${name}`);
  const res = await api<{ slo?: Slo } & Partial<Slo>>(`/slos/${encodeURIComponent(name)}`);
  const slo = (res.slo ?? res) as Slo;
  const burn = slo.burnDown ?? [];
  replace(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/slos' }, 'SLOs'), ' / ', name),
    h('h1', null, `SLO ${name} `, firing(slo)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Objective'),
      h('dd', null, `${pct(slo.objective, 3)} over ${windowText(slo.window)}`),
      h('dt', null, 'Budget left'),
      h('dd', null, budgetMeter(slo.budgetRemaining, 'error budget left')),
      h('dt', null, 'Good / total events'),
      h('dd', null, slo.total === undefined ? '—' : `${slo.good ?? 0} / ${slo.total}`),
      h('dt', null, 'Budget exhausted in'),
      h(
        'dd',
        null,
        slo.timeToExhaustionMs === null ? 'not at the current burn rate' : duration(slo.timeToExhaustionMs),
      ),
    ),
    h('h2', null, 'Burn-down'),
    h(
      'figure',
      null,
      lineChart({
        title: 'Error budget remaining over the SLO window',
        series: [
          {
            name: 'budget remaining',
            cls: 's1',
            points: burn.map((b) => ({ at: b.at, value: b.budgetRemaining })),
          },
        ],
        unit: (v) => pct(v, 0),
      }),
    ),
    h('h2', null, 'Burn rate per alert window'),
    h(
      'table',
      { class: 'compact' },
      h(
        'thead',
        null,
        h('tr', null, h('th', { scope: 'col' }, 'Window'), h('th', { scope: 'col' }, 'Burn rate')),
      ),
      h(
        'tbody',
        null,
        Object.entries(slo.burnRates).map(([w, r]) =>
          h('tr', null, h('th', { scope: 'row' }, w), h('td', { class: 'num' }, `${r.toFixed(2)}×`)),
        ),
      ),
    ),
    slo.tiers?.length ? [h('h2', null, 'Alert tiers'), tiersTable(slo.tiers)] : null,
  );
}

/** The burn-rate alert tiers: windows, threshold factor, current burn and state. */
function tiersTable(tiers: NonNullable<Slo['tiers']>): HTMLElement {
  return h(
    'table',
    { class: 'compact' },
    tableHead(['Tier (long/short)', 'Severity', 'Threshold', 'Long burn', 'Short burn', 'State']),
    h(
      'tbody',
      null,
      tiers.map((t) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, t.name),
          h('td', null, t.severity),
          h('td', { class: 'num' }, `${t.factor.toFixed(1)}×`),
          h('td', { class: 'num' }, `${t.longBurn.toFixed(2)}×`),
          h('td', { class: 'num' }, `${t.shortBurn.toFixed(2)}×`),
          h('td', null, h('span', { class: `badge alert-${t.state}` }, t.state)),
        ),
      ),
    ),
  );
}
