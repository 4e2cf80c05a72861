import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createForecaster, normalQuantile } from './forecast.ts';
import { describeForecastAlert, timeToBudgetExhaustion, timeToThreshold } from './time-to-threshold.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

test('normalQuantile matches known values', () => {
  assert.ok(Math.abs(normalQuantile(0.9) - 1.2815515655) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.025) + 1.959963985) < 1e-6);
});

test('forecasts a linear ramp upward with an interval that widens with the horizon', () => {
  const f = createForecaster({ phi: 1, beta: 0.1 });
  let seed = 3;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  for (let i = 0; i < 500; i++) f.update(T0 + i * MIN, 100 + i * 0.5 + noise());
  const out = f.forecast(20);
  assert.equal(out.length, 20);
  assert.equal(out[0]!.timestampMs, T0 + 500 * MIN);
  assert.ok(Math.abs(out[19]!.mean - (100 + 519 * 0.5)) < 3, `mean ${out[19]!.mean}`);
  assert.ok(out[19]!.upper - out[19]!.lower > out[0]!.upper - out[0]!.lower);
  assert.ok(out.every((p) => p.lower <= p.mean && p.mean <= p.upper));
});

test('learns a daily profile and beats repeating the last value on it', () => {
  const f = createForecaster();
  const y = (i: number) => 50 + 30 * Math.sin((2 * Math.PI * i) / 288);
  const step = 5 * MIN;
  for (let i = 0; i < 288 * 5; i++) f.update(T0 + i * step, y(i));
  const out = f.forecast(36);
  const err = Math.abs(out[35]!.mean - y(288 * 5 + 35));
  const naive = Math.abs(y(288 * 5 - 1) - y(288 * 5 + 35));
  assert.ok(err < naive / 5, `err ${err} vs naive ${naive}`);
});

test('non-finite observations are ignored; no forecast before two points', () => {
  const f = createForecaster();
  assert.deepEqual(f.forecast(5), []);
  f.update(T0, 1);
  f.update(T0 + MIN, Number.NaN);
  assert.deepEqual(f.forecast(5), []);
});

test('timeToThreshold: p95 latency creeping up crosses 2 s with an interval around the expected time', () => {
  const f = createForecaster({ phi: 1, beta: 0.05, alpha: 0.5 });
  let seed = 9;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.05;
  const now = T0 + 300 * MIN;
  for (let i = 0; i < 300; i++) f.update(T0 + i * MIN, 1 + i * 0.0025 + noise()); // ends near 1.75 s
  const c = timeToThreshold(f.forecast(240), 2, now - MIN);
  assert.ok(c, 'crossing expected');
  assert.ok(c.expectedMinutes > 60 && c.expectedMinutes < 240, `expected ${c.expectedMinutes}`);
  assert.ok(c.earliestMinutes <= c.expectedMinutes);
  assert.ok(c.latestMinutes === null || c.latestMinutes >= c.expectedMinutes);
  assert.ok(c.confidence > 0.5 && c.confidence <= 1);
  const text = describeForecastAlert('p95 latency', '2 s', c);
  assert.match(text, /^p95 latency will cross 2 s in ~\d+(\.\d)? (min|h), 80% interval .+–.+$/);
});

test('timeToThreshold returns null when the forecast stays below the limit', () => {
  const pts = [1, 2, 3].map((i) => ({ timestampMs: T0 + i * MIN, mean: 1, lower: 0.9, upper: 1.1 }));
  assert.equal(timeToThreshold(pts, 2, T0), null);
  const below = timeToThreshold(pts, 1.05, T0, { direction: 'below' });
  assert.ok(below && below.expectedMinutes === 1);
});

test('timeToBudgetExhaustion extrapolates the burn and brackets it', () => {
  const now = T0 + 10 * 3_600_000;
  const samples = Array.from({ length: 11 }, (_, h) => ({
    timestampMs: T0 + h * 3_600_000,
    remaining: 1 - 0.05 * h + (h % 2 ? 0.005 : -0.005),
  }));
  const r = timeToBudgetExhaustion(samples, now);
  assert.ok(r);
  const hours = (r.expectedMs - now) / 3_600_000;
  assert.ok(Math.abs(hours - 10) < 1, `hours ${hours}`);
  assert.ok(r.earliestMs <= r.expectedMs && (r.latestMs === null || r.latestMs >= r.expectedMs));
  assert.ok(Math.abs(r.burnPerHour - 0.05) < 0.005);
  assert.equal(
    timeToBudgetExhaustion(
      samples.map((s) => ({ ...s, remaining: 0.8 })),
      now,
    ),
    null,
  );
  assert.equal(timeToBudgetExhaustion(samples.slice(0, 2), now), null);
});
