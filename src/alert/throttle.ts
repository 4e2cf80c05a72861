/**
 * Per-receiver rate limits: at most `max` notifications per `per`. The excess is held (the latest
 * flush per group replaces an older one for the same group) and released when the window has
 * room: one by one if they fit, else as one summary notification. Nothing is dropped.
 */
import type { FlushContext, Stage } from './stage.ts';
import type { Alert } from './types.ts';

/** A rate limit: `max` notifications per `perMs`. */
export interface RateLimit {
  max: number;
  perMs: number;
}

/** A flush held back by a rate limit, kept whole so it can be sent and recorded later. */
export interface HeldFlush {
  ctx: FlushContext;
  alerts: Alert[];
}

/** Throttle memory per receiver: send times within the window and held flushes (plain JSON). */
export interface ThrottleState {
  sent: Record<string, number[]>;
  held: Record<string, HeldFlush[]>;
}

/** A fresh throttle state. */
export function emptyThrottle(): ThrottleState {
  return { sent: {}, held: {} };
}

function recent(state: ThrottleState, receiver: string, limit: RateLimit, now: number): number[] {
  const list = (state.sent[receiver] ?? []).filter((t) => t > now - limit.perMs);
  state.sent[receiver] = list;
  return list;
}

/** Whether a flush would deliver anything (resolved-only flushes to send_resolved: false receivers do not). */
export function deliverable(ctx: FlushContext, alerts: Alert[]): boolean {
  return ctx.sendResolved ? alerts.length > 0 : alerts.some((a) => a.state === 'firing');
}

/** The throttle stage: counts deliveries per receiver and holds the excess (stopping the chain). */
export function throttleStage(
  state: ThrottleState,
  limitOf: (receiver: string) => RateLimit | undefined,
): Stage {
  return (ctx, alerts) => {
    const limit = limitOf(ctx.receiver);
    if (!limit || !deliverable(ctx, alerts)) return alerts;
    const sent = recent(state, ctx.receiver, limit, ctx.now);
    const held = state.held[ctx.receiver] ?? [];
    if (held.length > 0 || sent.length >= limit.max) {
      // A newer flush of the same group supersedes the held one, but keeps its resolutions.
      const older = held.find((h) => h.ctx.groupKey === ctx.groupKey);
      const seen = new Set(alerts.map((a) => a.fingerprint));
      const carried = older
        ? older.alerts.filter((a) => a.state === 'resolved' && !seen.has(a.fingerprint))
        : [];
      state.held[ctx.receiver] = [
        ...held.filter((h) => h !== older),
        { ctx, alerts: [...alerts, ...carried] },
      ];
      return [];
    }
    sent.push(ctx.now);
    return alerts;
  };
}

/** What `releaseHeld` lets go for one receiver: each flush alone, or all of them as one summary. */
export interface Release {
  receiver: string;
  flushes: HeldFlush[];
  summary: boolean;
}

/** Releases held flushes whose receiver has room again at `now`. */
export function releaseHeld(
  state: ThrottleState,
  limitOf: (receiver: string) => RateLimit | undefined,
  now: number,
): Release[] {
  const out: Release[] = [];
  for (const [receiver, held] of Object.entries(state.held)) {
    if (held.length === 0) continue;
    const limit = limitOf(receiver) ?? { max: Infinity, perMs: 1 };
    const sent = recent(state, receiver, limit, now);
    const room = limit.max - sent.length;
    if (room <= 0) continue;
    const summary = held.length > room;
    for (let i = 0; i < (summary ? 1 : held.length); i++) sent.push(now);
    out.push({ receiver, flushes: held, summary });
    delete state.held[receiver];
  }
  return out;
}
