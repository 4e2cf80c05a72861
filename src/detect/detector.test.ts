import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDetector, DEFAULT_DETECTOR_PARAMS, type DetectorState } from './detector.ts';

const FIVE_MIN = 300_000;
const T0 = Date.UTC(2024, 0, 1);

/** Serialised size of a detector state, typed arrays as JSON arrays. */
function stateBytes(s: Readonly<DetectorState>): number {
  return JSON.stringify(s, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))
    .length;
}

function noisySine(n: number, seed = 1): number[] {
  let x = seed;
  const rnd = () => (x = (x * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * (rnd() - 0.5));
}

test('scores stay in [0, 1] for arbitrary input, including NaN and infinities', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.double({ noNaN: false }),
          fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, 1e308, -1e308, 5e-324),
        ),
        { maxLength: 400 },
      ),
      fc.array(fc.integer({ min: -1000, max: 3_600_000 }), { maxLength: 400 }),
      (values, steps) => {
        const d = createDetector({ learnPoints: 5 });
        let t = T0;
        values.forEach((v, i) => {
          t += steps[i] ?? FIVE_MIN;
          const s = d.update(t, v);
          assert.ok(s >= 0 && s <= 1, `score ${s}`);
        });
      },
    ),
    { numRuns: 200 },
  );
});

test('deterministic: the same input gives the same scores', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
      (vals) => {
        const a = createDetector({ learnPoints: 3 });
        const b = createDetector({ learnPoints: 3 });
        const sa = vals.map((v, i) => a.update(T0 + i * FIVE_MIN, v));
        const sb = vals.map((v, i) => b.update(T0 + i * FIVE_MIN, v));
        assert.deepEqual(sa, sb);
      },
    ),
    { numRuns: 100 },
  );
});

test('learns first: the first learnPoints scores are 0', () => {
  const d = createDetector();
  const vals = noisySine(DEFAULT_DETECTOR_PARAMS.learnPoints);
  vals[50] = 1e6;
  for (let i = 0; i < vals.length; i++) assert.equal(d.update(T0 + i * FIVE_MIN, vals[i]!), 0);
});

test('a level shift scores high at its start, then is learnt as normal', () => {
  const d = createDetector();
  const vals = noisySine(3000);
  for (let i = 2000; i < 3000; i++) vals[i]! += 60;
  const scores = vals.map((v, i) => d.update(T0 + i * FIVE_MIN, v));
  const before = Math.max(...scores.slice(1000, 2000));
  assert.ok(
    scores.slice(2000, 2005).some((s) => s > 0.9),
    'detects the shift',
  );
  assert.ok(before < 0.5, `quiet before the shift (max ${before})`);
  assert.ok(Math.max(...scores.slice(2600)) < 0.5, 'quiet once the new level is learnt');
});

test('a spike in a steady series is detected; causal (future points do not change past scores)', () => {
  const vals = noisySine(1500);
  vals[1200] = 200;
  const full = createDetector();
  const scores = vals.map((v, i) => full.update(T0 + i * FIVE_MIN, v));
  assert.ok(scores[1200]! > 0.9);
  const prefix = createDetector();
  const prefixScores = vals.slice(0, 1200).map((v, i) => prefix.update(T0 + i * FIVE_MIN, v));
  assert.deepEqual(prefixScores, scores.slice(0, 1200));
});

test('NaN points score 0 and leave the state untouched', () => {
  const a = createDetector({ learnPoints: 3 });
  const b = createDetector({ learnPoints: 3 });
  const vals = noisySine(400);
  vals.forEach((v, i) => {
    a.update(T0 + i * FIVE_MIN, v);
    b.update(T0 + i * FIVE_MIN, v);
    if (i % 7 === 0) assert.equal(b.update(T0 + i * FIVE_MIN + 1, Number.NaN), 0);
  });
  assert.equal(stateBytes(a.state()), stateBytes(b.state()));
  assert.deepEqual(a.state().envValue, b.state().envValue);
});

test('a gap restarts short-term features instead of scoring the jump across it', () => {
  const d = createDetector();
  let t = T0;
  for (let i = 0; i < 1000; i++) d.update((t += FIVE_MIN), 10 + (i % 2));
  // six hours without data, then the same behaviour resumes
  t += 6 * 3_600_000;
  const s = d.update(t, 10);
  assert.ok(s < 0.5);
});

test('memory per series stays under 64 KiB, whatever the series length', () => {
  const d = createDetector();
  const vals = noisySine(20_000);
  vals.forEach((v, i) => d.update(T0 + i * 60_000, v));
  const bytes = stateBytes(d.state());
  assert.ok(bytes < 64 * 1024, `${bytes} bytes`);
});

test('a level shift inside a range an earlier spike widened still scores (sustained shift)', () => {
  // Noise around 17, one short spike to 76 early on, then a level shift to 27: the value, jump
  // and mean-shift envelopes were all widened by the spike; the whole-window shift was not.
  let x = 7;
  const rnd = () => (x = (x * 16807) % 2147483647) / 2147483647;
  const vals = Array.from({ length: 3000 }, (_, i) => (i < 2500 ? 17 : 27) + 2 * (rnd() - 0.5));
  for (let i = 600; i < 606; i++) vals[i] = 76;
  const withFeature = createDetector();
  const without = createDetector({ wSustained: 0 });
  const a = vals.map((v, i) => withFeature.update(T0 + i * FIVE_MIN, v));
  const b = vals.map((v, i) => without.update(T0 + i * FIVE_MIN, v));
  assert.ok(Math.max(...b.slice(2500, 2520)) < 0.3, 'the older features miss it');
  assert.ok(Math.max(...a.slice(2500, 2520)) > 0.5, `detected (max ${Math.max(...a.slice(2500, 2520))})`);
  assert.ok(Math.max(...a.slice(1000, 2500)) < 0.3, 'quiet before it');
});

test('anomaly-free series with daily and weekly patterns and bursts raise few alarms', () => {
  let x = 11;
  const rnd = () => (x = (x * 16807) % 2147483647) / 2147483647;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const series: number[][] = [[], [], []];
  let ar = 0;
  let burst = 0;
  for (let i = 0; i < 8000; i++) {
    ar = 0.9 * ar + 0.4 * gauss();
    series[0]!.push(70 + 3 * Math.sin((2 * Math.PI * i) / 288) + ar); // temperature-like
    const dow = Math.floor(i / 288) % 7;
    series[1]!.push(100 * (1 + Math.sin((2 * Math.PI * i) / 288)) * (dow >= 5 ? 0.7 : 1) + 5 * gauss());
    if (burst > 0) burst--;
    else if (rnd() < 1 / 300) burst = 3 + Math.floor(rnd() * 15);
    const rate = 12 + 8 * Math.sin((2 * Math.PI * i) / 288) + (burst > 0 ? 24 : 0);
    series[2]!.push(Math.max(0, Math.round(rate + Math.sqrt(rate) * gauss()))); // counts with bursts
  }
  for (const vals of series) {
    const d = createDetector();
    const alarms = vals.filter((v, i) => d.update(T0 + i * FIVE_MIN, v) >= 0.5 && i >= 750).length;
    assert.ok(alarms <= 4, `${alarms} alarms in ${vals.length - 750} points`);
  }
});
