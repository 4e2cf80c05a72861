/**
 * Incidents: the list (#/incidents) and one incident (#/incidents/:id) with its timeline,
 * probable causes, notes (private or public), the lifecycle actions (acknowledge, mitigate,
 * resolve, reopen) and the postmortem export.
 */
import { api } from '../api.ts';
import { h, labelled, notice, replace, routeLink, tableHead } from '../dom.ts';
import { duration, time } from '../format.ts';
import { onLive } from '../live.ts';
import { canOperate, type PageContext } from '../page.ts';
import type { Incident, TimelineEntry } from '../types.ts';
import { showError } from './alerts.ts';

function stateBadge(state: string): HTMLElement {
  return h('span', { class: `badge incident-${state}` }, state);
}

/** Renders the incident list. */
export async function incidentListPage(ctx: PageContext): Promise<() => void> {
  ctx.setTitle('Incidents');
  const showAll = h('input', { type: 'checkbox', id: 'show-resolved' });
  const box = h('div');
  replace(ctx.main, h('h1', null, 'Incidents'), labelled('Show resolved', showAll), box);
  async function load(): Promise<void> {
    const q = showAll.checked ? '' : '?state=open,acknowledged,mitigated';
    const { incidents } = await api<{ incidents: Incident[] }>(`/incidents${q}`);
    replace(
      box,
      incidents.length === 0
        ? h('p', null, showAll.checked ? 'No incidents in the last 90 days.' : 'No open incidents.')
        : h(
            'table',
            null,
            tableHead(['Incident', 'Severity', 'State', 'Opened', 'Duration']),
            h(
              'tbody',
              null,
              incidents.map((i) =>
                h(
                  'tr',
                  { 'data-incident': i.id },
                  h('th', { scope: 'row' }, routeLink(['incidents', i.id], i.title)),
                  h('td', null, i.severity),
                  h('td', null, stateBadge(i.state)),
                  h('td', null, time(i.openedAt)),
                  h('td', null, duration((i.resolvedAt ?? Date.now()) - i.openedAt)),
                ),
              ),
            ),
          ),
    );
  }
  showAll.addEventListener('change', () => void load());
  await load();
  return onLive('incident', () => void load().catch(() => undefined));
}

/** Renders one incident. */
export async function incidentPage(ctx: PageContext): Promise<() => void> {
  const id = ctx.params[0]!;
  const enc = encodeURIComponent(id);
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const body = h('div');
  const act = (path: string, payload: unknown, done: string) =>
    api(`/incidents/${enc}/${path}`, { method: 'POST', body: payload })
      .then(() => load())
      .then(() => replace(status, notice('info', done)))
      .catch((err: unknown) => showError(status, err));

  async function load(): Promise<void> {
    const { incident: i, timeline } = await api<{ incident: Incident; timeline: TimelineEntry[] }>(
      `/incidents/${enc}`,
    );
    ctx.setTitle(`Incident ${i.title}`);
    const actions: [string, string, boolean][] = [
      ['acknowledge', 'Acknowledge', i.state === 'open'],
      ['mitigate', 'Mark mitigated', i.state === 'open' || i.state === 'acknowledged'],
      ['resolve', 'Resolve', i.state !== 'resolved'],
      ['reopen', 'Reopen', i.state === 'resolved'],
    ];
    const note = h('textarea', { rows: 3, required: true, maxlength: 10000, id: 'note-text' });
    const isPublic = h('input', { type: 'checkbox', id: 'note-public' });
    const form = h(
      'form',
      { class: 'note-form', 'aria-label': 'Add a note' },
      labelled('Note', note),
      h('label', { class: 'check' }, isPublic, ' Show on the public status page'),
      h('button', { type: 'submit' }, 'Add note'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void act('notes', { text: note.value, public: isPublic.checked }, 'Note added.');
    });
    replace(
      body,
      h('p', { class: 'crumbs' }, h('a', { href: '#/incidents' }, 'Incidents'), ' / ', i.id),
      h('h1', null, i.title, ' ', stateBadge(i.state)),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, 'Severity'),
        h('dd', null, i.severity),
        h('dt', null, 'Opened'),
        h('dd', null, time(i.openedAt)),
        i.acknowledgedAt
          ? [
              h('dt', null, 'Acknowledged'),
              h('dd', null, `${time(i.acknowledgedAt)} by ${i.acknowledgedBy ?? '?'}`),
            ]
          : null,
        i.resolvedAt
          ? [h('dt', null, 'Resolved'), h('dd', null, `${time(i.resolvedAt)} by ${i.resolvedBy ?? '?'}`)]
          : null,
        h('dt', null, 'Group'),
        h('dd', null, i.groupKey),
        h('dt', null, 'Labels'),
        h(
          'dd',
          null,
          Object.entries(i.labels).map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`)),
        ),
      ),
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-label': 'Incident actions' },
        actions
          .filter(([, , ok]) => ok)
          .map(([path, text]) =>
            h(
              'button',
              { type: 'button', 'data-action': path, onclick: () => void act(path, {}, `${text}: done.`) },
              text,
            ),
          ),
        h(
          'a',
          { class: 'button', href: `/api/v1/incidents/${enc}/postmortem`, download: `postmortem-${i.id}.md` },
          'Export postmortem',
        ),
      ),
      canOperate(ctx) ? null : notice('info', 'You are a viewer: incident actions need the operator role.'),
      status,
      i.causes?.length
        ? h(
            'section',
            null,
            h('h2', null, 'Probable causes'),
            h(
              'ol',
              null,
              i.causes.map((c) =>
                h(
                  'li',
                  null,
                  `${c.cause} (score ${c.score.toFixed(2)})`,
                  c.evidence.length
                    ? h(
                        'ul',
                        null,
                        c.evidence.map((ev) => h('li', null, ev)),
                      )
                    : null,
                ),
              ),
            ),
          )
        : null,
      h(
        'section',
        null,
        h('h2', null, 'Timeline'),
        h(
          'ol',
          { class: 'timeline-list' },
          timeline.map((t) =>
            h(
              'li',
              { class: `tl-${t.kind}` },
              h('time', null, time(t.at)),
              ' ',
              h('strong', null, t.kind),
              t.actor ? ` by ${t.actor}` : '',
              t.public ? h('span', { class: 'badge public' }, 'public') : null,
              h('p', { class: 'tl-text' }, t.text),
            ),
          ),
        ),
      ),
      h('section', null, h('h2', null, 'Add a note'), form),
    );
  }
  replace(ctx.main, body);
  await load();
  return onLive('incident', (data) => {
    if (
      (data as { id?: string; incident?: { id?: string } }).id === id ||
      (data as { incident?: { id?: string } }).incident?.id === id
    )
      void load().catch(() => undefined);
  });
}
