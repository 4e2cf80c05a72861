/**
 * The gateway (#/gateway): traffic, errors, latency and TTFT per route and deployment, breaker
 * states, failovers and cache hit rate. Says so plainly when no gateway is configured.
 */
import { optional } from '../api.ts';
import { h, notice, replace, tableHead } from '../dom.ts';
import { ms, pct } from '../format.ts';
import { onLive } from '../live.ts';
import type { PageContext } from '../page.ts';
import type { GatewayView } from '../types.ts';

/** Renders the gateway page. */
export async function gatewayPage(ctx: PageContext): Promise<() => void> {
  ctx.setTitle('Gateway');
  const box = h('div');
  replace(ctx.main, h('h1', null, 'Gateway'), box);
  async function load(): Promise<void> {
    const g = await optional<GatewayView>('/gateway');
    if (!g || !g.enabled) {
      replace(
        box,
        notice('info', 'No gateway is configured on this server (add a gateway: section to nines.yaml).'),
      );
      return;
    }
    const breakers = new Map<string, { state: string; opens: number }>();
    for (const r of g.routes) for (const d of r.deployments) breakers.set(`${r.name}/${d.name}`, d.breaker);
    replace(
      box,
      h('h2', null, 'Routes'),
      h(
        'ul',
        { class: 'routes' },
        g.routes.map((r) =>
          h(
            'li',
            null,
            h('strong', null, r.name),
            ` (${r.strategy}): `,
            r.deployments.map((d) =>
              h(
                'span',
                { class: `badge breaker-${d.breaker.state}` },
                `${d.name} via ${d.provider}: ${d.breaker.state}${d.breaker.opens ? `, opened ${d.breaker.opens}×` : ''}`,
              ),
            ),
          ),
        ),
      ),
      h('h2', null, 'Traffic'),
      g.traffic.length === 0
        ? h('p', null, 'No traffic yet.')
        : h(
            'table',
            null,
            tableHead([
              'Route',
              'Deployment',
              'Requests',
              'Error rate',
              'p50',
              'p95',
              'TTFT p95',
              'Failovers',
              'Cache hits',
              'Breaker',
            ]),
            h(
              'tbody',
              null,
              g.traffic.map((t) =>
                h(
                  'tr',
                  null,
                  h('th', { scope: 'row' }, t.route),
                  h('td', null, t.deployment),
                  h('td', { class: 'num' }, t.total),
                  h('td', { class: 'num' }, t.total ? pct(t.errors / t.total, 1) : '—'),
                  h('td', { class: 'num' }, ms(t.latencyP50Ms)),
                  h('td', { class: 'num' }, ms(t.latencyP95Ms)),
                  h('td', { class: 'num' }, ms(t.ttftP95Ms)),
                  h('td', { class: 'num' }, t.failovers),
                  h('td', { class: 'num' }, t.total ? pct(t.cached / t.total, 1) : '—'),
                  h('td', null, breakers.get(`${t.route}/${t.deployment}`)?.state ?? '—'),
                ),
              ),
            ),
          ),
    );
  }
  await load();
  return onLive('breaker', () => void load().catch(() => undefined));
}
