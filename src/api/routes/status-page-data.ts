/**
 * The usual `StatusPageData`: current states from the target directory, per-day uptime from
 * the report service, and incidents whose `target` label is on the page, with only their
 * timeline entries marked public.
 */
import type { StatusPageData, PublicIncident, PublicState } from './status-page.ts';

/** What `statusPageData` reads (small structural views of the real services). */
export interface StatusPageSources {
  now(): number;
  targets: { get(name: string): { state: PublicState } | undefined };
  reports: { dailyUptime: StatusPageData['dailyUptime'] };
  incidents?: {
    list(q: { from?: number; limit?: number }): Promise<
      {
        id: string;
        state: PublicIncident['state'];
        openedAt: number;
        resolvedAt?: number;
        labels: Record<string, string>;
      }[]
    >;
    get(id: string): Promise<{ timeline: { at: number; text: string; public?: boolean }[] }>;
  };
}

/** Builds `StatusPageData` from the running services. */
export function statusPageData(src: StatusPageSources): StatusPageData {
  return {
    now: src.now,
    states(targets) {
      return Object.fromEntries(targets.map((t) => [t, src.targets.get(t)?.state ?? 'unknown']));
    },
    dailyUptime: (days, now, targets) => src.reports.dailyUptime(days, now, targets),
    async publicIncidents(targets, from) {
      if (!src.incidents) return [];
      const wanted = new Set(targets);
      const list = (await src.incidents.list({ from, limit: 200 })).filter(
        (i) => i.labels.target !== undefined && wanted.has(i.labels.target),
      );
      const out: PublicIncident[] = [];
      for (const i of list.sort((a, b) => b.openedAt - a.openedAt).slice(0, 50)) {
        const { timeline } = await src.incidents.get(i.id);
        out.push({
          state: i.state,
          openedAt: i.openedAt,
          ...(i.resolvedAt !== undefined ? { resolvedAt: i.resolvedAt } : {}),
          targets: [i.labels.target!],
          updates: timeline.filter((t) => t.public === true).map((t) => ({ at: t.at, text: t.text })),
        });
      }
      return out;
    },
  };
}
