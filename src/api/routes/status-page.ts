/**
 * Public status pages, served without auth: `/status/:slug` (server-rendered HTML, no script)
 * and `/status/:slug/api.json`. Only the targets a page lists appear, under their public names;
 * private names, labels, URLs and error text never leave the server. Incident history shows
 * public timeline entries only. Every string is HTML-escaped.
 */
import type { Context, Hono } from 'hono';
import type { StatusPageConfig } from '../../config/status-pages.ts';
import { setSecurityHeaders } from '../static.ts';

/** A target's state as the status page shows it. */
export type PublicState = 'up' | 'degraded' | 'down' | 'unknown';

/** An incident as a status page may show it (no title, labels or private notes). */
export interface PublicIncident {
  state: 'open' | 'acknowledged' | 'mitigated' | 'resolved';
  openedAt: number;
  resolvedAt?: number;
  /** Private target names the incident affects (mapped to public names by the route). */
  targets: string[];
  /** Timeline entries marked public, oldest first. */
  updates: { at: number; text: string }[];
}

/** What the status page needs (the consumer defines it; main.ts wires it). */
export interface StatusPageData {
  now(): number;
  /** Current state of each of `targets` (missing → unknown). */
  states(targets: readonly string[]): Record<string, PublicState>;
  /** Per-day availability, oldest first (the shape of GET /api/v1/uptime). */
  dailyUptime(
    days: number,
    now: number,
    targets: readonly string[],
  ): Promise<
    { date: string; targets: Record<string, { availability: number | null; downtimeMs: number }> }[]
  >;
  /** Incidents affecting `targets` opened since `from`, newest first. */
  publicIncidents(targets: readonly string[], from: number): Promise<PublicIncident[]>;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SUMMARY: Record<PublicState, string> = {
  up: 'All systems operational',
  degraded: 'Degraded performance',
  down: 'Service disruption',
  unknown: 'Status unknown',
};
const WORD: Record<PublicState, string> = {
  up: 'Operational',
  degraded: 'Degraded',
  down: 'Outage',
  unknown: 'No data',
};
const INCIDENT_WORD: Record<PublicIncident['state'], string> = {
  open: 'Investigating',
  acknowledged: 'Identified',
  mitigated: 'Monitoring',
  resolved: 'Resolved',
};

function overall(states: PublicState[]): PublicState {
  if (states.includes('down')) return 'down';
  if (states.includes('degraded')) return 'degraded';
  if (states.length > 0 && states.every((s) => s === 'unknown')) return 'unknown';
  return 'up';
}

function barClass(a: number | null): string {
  if (a === null) return 'bar-none';
  if (a >= 0.999) return 'bar-up';
  if (a >= 0.99) return 'bar-minor';
  if (a >= 0.95) return 'bar-partial';
  return 'bar-major';
}

/** The public view of one page (also the JSON API body). */
export interface StatusPageView {
  title: string;
  description?: string;
  status: PublicState;
  summary: string;
  updatedAt: number;
  components: {
    name: string;
    status: PublicState;
    uptime: number | null;
    days: { date: string; availability: number | null; downtimeMs: number }[];
  }[];
  incidents: {
    status: string;
    openedAt: number;
    resolvedAt?: number;
    components: string[];
    updates: { at: number; text: string }[];
  }[];
}

/** Builds the public view of a page from private data, keeping only what may be shown. */
export async function buildStatusView(page: StatusPageConfig, data: StatusPageData): Promise<StatusPageView> {
  const now = data.now();
  const names = page.targets.map((t) => t.target);
  const publicName = new Map(page.targets.map((t) => [t.target, t.name]));
  const states = data.states(names);
  const [days, incidents] = await Promise.all([
    data.dailyUptime(page.historyDays, now, names),
    data.publicIncidents(names, now - page.historyDays * 86_400_000),
  ]);
  const components = page.targets.map((t) => {
    const list = days.map((d) => ({
      date: d.date,
      availability: d.targets[t.target]?.availability ?? null,
      downtimeMs: d.targets[t.target]?.downtimeMs ?? 0,
    }));
    const known = list.filter((d) => d.availability !== null);
    return {
      name: t.name,
      status: states[t.target] ?? 'unknown',
      uptime: known.length ? known.reduce((a, d) => a + d.availability!, 0) / known.length : null,
      days: list,
    };
  });
  const status = overall(components.map((c) => c.status));
  return {
    title: page.title,
    ...(page.description ? { description: page.description } : {}),
    status,
    summary: SUMMARY[status],
    updatedAt: now,
    components,
    incidents: incidents.map((i) => ({
      status: INCIDENT_WORD[i.state],
      openedAt: i.openedAt,
      ...(i.resolvedAt !== undefined ? { resolvedAt: i.resolvedAt } : {}),
      components: i.targets.map((t) => publicName.get(t)).filter((n): n is string => n !== undefined),
      updates: i.updates.map((u) => ({ at: u.at, text: u.text })),
    })),
  };
}

function iso(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function pct(a: number | null): string {
  return a === null ? 'no data' : `${(a * 100).toFixed(a >= 0.999 && a < 1 ? 3 : 2)}%`;
}

/** Renders the page as HTML (no script; styles from /assets/status.css). */
export function renderStatusHtml(v: StatusPageView): string {
  const e = escapeHtml;
  const bars = (c: StatusPageView['components'][number]) => {
    const n = Math.max(c.days.length, 1);
    const w = 100 / n;
    const rects = c.days
      .map(
        (d, i) =>
          `<rect x="${(i * w).toFixed(3)}%" y="0" width="${Math.max(w - 0.25, 0.2).toFixed(3)}%" height="30" class="${barClass(d.availability)}"><title>${e(`${d.date}: ${pct(d.availability)}${d.downtimeMs > 0 ? `, ${Math.round(d.downtimeMs / 60_000)} min down` : ''}`)}</title></rect>`,
      )
      .join('');
    return `<svg class="bars" role="img" aria-label="${e(`${c.name}: ${pct(c.uptime)} uptime over ${c.days.length} days`)}">${rects}</svg>`;
  };
  const components = v.components
    .map(
      (c) =>
        `<section class="component"><header><h2 class="name">${e(c.name)}</h2><span class="state-${c.status}">${WORD[c.status]}</span></header>${bars(c)}<div class="legend"><span>${c.days.length} days ago</span><span>${e(pct(c.uptime))} uptime</span><span>Today</span></div></section>`,
    )
    .join('\n');
  const incidents = v.incidents.length
    ? v.incidents
        .map(
          (i) =>
            `<article class="incident"><h3>${e(i.status)}${i.components.length ? ` — ${e(i.components.join(', '))}` : ''}</h3><p class="muted">Started ${e(iso(i.openedAt))}${i.resolvedAt ? `, resolved ${e(iso(i.resolvedAt))}` : ''}</p>${
              i.updates.length
                ? `<ol>${i.updates.map((u) => `<li><time datetime="${e(new Date(u.at).toISOString())}">${e(iso(u.at))}</time><p>${e(u.text)}</p></li>`).join('')}</ol>`
                : '<p>We are looking into it.</p>'
            }</article>`,
        )
        .join('\n')
    : '<p>No incidents reported.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(v.title)}</title><link rel="stylesheet" href="/assets/status.css"></head>
<body><main>
<h1>${e(v.title)}</h1>${v.description ? `<p>${e(v.description)}</p>` : ''}
<p class="summary ${v.status}" role="status">${e(v.summary)}</p>
<h2 class="sr-only">Components</h2>
${components}
<h2>Incident history</h2>
${incidents}
<footer>Updated ${e(iso(v.updatedAt))}. Powered by nines.</footer>
</main></body></html>
`;
}

function notFoundHtml(slug: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Status page not found</title><link rel="stylesheet" href="/assets/status.css"></head><body><main><h1>Status page not found</h1><p>There is no status page called “${escapeHtml(slug)}”.</p></main></body></html>`;
}

/** Public routes for the configured pages (pass the current page list getter for reloads). */
export function statusPageRoutes(
  pages: () => readonly StatusPageConfig[],
  data: StatusPageData,
): (app: Hono) => void {
  const find = (c: Context) => pages().find((p) => p.slug === c.req.param('slug'));
  return (app) => {
    app.get('/status/:slug/api.json', async (c) => {
      setSecurityHeaders(c);
      c.header('cache-control', 'public, max-age=15');
      const page = find(c);
      if (!page)
        return c.json(
          { error: { code: 'NOT_FOUND', message: `no status page "${c.req.param('slug')}"` } },
          404,
        );
      return c.json(await buildStatusView(page, data));
    });
    app.get('/status/:slug', async (c) => {
      setSecurityHeaders(c);
      const page = find(c);
      if (!page) return c.html(notFoundHtml(c.req.param('slug')), 404);
      c.header('cache-control', 'public, max-age=15');
      return c.html(renderStatusHtml(await buildStatusView(page, data)));
    });
  };
}
