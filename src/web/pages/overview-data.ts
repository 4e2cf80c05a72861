/**
 * Data helpers of the overview: the 90-day uptime cache (fetched per page of rows), the
 * sparkline loader (a few requests at a time, cached, cancellable when the page changes) and
 * the filter predicate.
 */
import { optional } from '../api.ts';
import type { UptimeDay } from '../charts.ts';
import type { RollupView, TargetStatus, UptimeResponse } from '../types.ts';

/** Per-target 90-day uptime, loaded on demand for the targets on screen. */
export class UptimeCache {
  private readonly days = new Map<string, UptimeDay[]>();
  private readonly avg = new Map<string, number | null>();
  /** False once the server said it has no uptime endpoint. */
  available = true;

  /** The days of a target, if loaded. */
  get(name: string): UptimeDay[] | undefined {
    return this.days.get(name);
  }

  /** The mean daily availability over the days with data. */
  availability(name: string): number | null | undefined {
    return this.avg.get(name);
  }

  /** Loads the targets not cached yet (one request); resolves to the names loaded. */
  async load(names: string[]): Promise<string[]> {
    const missing = names.filter((n) => !this.days.has(n));
    if (missing.length === 0 || !this.available) return [];
    const res = await optional<UptimeResponse>(
      `/uptime?days=90&target=${missing.map(encodeURIComponent).join(',')}`,
    ).catch(() => undefined);
    if (!res) {
      this.available = false;
      return missing;
    }
    for (const name of missing) {
      const days = res.days.map((d) => ({
        date: d.date,
        availability: d.targets[name]?.availability ?? null,
        downtimeMs: d.targets[name]?.downtimeMs ?? 0,
      }));
      this.days.set(name, days);
      const known = days.filter((d) => d.availability !== null);
      this.avg.set(name, known.length ? known.reduce((a, d) => a + d.availability!, 0) / known.length : null);
    }
    return missing;
  }
}

/** Loads 24 h of hourly rollups per target for sparklines, `concurrency` requests at a time. */
export class SparkLoader {
  private readonly cache = new Map<string, RollupView[]>();
  private queue: (() => Promise<void>)[] = [];
  private running = 0;

  constructor(private readonly concurrency = 4) {}

  /** Calls `draw` with the rollups of `name` (now if cached, else when fetched). */
  request(name: string, draw: (rollups: RollupView[]) => void): void {
    const cached = this.cache.get(name);
    if (cached) return draw(cached);
    this.queue.push(async () => {
      const res = await optional<{ rollups: RollupView[] }>(
        `/targets/${encodeURIComponent(name)}/rollups?tier=hour&from=-24h`,
      ).catch(() => undefined);
      this.cache.set(name, res?.rollups ?? []);
      draw(res?.rollups ?? []);
    });
    this.run();
  }

  /** Drops queued requests (the rows they were for are gone). */
  cancel(): void {
    this.queue = [];
  }

  private run(): void {
    while (this.running < this.concurrency && this.queue.length) {
      const job = this.queue.shift()!;
      this.running++;
      void job().finally(() => {
        this.running--;
        this.run();
      });
    }
  }
}

/**
 * True when a target passes the filter: `state` (empty = any) and every whitespace-separated
 * term of `query`, where `key=value` matches a label exactly and other terms match the name,
 * model or any label value as a substring (case-insensitive).
 */
export function matchesFilter(t: TargetStatus, query: string, state: string): boolean {
  if (state && t.state !== state) return false;
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return q.split(/\s+/).every((term) => {
    const eq = term.indexOf('=');
    if (eq > 0) return (t.labels[term.slice(0, eq)] ?? '').toLowerCase() === term.slice(eq + 1);
    return (
      t.name.toLowerCase().includes(term) ||
      (t.model ?? '').toLowerCase().includes(term) ||
      Object.values(t.labels).some((v) => v.toLowerCase().includes(term))
    );
  });
}
