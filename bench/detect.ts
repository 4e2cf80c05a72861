/**
 * `npm run bench:detect`: throughput of the default detector on one core (points/s, single
 * thread, no I/O) over the NAB subset's values replayed in a loop, and memory per series
 * (serialised state size and heap growth per detector when many series run side by side).
 */
import { createDetector, type DetectorState } from '../src/detect/detector.ts';
import { loadNabCorpus } from './nab.ts';

function stateBytes(s: Readonly<DetectorState>): number {
  return JSON.stringify(s, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))
    .length;
}

function typedBytes(s: Readonly<DetectorState>): number {
  return s.short.byteLength + s.season.values.byteLength + s.season.seen.byteLength + 5 * 4 * 8 + 12 * 8;
}

const corpus = loadNabCorpus();
const totalPoints = corpus.reduce((n, f) => n + f.values.length, 0);
const targetSeconds = Number(process.env.BENCH_SECONDS ?? 3);

// Warm up the JIT, then time whole passes over the corpus (one detector per file, as live).
let sink = 0;
for (const f of corpus.slice(0, 5)) {
  const d = createDetector();
  for (let i = 0; i < f.values.length; i++) sink += d.update(f.timesMs[i]!, f.values[i]!);
}
let points = 0;
const start = performance.now();
while (performance.now() - start < targetSeconds * 1000) {
  for (const f of corpus) {
    const d = createDetector();
    const t = f.timesMs;
    const v = f.values;
    for (let i = 0; i < v.length; i++) sink += d.update(t[i]!, v[i]!);
    points += v.length;
  }
}
const seconds = (performance.now() - start) / 1000;
console.log(`default detector: ${Math.round(points / seconds).toLocaleString('en-US')} points/s on one core`);
console.log(
  `  (${points.toLocaleString('en-US')} points = ${(points / totalPoints).toFixed(1)} passes over the ${corpus.length} NAB files in ${seconds.toFixed(2)} s; checksum ${sink.toFixed(3)})`,
);

// Memory per series: serialised state after a long run, and heap growth for 2,000 live detectors.
const long = createDetector();
for (let i = 0; i < 50_000; i++) long.update(Date.UTC(2024, 0, 1) + i * 60_000, Math.sin(i / 100) + (i % 7));
console.log(
  `memory per series: state ${stateBytes(long.state()).toLocaleString('en-US')} bytes as JSON, ~${typedBytes(long.state()).toLocaleString('en-US')} bytes of numbers (limit 65,536)`,
);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  gc();
  const mem = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = mem();
  const many = Array.from({ length: 2000 }, () => createDetector());
  many.forEach((d, k) => d.update(Date.UTC(2024, 0, 1) + k, k));
  gc();
  const after = mem();
  console.log(
    `  heap + array buffers per live detector: ~${Math.round((after - before) / many.length).toLocaleString('en-US')} bytes (2,000 detectors)`,
  );
} else {
  console.log('  (run with node --expose-gc for heap growth per live detector)');
}
