/** Sections of the target page: availability by window, the state timeline, failed checks. */
import { api } from '../api.ts';
import { h, replace, tableHead } from '../dom.ts';
import { stateTimeline, type StateSegment } from '../charts.ts';
import { duration, ms, pct, time } from '../format.ts';
import type { Result, StateEvent, TargetReport } from '../types.ts';

/** Cuts the window into state segments from the state-change events. */
export function segments(events: StateEvent[], from: number, to: number): StateSegment[] {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const out: StateSegment[] = [];
  let state: string = sorted[0]?.from ?? 'unknown';
  let at = from;
  for (const e of sorted) {
    if (e.at > at) out.push({ from: at, to: e.at, state });
    state = e.to;
    at = Math.max(at, e.at);
  }
  out.push({ from: at, to, state });
  return out;
}

/** Fills `reports` with availability and downtime over 24h/7d/30d/90d, MTBF and MTTR. */
export function availabilitySection(reports: HTMLElement, enc: string): Promise<void> {
  const windows = ['24h', '7d', '30d', '90d'];
  return Promise.all(
    windows.map((w) =>
      api<{ reports: TargetReport[] }>(`/reports?window=${w}&target=${enc}`).then((r) => r.reports[0]),
    ),
  ).then((reps) => {
    const r30 = reps[2];
    replace(
      reports,
      h('h2', { id: 'avail-h' }, 'Availability'),
      h(
        'table',
        { class: 'compact' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Window'),
            windows.map((w) => h('th', { scope: 'col' }, w)),
          ),
        ),
        h(
          'tbody',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, 'Availability'),
            reps.map((r) => h('td', { class: 'num' }, pct(r?.availability, 3))),
          ),
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, 'Downtime'),
            reps.map((r) => h('td', { class: 'num' }, duration(r?.downtimeMs))),
          ),
        ),
      ),
      h(
        'p',
        null,
        `MTBF (30d): ${duration(r30?.mtbfMs)} · MTTR (30d): ${duration(r30?.mttrMs)} · outages (30d): ${r30?.outages.length ?? 0}`,
      ),
    );
  });
}

/** Appends the 7-day state timeline and the last state changes to `timeline`. */
export function timelineSection(timeline: HTMLElement, name: string, enc: string): Promise<void> {
  const now = Date.now();
  return api<{ events: StateEvent[] }>(`/events?from=-7d&target=${enc}`).then(({ events }) => {
    timeline.append(
      stateTimeline(
        segments(events, now - 7 * 86_400_000, now),
        `${name} state over 7 days: ${events.length} changes`,
      ),
    );
    timeline.append(
      h(
        'ul',
        { class: 'events' },
        events
          .slice(-10)
          .reverse()
          .map((e) => h('li', null, `${time(e.at)}: ${e.from} → ${e.to}${e.reason ? ` (${e.reason})` : ''}`)),
      ),
    );
  });
}

/** Appends the recent failed checks, with their (escaped) error text, to `failures`. */
export function failuresSection(failures: HTMLElement, enc: string): Promise<void> {
  return api<{ results: Result[] }>(`/targets/${enc}/results?from=-24h&failures=true&limit=20`).then(
    ({ results }) => {
      failures.append(
        results.length === 0
          ? h('p', null, 'No failed checks in the last 24 hours.')
          : h(
              'table',
              { class: 'compact' },
              tableHead(['Time', 'Outcome', 'Class', 'Status', 'Latency', 'Error']),
              h(
                'tbody',
                null,
                results.map((r) =>
                  h(
                    'tr',
                    null,
                    h('td', null, time(r.at)),
                    h('td', null, r.outcome),
                    h('td', null, r.errorClass ?? '—'),
                    h('td', null, r.status ?? '—'),
                    h('td', { class: 'num' }, ms(r.latencyMs)),
                    h('td', { class: 'error-text' }, r.error ?? ''),
                  ),
                ),
              ),
            ),
      );
    },
  );
}
