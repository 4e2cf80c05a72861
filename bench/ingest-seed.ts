/** Deterministic data for `bench/ingest.ts`: a pseudo-random sequence and 30+ days of seeded rollups. */
import { QuantileSketch } from '../src/core/sketch.ts';
import type { SqliteStore } from '../src/store/sqlite/store.ts';
const HOUR = 3_600_000;
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
/** A cheap deterministic pseudo-random sequence so every run writes the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Fills `days` of hour rollups for every target straight into the table (ingesting 43M results
 * would take the benchmark too long), and the day rollups folded from them (as insertResults
 * keeps them). Sketches come from a pool of 64 hours of 60 latencies each, so rows have
 * realistic sizes.
 */
export function seedHourRollups(store: SqliteStore, targets: number, days: number): void {
  const rand = rng(7);
  const insert = store.db.prepare(
    `INSERT INTO rollups (target, tier, bucket, total, ok, degraded, failed, latency_sum_ms, latency_sketch,
       ttft_count, ttft_sketch, errors) VALUES (?, 'hour', ?, 60, ?, 0, ?, ?, ?, 0, ?, ?)`,
  );
  const empty = Buffer.from(new QuantileSketch().serialize());
  const pool = Array.from({ length: 64 }, () => {
    const sketch = new QuantileSketch();
    let sum = 0;
    for (let k = 0; k < 60; k++) {
      const v = 80 + rand() * 400 + (rand() < 0.02 ? 5000 : 0);
      sketch.add(v);
      sum += v;
    }
    return { bytes: Buffer.from(sketch.serialize()), sum };
  });
  const insertDay = store.db.prepare(
    `INSERT INTO rollups (target, tier, bucket, total, ok, degraded, failed, latency_sum_ms, latency_sketch,
       ttft_count, ttft_sketch, errors) VALUES (?, 'day', ?, ?, ?, 0, ?, ?, ?, 0, ?, ?)`,
  );
  store.db.transaction(() => {
    for (let t = 0; t < targets; t++) {
      for (let d = 0; d < days; d++) {
        const day = new QuantileSketch();
        let sum = 0;
        let failedInDay = 0;
        for (let h = d * 24; h < (d + 1) * 24; h++) {
          const hour = pool[(t * 31 + h) % pool.length]!;
          const failed = rand() < 0.05 ? 1 : 0;
          const errors = failed ? '{"timeout":1}' : '{}';
          insert.run(
            `target-${t}`,
            START + h * HOUR,
            60 - failed,
            failed,
            hour.sum,
            hour.bytes,
            empty,
            errors,
          );
          day.mergeSerialized(hour.bytes);
          sum += hour.sum;
          failedInDay += failed;
        }
        const errors = failedInDay ? `{"timeout":${failedInDay}}` : '{}';
        const bytes = Buffer.from(day.serialize());
        insertDay.run(
          `target-${t}`,
          START + d * DAY,
          1440,
          1440 - failedInDay,
          failedInDay,
          sum,
          bytes,
          empty,
          errors,
        );
      }
    }
  })();
}
