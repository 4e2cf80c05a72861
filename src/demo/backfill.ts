/**
 * Backfills simulated history so the demo's reports and uptime bars have 30 days to show on
 * first start: one result per target per minute, with a few scripted outages per target
 * (written as results and as the state events the scheduler would have produced).
 */
import type { Config } from '../config/resolve.ts';
import type { ProbeResult, StateEvent, Store } from '../store/types.ts';
import { seededRandom } from '../sim/random.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** True when the store already holds results of any demo target in the backfill span. */
export async function hasHistory(store: Store, config: Config, now: number): Promise<boolean> {
  const first = config.targets[0];
  if (!first) return true;
  const rows = await store.queryRollups({
    tier: 'hour',
    from: now - 30 * DAY,
    to: now,
    targets: [first.name],
  });
  return rows.length > 0;
}

/** Writes `days` of minute-by-minute history ending at `now`; returns how many results it wrote. */
export async function backfillHistory(store: Store, config: Config, now: number, days = 30): Promise<number> {
  const start = Math.floor((now - days * DAY) / MINUTE) * MINUTE;
  const end = Math.floor(now / MINUTE) * MINUTE - MINUTE;
  let written = 0;
  for (const [ti, target] of config.targets.entries()) {
    const random = seededRandom(1000 + ti); // the same history on every first start
    const outages: { from: number; to: number }[] = [];
    const count = 1 + Math.floor(random() * 4);
    for (let i = 0; i < count; i++) {
      const from = start + Math.floor(random() * (end - start - DAY));
      outages.push({
        from: Math.floor(from / MINUTE) * MINUTE,
        to: Math.floor(from / MINUTE) * MINUTE + (3 + Math.floor(random() * 40)) * MINUTE,
      });
    }
    outages.sort((a, b) => a.from - b.from);
    const events: StateEvent[] = [
      { target: target.name, at: start, from: 'unknown', to: 'up', reason: 'backfilled history' },
    ];
    for (const o of outages) {
      events.push({ target: target.name, at: o.from, from: 'up', to: 'down', reason: 'backfilled outage' });
      events.push({ target: target.name, at: o.to, from: 'down', to: 'up', reason: 'backfilled recovery' });
    }
    await store.insertEvents(events);
    const base = target.kind === 'kserve-v2' ? 15 : target.kind === 'openai-embeddings' ? 60 : 150 + ti * 20;
    const streaming = target.stream === true;
    let batch: ProbeResult[] = [];
    for (let at = start; at <= end; at += MINUTE) {
      const down = outages.some((o) => at >= o.from && at < o.to);
      const latency = down
        ? 5000
        : base * Math.exp(0.35 * gaussian(random)) * (1 + 0.2 * Math.sin((2 * Math.PI * at) / DAY));
      const r: ProbeResult = down
        ? {
            target: target.name,
            at,
            outcome: 'failed',
            latencyMs: 5000,
            timings: { totalMs: 5000 },
            errorClass: random() < 0.5 ? 'connect' : 'http_5xx',
            error: 'backfilled outage',
            location: 'local',
          }
        : {
            target: target.name,
            at,
            outcome: 'ok',
            latencyMs: Math.round(latency * 10) / 10,
            timings: {
              totalMs: Math.round(latency * 10) / 10,
              ...(streaming ? { ttftMs: Math.round(latency * 0.45) } : {}),
            },
            status: 200,
            location: 'local',
          };
      batch.push(r);
      if (batch.length >= 5000) {
        await store.insertResults(batch);
        written += batch.length;
        batch = [];
      }
    }
    if (batch.length) {
      await store.insertResults(batch);
      written += batch.length;
    }
  }
  return written;
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
