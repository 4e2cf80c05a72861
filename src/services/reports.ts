/**
 * Builds reliability reports (availability, MTBF, MTTR, outages, percentiles) for targets over a
 * window, from the store's state events and rollup summaries and the pure math in src/slo/.
 * Counts and sketches are folded per target by the store (`summarizeRollups`); windows longer
 * than two days read day rollups for their whole days (`summarizeWindow`), so a 30-day report
 * for 1,000 targets folds about 30,000 rows instead of 720,000.
 */
import { QuantileSketch } from '../core/sketch.ts';
import { availabilityFromEvents, availabilityFromResults, type Window } from '../slo/availability.ts';
import { availabilityGrade, reliability } from '../slo/outages.ts';
import { summarizeWindow } from '../store/summarize-window.ts';
import type { RollupSummary, StateEvent, Store } from '../store/types.ts';
import type { ReportService, TargetReport, UptimeDay } from '../api/services.ts';

/** Options of the report service. */
export interface ReportServiceOptions {
  store: Store;
  /** Names of the configured targets (the default set a report covers). */
  targetNames: () => string[];
  /** Planned maintenance to leave out of availability, per target and window. */
  maintenanceFor?: (target: string, window: Window) => Window[];
}

const TWO_DAYS = 2 * 86_400_000;

/** One target's summary with its sketches decoded. */
interface Folded {
  ok: number;
  degraded: number;
  failed: number;
  lat: QuantileSketch;
  ttft: QuantileSketch;
}

function folded(s: RollupSummary): Folded {
  return {
    ok: s.ok,
    degraded: s.degraded,
    failed: s.failed,
    lat: QuantileSketch.deserialize(s.latencySketch),
    ttft: s.ttftCount > 0 ? QuantileSketch.deserialize(s.ttftSketch) : new QuantileSketch(),
  };
}

function q(s: QuantileSketch, p: number): number | null {
  return s.count > 0 ? Math.round(s.quantile(p) * 10) / 10 : null;
}

/** Creates the report service the API and `nines report` use. */
export function createReportService(options: ReportServiceOptions): ReportService {
  const { store } = options;
  return {
    async targetReports(windowMs, now, names) {
      const targets = names ?? options.targetNames();
      const window = { from: now - windowMs, to: now };
      const range = { from: window.from, to: window.to, targets };
      const [summaries, events] = await Promise.all([
        windowMs > TWO_DAYS
          ? summarizeWindow(store, range)
          : store.summarizeRollups({ ...range, tier: 'minute' }),
        store.queryEvents({ from: window.from, to: window.to, limit: 1_000_000 }),
      ]);
      const byTarget = new Map<string, { events: StateEvent[] }>();
      for (const t of targets) byTarget.set(t, { events: [] });
      for (const e of events) byTarget.get(e.target)?.events.push(e);
      const agg = new Map<string, Folded>();
      for (const s of summaries) agg.set(s.target, folded(s));
      const starts = await store.lastEventsBefore(targets, window.from);
      const reports: TargetReport[] = [];
      for (const target of targets) {
        const before = starts.get(target);
        const evs = byTarget.get(target)?.events ?? [];
        const rel = reliability(before ? [before, ...evs] : evs, window, {
          maintenance: options.maintenanceFor?.(target, window) ?? [],
        });
        const a = agg.get(target);
        const checks = a ? a.ok + a.degraded + a.failed : 0;
        const availability = rel.availability;
        reports.push({
          target,
          windowMs,
          from: window.from,
          to: window.to,
          availability,
          resultAvailability: a ? availabilityFromResults(a) : null,
          grade: availability === null ? 'n/a' : availabilityGrade(availability).percent,
          checks,
          failures: a?.failed ?? 0,
          outages: rel.outages.map((o) => ({ start: o.start, end: o.end ?? null, durationMs: o.durationMs })),
          mtbfMs: rel.mtbfMs,
          mttrMs: rel.mttrMs,
          downtimeMs: rel.outages.reduce((s, o) => s + o.inWindowMs, 0),
          latencyP50Ms: a ? q(a.lat, 0.5) : null,
          latencyP95Ms: a ? q(a.lat, 0.95) : null,
          latencyP99Ms: a ? q(a.lat, 0.99) : null,
          ttftP95Ms: a ? q(a.ttft, 0.95) : null,
        });
      }
      return reports;
    },

    async dailyUptime(days, now, names) {
      const targets = names ?? options.targetNames();
      const DAY = 86_400_000;
      const firstDay = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
      const events = await store.queryEvents({ from: firstDay, to: now + 1, limit: 1_000_000 });
      const starts = await store.lastEventsBefore(targets, firstDay);
      const byTarget = new Map<string, StateEvent[]>();
      for (const t of targets) {
        const before = starts.get(t);
        byTarget.set(t, before ? [before] : []);
      }
      for (const e of events) byTarget.get(e.target)?.push(e);
      const out: UptimeDay[] = [];
      for (let d = 0; d < days; d++) {
        const from = firstDay + d * DAY;
        const window = { from, to: Math.min(from + DAY, now) };
        const day: UptimeDay = { date: new Date(from).toISOString().slice(0, 10), targets: {} };
        for (const t of targets) {
          const a = availabilityFromEvents(byTarget.get(t) ?? [], window, {
            maintenance: options.maintenanceFor?.(t, window) ?? [],
          });
          day.targets[t] = { availability: a.availability, downtimeMs: a.downMs };
        }
        out.push(day);
      }
      return out;
    },
  };
}
