import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QuantileSketch, SKETCH_ALPHA } from './sketch.ts';

const latency = fc.double({ min: 0.01, max: 600_000, noNaN: true });
const quantile = fc.double({ min: 0, max: 1, noNaN: true });

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function assertClose(actual: number, expected: number): void {
  const tolerance = expected * SKETCH_ALPHA * 1.000001 + 1e-9;
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} not within 1% of ${expected}`);
}

function sketchOf(values: number[]): QuantileSketch {
  const s = new QuantileSketch();
  for (const v of values) s.add(v);
  return s;
}

test('an empty sketch has count 0, NaN quantiles, and round-trips', () => {
  const s = new QuantileSketch();
  assert.equal(s.count, 0);
  assert.ok(Number.isNaN(s.quantile(0.5)));
  const back = QuantileSketch.deserialize(s.serialize());
  assert.equal(back.count, 0);
  assert.ok(s.serialize().length <= 2);
});

test('quantiles of a known series are within 1%', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i + 1);
  const s = sketchOf(values);
  assert.equal(s.count, 1000);
  assertClose(s.quantile(0.5), 500);
  assertClose(s.quantile(0.95), 950);
  assertClose(s.quantile(0.99), 990);
  assert.equal(s.quantile(0), 1);
  assert.equal(s.quantile(1), 1000);
});

test('zero and negative values count in the zero bucket; NaN is ignored', () => {
  const s = sketchOf([0, 0, -1, 5, NaN]);
  assert.equal(s.count, 4);
  assert.equal(s.quantile(0.5), 0);
  assert.equal(s.quantile(1), 5);
});

test('the serialised form is compact', () => {
  const s = new QuantileSketch();
  for (let i = 0; i < 10_000; i++) s.add(50 + (i % 200));
  const bytes = s.serialize();
  assert.ok(bytes.length < 250, `${bytes.length} bytes`);
});

test('malformed bytes are refused', () => {
  assert.throws(() => QuantileSketch.deserialize(new Uint8Array([9, 0])), /unknown sketch format/);
  const good = sketchOf([1, 2, 3]).serialize();
  assert.throws(() => QuantileSketch.deserialize(good.slice(0, good.length - 1)), /truncated/);
});

test('property: every quantile is within relative accuracy of the exact one', () => {
  fc.assert(
    fc.property(fc.array(latency, { minLength: 1, maxLength: 300 }), quantile, (values, q) => {
      const s = sketchOf(values);
      assertClose(s.quantile(q), exactQuantile(values, q));
    }),
    { numRuns: 200 },
  );
});

test('property: merging sketches of parts equals the sketch of the whole', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(latency, { maxLength: 60 }), { minLength: 1, maxLength: 6 }),
      quantile,
      (parts, q) => {
        const whole = sketchOf(parts.flat());
        const merged = new QuantileSketch();
        for (const part of parts) merged.merge(sketchOf(part));
        assert.equal(merged.count, whole.count);
        if (whole.count === 0) return;
        assert.equal(merged.quantile(q), whole.quantile(q));
        assertClose(merged.quantile(q), exactQuantile(parts.flat(), q));
      },
    ),
    { numRuns: 200 },
  );
});

test('property: serialize → deserialize and mergeSerialized preserve every answer', () => {
  fc.assert(
    fc.property(
      fc.array(latency, { maxLength: 200 }),
      fc.array(latency, { maxLength: 50 }),
      quantile,
      (a, b, q) => {
        const s = sketchOf(a);
        const back = QuantileSketch.deserialize(s.serialize());
        assert.equal(back.count, s.count);
        if (s.count > 0) assert.equal(back.quantile(q), s.quantile(q));
        const merged = sketchOf(b).mergeSerialized(s.serialize());
        const direct = sketchOf(b).merge(s);
        assert.equal(merged.count, direct.count);
        if (direct.count > 0) assert.equal(merged.quantile(q), direct.quantile(q));
      },
    ),
    { numRuns: 200 },
  );
});

test('countAtOrBelow counts values under a threshold within the sketch accuracy', () => {
  const s = new QuantileSketch();
  for (let v = 1; v <= 1000; v++) s.add(v);
  const below = s.countAtOrBelow(500);
  assert.ok(Math.abs(below - 500) <= 500 * 0.02 + 1, `counted ${below}`);
  assert.equal(s.countAtOrBelow(0.5), 0);
  assert.equal(s.countAtOrBelow(5000), 1000);
  assert.equal(new QuantileSketch().countAtOrBelow(10), 0);
});

test('mergeConcatenated reads back-to-back sketches like one mergeSerialized each', () => {
  const parts = [[1, 2, 3], [0, 0.0001, 250, 5000], [42], [1e6, 7, 7, 7]].map((values) => {
    const s = new QuantileSketch();
    for (const v of values) s.add(v);
    return s.serialize();
  });
  const one = new QuantileSketch();
  for (const p of parts) one.mergeSerialized(p);
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  const all = new QuantileSketch().mergeConcatenated(joined);
  assert.deepEqual([...all.serialize()], [...one.serialize()]);
  assert.equal(new QuantileSketch().mergeConcatenated(new Uint8Array(0)).count, 0);
  assert.throws(
    () => new QuantileSketch().mergeConcatenated(joined.subarray(0, joined.length - 1)),
    /truncated/,
  );
});

/** The version-1 (dense) form earlier releases wrote, built by hand from a sketch's quantiles. */
function denseV1(values: number[]): Uint8Array {
  const gamma = 1.01 / 0.99;
  const idx = values.map((v) => Math.ceil(Math.log(v) / Math.log(gamma)));
  const first = Math.min(...idx);
  const run = Math.max(...idx) - first + 1;
  const counts = new Array<number>(run).fill(0);
  for (const i of idx) counts[i - first]!++;
  const f64 = new Float64Array([Math.min(...values), Math.max(...values)]);
  const zig = first >= 0 ? first * 2 : -first * 2 - 1;
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    return out;
  };
  return Uint8Array.from([
    1,
    0,
    ...new Uint8Array(f64.buffer),
    ...varint(zig),
    ...varint(run),
    ...counts.flatMap(varint),
  ]);
}

test('version-1 sketches (every empty bin written) are still read and merge with version 2', () => {
  const values = [80, 81, 450, 5200, 5300];
  const v1 = denseV1(values);
  const v2 = sketchOf(values).serialize();
  assert.equal(v2[0], 2);
  assert.ok(v2.length < v1.length, `${v2.length} < ${v1.length}`);
  const fromV1 = QuantileSketch.deserialize(v1);
  assert.deepEqual([...fromV1.serialize()], [...v2]);
  const both = new QuantileSketch().mergeConcatenated(Uint8Array.from([...v1, ...v2]));
  assert.equal(both.count, 10);
  assert.equal(both.quantile(0.5), sketchOf([...values, ...values]).quantile(0.5));
});

test('a run of empty bins costs two bytes, and a run that overflows its length is refused', () => {
  const bytes = sketchOf([1, 1e6]).serialize();
  assert.ok(bytes.length < 40, `${bytes.length} bytes`);
  const bad = Uint8Array.from(bytes);
  bad[bad.length - 2] = 0x7f; // the gap's length, now past the run
  assert.throws(() => QuantileSketch.deserialize(bad), /overflows|truncated|trailing/);
});
