/**
 * Random sources for the sim. Fault decisions take a `RandomSource` so tests can make them
 * deterministic (a seeded generator, or a scripted list of draws).
 */
import type { LatencySpec } from '../config/sim.ts';

/** A function returning uniformly distributed numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/** A small, fast seeded generator (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** z-score of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

/**
 * Draws one latency in ms: a fixed number as is, or a log-normal whose median is `p50Ms` and
 * whose 99th percentile is `p99Ms` (real request latencies have that long right tail).
 * Always draws two numbers from `random` for a distribution, so sequences stay aligned.
 */
export function sampleLatencyMs(spec: LatencySpec | undefined, random: RandomSource): number {
  if (spec === undefined) return 0;
  if (typeof spec === 'number') return spec;
  const p50 = spec.p50Ms;
  const p99 = Math.max(spec.p99Ms ?? p50, p50);
  const u1 = random();
  const u2 = random();
  if (p50 <= 0) return 0;
  if (p99 === p50) return p50;
  const sigma = (Math.log(p99) - Math.log(p50)) / Z99;
  const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  return Math.exp(Math.log(p50) + sigma * z);
}
