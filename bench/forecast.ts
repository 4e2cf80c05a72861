/**
 * `node --import tsx bench/forecast.ts`: mean absolute scaled error (MASE) of 12-step-ahead
 * forecasts on every NAB file, for the default forecaster and for a seasonal-naive forecast
 * (the value one day earlier at the same time, i.e. `m` points back). Both are scaled by the same
 * in-sample one-step naive MAE of the file, so the ratio is the ratio of their MAEs. Every origin
 * after a two-day warm-up is forecast; the forecaster only sees points up to the origin.
 */
import { createForecaster } from '../src/detect/forecast.ts';
import { loadNabCorpus } from './nab.ts';

const H = 12;
const corpus = loadNabCorpus();
const rows: { key: string; ours: number; snaive: number }[] = [];
const started = performance.now();
for (const f of corpus) {
  const v = f.values;
  const t = f.timesMs;
  const steps = t
    .slice(1)
    .map((x, i) => x - t[i]!)
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  const dt = steps[steps.length >> 1]!;
  const m = Math.max(1, Math.round(86_400_000 / dt));
  const warm = 2 * m;
  let scale = 0;
  for (let i = 1; i < v.length; i++) scale += Math.abs(v[i]! - v[i - 1]!);
  scale = scale / (v.length - 1) || 1;
  const fc = createForecaster();
  let errOurs = 0;
  let errNaive = 0;
  let count = 0;
  for (let i = 0; i < v.length; i++) {
    fc.update(t[i]!, v[i]!);
    if (i < warm || i + H >= v.length) continue;
    const ahead = fc.forecast(H, { stepMs: dt })[H - 1]!;
    const target = v[i + H]!;
    errOurs += Math.abs(ahead.mean - target);
    errNaive += Math.abs(v[i + H - m]! - target);
    count++;
  }
  if (count > 0) rows.push({ key: f.key, ours: errOurs / count / scale, snaive: errNaive / count / scale });
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const ours = mean(rows.map((r) => r.ours));
const snaive = mean(rows.map((r) => r.snaive));
console.log(
  `MASE at a ${H}-step horizon over ${rows.length} NAB files (${((performance.now() - started) / 1000).toFixed(1)} s):`,
);
console.log(`  nines forecaster (damped trend + daily profile): ${ours.toFixed(3)}`);
console.log(`  seasonal naive (same time one day earlier):      ${snaive.toFixed(3)}`);
console.log(`  files where nines is better: ${rows.filter((r) => r.ours < r.snaive).length}/${rows.length}`);
if (process.argv.includes('--per-file')) {
  for (const r of rows) console.log(`  ${r.key.padEnd(60)} ${r.ours.toFixed(3)} ${r.snaive.toFixed(3)}`);
}
