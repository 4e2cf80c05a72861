/**
 * The live detection runtime: once a minute it reads the newest complete minute rollups of every
 * target and gateway route, feeds one detector and one forecaster per series, stores the scores
 * (`anomaly_scores`) and keeps the latest ones for alerting (`signals`), probable causes
 * (`findCauses`) and the API (`anomalies`, `forecast`). On its first cycle it warms up from the
 * last few days of rollups so scores mean something at once. Time is passed in.
 */
import type { AnomalySignal, ForecastSignal } from '../alert/signals.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { EventInput } from '../detect/causes.ts';
import {
  describeForecastAlert,
  timeToThreshold,
  type ThresholdCrossing,
} from '../detect/time-to-threshold.ts';
import {
  sqlAnomalyScores,
  type AnomalyScoreRow,
  type AnomalyScoreStore,
} from '../store/records/anomalies.ts';
import type { SqlRunner } from '../store/sql-runner.ts';
import type { Store } from '../store/types.ts';
import {
  findProbableCauses,
  type CauseIncident,
  type CauseTarget,
  type CauseView,
} from './detection-causes.ts';
import {
  feedSeries,
  newSeriesState,
  routePoints,
  seriesKey,
  targetPoints,
  type SeriesPoint,
  type SeriesState,
} from './detection-series.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A limit a series is forecast against, e.g. p95 latency of a target vs its latency SLO. */
export interface ForecastLimit {
  target?: string;
  route?: string;
  metric: string;
  limit: number;
  /** 'above' (default) for latency and error rates, 'below' for throughput floors. */
  direction?: 'above' | 'below';
}

/** Options of the runtime; every tunable has a default. */
export interface DetectionRuntimeOptions {
  store: Pick<Store, 'queryRollups' | 'queryRequestRollups' | 'queryEvents'>;
  clock: Clock;
  sql: SqlRunner;
  /** Configured targets with labels (and, when known, current state for probable causes). */
  targets: () => readonly CauseTarget[];
  /** Gateway routes to follow (none when absent). */
  routes?: () => readonly string[];
  limits?: () => readonly ForecastLimit[];
  /** Config reloads, gateway failovers, deploys… in [from, to), for probable causes. */
  recentEvents?: (from: number, to: number) => Promise<EventInput[]> | EventInput[];
  log: (line: string) => void;
  /** History read on the first cycle (default 3 days); scores of its last `storeWarmupMs` (default 24 h) are stored. */
  warmupMs?: number;
  storeWarmupMs?: number;
  /** Stored scores are kept this long (default 7 days). */
  retentionMs?: number;
  /** A minute is complete this long after it ends (writer flush; default 5 s). */
  settleMs?: number;
  /** Forecast horizon of `signals` (default 2 h). */
  horizonMs?: number;
  /** Scores older than this are not reported by `signals` (default 10 min). */
  staleMs?: number;
}

/** A forecast for the API: points with an 80% interval, and the crossing of the series' limit. */
export interface SeriesForecast {
  metric: string;
  points: { at: number; value: number; lo: number; hi: number }[];
  crossing?: { limit: number; expectedAt: number; earliestAt: number; latestAt: number | null; text: string };
}

/** Runs the live detectors; see the file comment. */
export class DetectionRuntime {
  private readonly series = new Map<string, SeriesState>();
  private readonly scores: AnomalyScoreStore;
  /** Minute buckets before this are processed. */
  private cursor: number | undefined;
  private lastPrune = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  private timer: TimerHandle | undefined;

  constructor(private readonly o: DetectionRuntimeOptions) {
    this.scores = sqlAnomalyScores(o.sql);
  }

  /** Runs a cycle now and then every minute on the clock. */
  start(): void {
    const tick = () => {
      void this.cycle(this.o.clock.now()).finally(() => {
        if (this.timer) this.timer = this.o.clock.setTimer(MINUTE, tick);
      });
    };
    this.timer = this.o.clock.setTimer(0, tick);
  }

  /** Stops the timer started by `start` (a running cycle finishes). */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  /** Processes every complete minute since the last cycle; never throws (errors are logged). */
  cycle(now: number): Promise<void> {
    if (this.running) return this.running;
    this.running = this.process(now)
      .catch((err) => this.o.log(`detection: ${(err as Error).message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async process(now: number): Promise<void> {
    const end = Math.floor((now - (this.o.settleMs ?? 5000)) / MINUTE) * MINUTE;
    const warmup = this.o.warmupMs ?? 3 * DAY;
    let storeFrom = Number.NEGATIVE_INFINITY;
    if (this.cursor === undefined || this.cursor < end - warmup) {
      const latest = await this.scores.latestAt();
      storeFrom = Math.max(
        end - (this.o.storeWarmupMs ?? DAY),
        latest === undefined ? -Infinity : latest + 1,
      );
      this.cursor = end - warmup;
    }
    const targets = this.o.targets();
    const targetNames = targets.map((t) => t.name);
    const routes = new Set(this.o.routes?.() ?? []);
    this.prune(targetNames, routes);
    // Bounded work per step: at most an hour of rollups, then the event loop gets a turn.
    const first = this.cursor;
    for (let from = first; from < end; from = Math.min(end, from + HOUR)) {
      if (from > first) await new Promise((resolve) => setImmediate(resolve));
      const to = Math.min(end, from + HOUR);
      const points: SeriesPoint[] = [];
      if (targetNames.length > 0)
        points.push(
          ...targetPoints(
            await this.o.store.queryRollups({ tier: 'minute', from, to, targets: targetNames }),
          ),
        );
      if (routes.size > 0)
        points.push(
          ...routePoints(await this.o.store.queryRequestRollups({ tier: 'minute', from, to }), routes),
        );
      points.sort((a, b) => a.at - b.at);
      const rows: AnomalyScoreRow[] = [];
      for (const p of points) {
        let s = this.series.get(p.key);
        if (!s) this.series.set(p.key, (s = newSeriesState(p)));
        const score = feedSeries(s, p);
        if (score === undefined || p.at < storeFrom) continue;
        const subject = p.subject.kind === 'target' ? { target: p.subject.name } : { route: p.subject.name };
        rows.push({ series: p.key, ...subject, metric: p.metric, at: p.at, value: p.value, score });
      }
      await this.scores.insert(rows);
      this.cursor = to;
    }
    if (now - this.lastPrune >= HOUR) await this.applyRetention(now);
  }

  /** Drops series of targets and routes no longer configured (keeps memory bounded). */
  private prune(targets: readonly string[], routes: ReadonlySet<string>): void {
    const names = new Set(targets);
    for (const [key, s] of this.series) {
      const keep = s.subject.kind === 'target' ? names.has(s.subject.name) : routes.has(s.subject.name);
      if (!keep) this.series.delete(key);
    }
  }

  /** Deletes stored scores older than the retention. */
  async applyRetention(now: number): Promise<void> {
    this.lastPrune = now;
    await this.scores.deleteBefore(now - (this.o.retentionMs ?? 7 * DAY));
  }

  /** Whether `name` is a configured target (the API's 404 check). */
  hasTarget(name: string): boolean {
    return this.o.targets().some((t) => t.name === name);
  }

  /** The runtime's clock time. */
  now(): number {
    return this.o.clock.now();
  }

  /** Number of series followed (for tests and metrics). */
  seriesCount(): number {
    return this.series.size;
  }

  /** Latest anomaly score per series and time-to-limit forecasts, for the alerting runtime. */
  signals(now: number): { anomalies: AnomalySignal[]; forecasts: ForecastSignal[] } {
    const labels = new Map(this.o.targets().map((t) => [t.name, t.labels]));
    const stale = this.o.staleMs ?? 10 * MINUTE;
    const anomalies: AnomalySignal[] = [];
    for (const s of this.series.values()) {
      if (now - s.lastAt > stale) continue;
      const id =
        s.subject.kind === 'target'
          ? { target: s.subject.name, labels: labels.get(s.subject.name) ?? {} }
          : { labels: { route: s.subject.name } };
      anomalies.push({ metric: s.metric, score: s.lastScore, ...id });
    }
    const forecasts: ForecastSignal[] = [];
    for (const l of this.o.limits?.() ?? []) {
      const s = this.series.get(limitKey(l));
      if (!s || now - s.lastAt > stale) continue;
      const crossing = this.crossing(
        s,
        l,
        now,
        Math.max(1, Math.round((this.o.horizonMs ?? 2 * HOUR) / MINUTE)),
      );
      const id =
        l.target !== undefined
          ? { target: l.target, labels: labels.get(l.target) ?? {} }
          : { labels: { route: l.route ?? '' } };
      forecasts.push({
        metric: l.metric,
        threshold: l.limit,
        timeToThresholdMs: crossing ? Math.max(0, crossing.expectedMs - now) : null,
        ...id,
      });
    }
    return { anomalies, forecasts };
  }

  private crossing(s: SeriesState, l: ForecastLimit, now: number, steps: number): ThresholdCrossing | null {
    const f = s.forecaster.forecast(steps, { stepMs: MINUTE, coverage: 0.8 });
    return f.length
      ? timeToThreshold(f, l.limit, now, { direction: l.direction ?? 'above', coverage: 0.8 })
      : null;
  }

  /** Ranked probable causes of an incident (the incident service's `findCauses`). */
  async findCauses(incident: CauseIncident): Promise<CauseView[]> {
    return findProbableCauses(incident, {
      scores: this.scores,
      targets: this.o.targets(),
      stateEvents: (from, to) => this.o.store.queryEvents({ from, to, limit: 1000 }),
      ...(this.o.recentEvents ? { recentEvents: this.o.recentEvents } : {}),
    });
  }

  /** Stored scores of one target in [from, to), one metric or all. */
  async anomalies(target: string, from: number, to: number, metric?: string): Promise<AnomalyScoreRow[]> {
    return this.scores.query({
      target,
      from,
      to,
      ...(metric !== undefined ? { metric } : {}),
      limit: 50_000,
    });
  }

  /** A `steps`-minute forecast of one target's metric (empty before data), with its limit's crossing. */
  forecast(target: string, metric: string, steps: number, now = this.o.clock.now()): SeriesForecast {
    const s = this.series.get(seriesKey({ kind: 'target', name: target }, metric));
    if (!s) return { metric, points: [] };
    const points = s.forecaster
      .forecast(steps, { stepMs: MINUTE, coverage: 0.8 })
      .map((p) => ({ at: p.timestampMs, value: p.mean, lo: p.lower, hi: p.upper }));
    const limit = (this.o.limits?.() ?? []).find((l) => l.target === target && l.metric === metric);
    const c = limit && this.crossing(s, limit, now, steps);
    if (!limit || !c) return { metric, points };
    const text = describeForecastAlert(metric, String(limit.limit), c);
    return {
      metric,
      points,
      crossing: {
        limit: limit.limit,
        expectedAt: c.expectedMs,
        earliestAt: c.earliestMs,
        latestAt: c.latestMs,
        text,
      },
    };
  }
}

function limitKey(l: ForecastLimit): string {
  return l.target !== undefined
    ? seriesKey({ kind: 'target', name: l.target }, l.metric)
    : seriesKey({ kind: 'route', name: l.route ?? '' }, l.metric);
}
