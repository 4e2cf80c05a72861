/**
 * Alerts (#/alerts): firing alerts with their group and route, silencing an alert from its
 * labels, and the list of silences with an expire button. Operator actions are enforced by the
 * API; a refusal is shown as a message next to the action.
 */
import { ApiError, api, optional } from '../api.ts';
import { h, labelled, notice, replace, tableHead } from '../dom.ts';
import { duration, time } from '../format.ts';
import { onLive } from '../live.ts';
import { canOperate, type PageContext } from '../page.ts';
import type { Alert, Silence } from '../types.ts';

function asMs(t: number | string): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

function labelList(labels: Record<string, string>): HTMLElement {
  return h(
    'span',
    { class: 'labels' },
    Object.entries(labels).map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`)),
  );
}

/** Why an alert is not notified, if it is muted ("silenced", "muted by maintenance"). */
function mutedText(a: Alert): string {
  if (a.mutedBy) return a.mutedBy.by === 'silence' ? 'silenced' : `muted by ${a.mutedBy.by}`;
  if ((a.silencedBy?.length ?? 0) > 0) return 'silenced';
  return (a.inhibitedBy?.length ?? 0) > 0 ? 'inhibited' : '';
}

/** Shows an API error (e.g. a viewer refused) in `status`. */
export function showError(status: HTMLElement, err: unknown): void {
  const msg =
    err instanceof ApiError ? (err.status === 403 ? `Refused: ${err.message}` : err.message) : String(err);
  replace(status, notice('error', msg));
}

function silenceForm(alert: Alert, status: HTMLElement, done: () => void): HTMLElement {
  const boxes = Object.entries(alert.labels).map(([k, v]) => {
    const box = h('input', {
      type: 'checkbox',
      checked: k === 'alertname' || k === 'target' || Object.keys(alert.labels).length <= 3,
      'data-name': k,
      'data-value': v,
    });
    return h('label', { class: 'check' }, box, ` ${k}=${v}`);
  });
  const dur = h(
    'select',
    null,
    ['1h', '4h', '24h', '7d'].map((d) => h('option', { value: d }, d)),
  );
  const comment = h('input', { required: true, maxlength: 1000 });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': `Silence alert ${alert.labels.alertname ?? alert.fingerprint}` },
    h('fieldset', null, h('legend', null, 'Match labels'), boxes),
    labelled('For', dur),
    labelled('Comment', comment),
    h('button', { type: 'submit' }, 'Create silence'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const matchers = [...form.querySelectorAll<HTMLInputElement>('input[type=checkbox]')]
      .filter((b) => b.checked)
      .map((b) => ({ name: b.dataset.name!, value: b.dataset.value!, isRegex: false, isEqual: true }));
    const ms =
      { '1h': 3_600_000, '4h': 4 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 }[dur.value] ??
      3_600_000;
    api('/silences', { method: 'POST', body: { matchers, endsAt: Date.now() + ms, comment: comment.value } })
      .then(() => {
        replace(status, notice('info', 'Silence created.'));
        done();
      })
      .catch((err: unknown) => showError(status, err));
  });
  return form;
}

/** Renders alerts and silences. */
export async function alertsPage(ctx: PageContext): Promise<() => void> {
  ctx.setTitle('Alerts');
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const alertsBox = h('section', { 'aria-labelledby': 'alerts-h' });
  const silencesBox = h('section', { 'aria-labelledby': 'silences-h' });
  replace(
    ctx.main,
    h('h1', null, 'Alerts'),
    canOperate(ctx) ? null : notice('info', 'You are a viewer: silencing needs the operator role.'),
    status,
    alertsBox,
    silencesBox,
  );

  async function load(): Promise<void> {
    const [alerts, silences] = await Promise.all([
      optional<{ alerts: Alert[] }>('/alerts'),
      optional<{ silences: Silence[] }>('/silences'),
    ]);
    if (!alerts)
      replace(
        alertsBox,
        h('h2', { id: 'alerts-h' }, 'Firing alerts'),
        notice('info', 'Alerting is not configured on this server.'),
      );
    else {
      const list = alerts.alerts;
      replace(
        alertsBox,
        h('h2', { id: 'alerts-h' }, `Firing alerts (${list.length})`),
        list.length === 0
          ? h('p', null, 'Nothing is firing.')
          : h(
              'table',
              null,
              tableHead(['Alert', 'State', 'Since', 'Labels', 'Group', 'Route', 'Actions']),
              h(
                'tbody',
                null,
                list.map((a) => {
                  const actions = h('td');
                  const muted = mutedText(a);
                  const button = h(
                    'button',
                    {
                      type: 'button',
                      onclick: () =>
                        replace(
                          actions,
                          silenceForm(a, status, () => void load()),
                        ),
                    },
                    'Silence…',
                  );
                  actions.append(button);
                  return h(
                    'tr',
                    { 'data-fingerprint': a.fingerprint },
                    h(
                      'th',
                      { scope: 'row' },
                      a.labels.alertname ?? a.fingerprint,
                      a.annotations.summary ? h('div', { class: 'muted' }, a.annotations.summary) : null,
                    ),
                    h(
                      'td',
                      null,
                      h('span', { class: `badge alert-${a.state}` }, a.state),
                      muted ? ` (${muted})` : '',
                    ),
                    h('td', null, time(asMs(a.startsAt))),
                    h('td', null, labelList(a.labels)),
                    h('td', null, a.groupKey ?? '—'),
                    h('td', null, a.receiver ?? '—'),
                    actions,
                  );
                }),
              ),
            ),
      );
    }
    if (!silences) {
      replace(
        silencesBox,
        h('h2', { id: 'silences-h' }, 'Silences'),
        notice('info', 'Silences are not available on this server.'),
      );
      return;
    }
    const now = Date.now();
    replace(
      silencesBox,
      h('h2', { id: 'silences-h' }, 'Silences'),
      silences.silences.length === 0
        ? h('p', null, 'No silences.')
        : h(
            'table',
            null,
            tableHead(['Matchers', 'Ends', 'Comment', 'By', 'Actions']),
            h(
              'tbody',
              null,
              silences.silences.map((si) => {
                const active = asMs(si.endsAt) > now && asMs(si.startsAt) <= now;
                const expire = h(
                  'button',
                  {
                    type: 'button',
                    onclick: () =>
                      void api(`/silences/${encodeURIComponent(si.id)}`, { method: 'DELETE' })
                        .then(() => load())
                        .then(() => replace(status, notice('info', 'Silence expired.')))
                        .catch((err: unknown) => showError(status, err)),
                  },
                  'Expire',
                );
                return h(
                  'tr',
                  { 'data-silence': si.id },
                  h(
                    'td',
                    null,
                    si.matchers.map((m) =>
                      h(
                        'span',
                        { class: 'label' },
                        `${m.name}${m.op ?? `${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}`}${m.value}`,
                      ),
                    ),
                  ),
                  h(
                    'td',
                    null,
                    active ? `in ${duration(asMs(si.endsAt) - now)}` : `expired ${time(asMs(si.endsAt))}`,
                  ),
                  h('td', null, si.comment),
                  h('td', null, si.createdBy ?? '—'),
                  h('td', null, active ? expire : (si.state ?? 'expired')),
                );
              }),
            ),
          ),
    );
  }
  await load();
  let t: ReturnType<typeof setTimeout> | undefined;
  const off = onLive('alert', () => {
    clearTimeout(t);
    // Alerts are re-published every evaluation cycle; don't wipe a silence form being filled in
    // (creating the silence reloads the list).
    t = setTimeout(() => {
      if (!alertsBox.querySelector('form')) void load().catch(() => undefined);
    }, 500);
  });
  return () => {
    off();
    clearTimeout(t);
  };
}
