/** Shared test fixtures for the pipeline tests: a pipeline on a ManualClock that records what it sends. */
import { alertingSchema } from '../config/alerting.ts';
import { ManualClock } from '../core/clock.ts';
import { fingerprint } from './fingerprint.ts';
import { AlertPipeline } from './pipeline.ts';
import type { Alert, Labels, Notification } from './types.ts';

/** Monday 2026-01-05 12:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5, 12);
/** One minute / second in ms. */
export const M = 60_000;
export const S = 1000;

/** A firing (or resolved) alert with the given labels. */
export function mkAlert(
  labels: Labels,
  state: 'firing' | 'resolved' = 'firing',
  startsAt = T0,
  endsAt?: number,
): Alert {
  const a: Alert = { labels, annotations: {}, state, startsAt, fingerprint: fingerprint(labels) };
  if (state === 'resolved') a.endsAt = endsAt ?? startsAt;
  return a;
}

/** A pipeline for `config` (raw YAML-shaped object) with helpers to move time and read what was sent. */
export function harness(
  config: unknown,
  opts: { isAcknowledged?: (k: string) => boolean; start?: number } = {},
) {
  const clock = new ManualClock(opts.start ?? T0);
  const sent: Notification[] = [];
  let failNext = 0;
  const pipeline = new AlertPipeline({
    config: alertingSchema.parse(config),
    clock,
    isAcknowledged: opts.isAcknowledged,
    send: (n) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('outbox unavailable');
      }
      sent.push(n);
    },
  });
  const start = opts.start ?? T0;
  return {
    clock,
    sent,
    pipeline,
    /** Moves to start + `ms` and ticks; returns what this tick sent. */
    at(ms: number): Notification[] {
      clock.set(start + ms);
      return pipeline.tick();
    },
    ingest(...alerts: Alert[]) {
      pipeline.ingest(alerts);
    },
    failSends(n: number) {
      failNext = n;
    },
  };
}

/** `alertname/label` summary of a notification's alerts, for compact assertions. */
export function names(n: Notification, label = 'alertname'): string[] {
  return n.alerts.map((a) => `${a.labels[label]}:${a.state}`);
}
