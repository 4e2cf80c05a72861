/** Fixtures shared by the Store conformance cases. */
import assert from 'node:assert/strict';
import { SKETCH_ALPHA } from '../core/sketch.ts';
import type { ProbeResult, RequestRecord, Store } from './types.ts';

/** Registers one case that gets a fresh, migrated store (closed afterwards). */
export type WithStore = (title: string, body: (store: Store) => Promise<void>) => void;

/** Fixed start time of every case (2026-01-01T10:00Z). */
export const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
/** One minute in ms. */
export const MIN = 60_000;
/** One hour in ms. */
export const HOUR = 3_600_000;
/** One day in ms. */
export const DAY = 86_400_000;

/** A minimal ok probe result, with overrides. */
export function result(
  target: string,
  at: number,
  latencyMs: number,
  extra: Partial<ProbeResult> = {},
): ProbeResult {
  return { target, at, outcome: 'ok', latencyMs, timings: { totalMs: latencyMs }, ...extra };
}

/** A minimal ok gateway request record, with overrides. */
export function request(id: string, at: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id,
    at,
    route: 'chat-default',
    endpoint: 'chat',
    status: 200,
    outcome: 'ok',
    latencyMs: 100,
    attempts: 1,
    failovers: 0,
    stream: false,
    cached: false,
    ...extra,
  };
}

/** The exact lower quantile of `values` (the sketch's reference). */
export function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** Asserts `actual` is within the sketch's relative accuracy of `expected`. */
export function assertWithinAccuracy(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= expected * SKETCH_ALPHA + 1e-9,
    `${what}: ${actual} vs ${expected}`,
  );
}
