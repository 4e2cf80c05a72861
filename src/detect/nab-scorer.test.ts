import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  NAB_PROFILES,
  probationaryRows,
  scaledSigmoid,
  scoreAllProfiles,
  scoreCorpus,
  windowsToRows,
  type NabFile,
} from './nab-scorer.ts';

const nabDir = process.env.NAB_DIR ?? resolve(import.meta.dirname, '../../../shared/nab');

function loadReference(detector: string): NabFile[] {
  const windows = JSON.parse(readFileSync(join(nabDir, 'windows.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  return Object.keys(windows).map((key) => {
    const lines = readFileSync(join(nabDir, 'reference', detector, key), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const ts = lines.map((l) => l.split(',')[0]!);
    const scores = lines.map((l) => Number(l.split(',')[1]));
    return { name: key, scores, windows: windowsToRows(ts, windows[key]!) };
  });
}

const round2 = (x: number): string => x.toFixed(2);

test('scaled sigmoid and probation follow the NAB rules', () => {
  assert.equal(scaledSigmoid(3.5), -1);
  assert.ok(Math.abs(scaledSigmoid(0)) < 1e-12);
  assert.ok(scaledSigmoid(-1) > 0.98);
  assert.equal(probationaryRows(1000), 150);
  assert.equal(probationaryRows(10000), 750);
});

test('earliest detection in a window counts; FPs before any window cost -fp', () => {
  const scores = new Array<number>(100).fill(0);
  scores[50] = 1; // first row of window [50, 59]
  scores[55] = 1;
  scores[20] = 1; // FP before the window
  const file: NabFile = { name: 'x', scores, windows: [[50, 59]] };
  const r = scoreCorpus([file], NAB_PROFILES.standard);
  assert.equal(r.threshold, 1);
  assert.ok(Math.abs(r.raw - (1 - 0.11)) < 1e-9);
  assert.equal(r.nullScore, -1);
  assert.equal(r.tp, 2);
  assert.equal(r.fp, 1);
});

const haveReference = existsSync(join(nabDir, 'reference'));

test('reproduces the published ARTime row (74.80 / 66.23 / 79.87)', { skip: !haveReference }, () => {
  const r = scoreAllProfiles(loadReference('ARTime'));
  assert.deepEqual(
    [r.standard, r.reward_low_FP_rate, r.reward_low_FN_rate].map((p) => round2(p.normalized)),
    ['74.80', '66.23', '79.87'],
  );
});

test(
  'reproduces the published Windowed Gaussian row (37.09 / 18.84 / 45.39)',
  { skip: !haveReference },
  () => {
    const r = scoreAllProfiles(loadReference('windowedGaussian'));
    assert.deepEqual(
      [r.standard, r.reward_low_FP_rate, r.reward_low_FN_rate].map((p) => round2(p.normalized)),
      ['37.09', '18.84', '45.39'],
    );
  },
);

test('a fixed threshold scores as the sweep does at that threshold', () => {
  const files: NabFile[] = [
    {
      name: 'a',
      scores: Array.from({ length: 400 }, (_, i) => (i === 250 ? 0.9 : i === 320 ? 0.6 : 0.1)),
      windows: [[240, 280]],
    },
  ];
  const swept = scoreCorpus(files, NAB_PROFILES.standard);
  const fixed = scoreCorpus(files, NAB_PROFILES.standard, swept.threshold);
  assert.equal(fixed.normalized, swept.normalized);
  const low = scoreCorpus(files, NAB_PROFILES.standard, 0.5);
  assert.equal(low.fp, 1);
  assert.ok(low.normalized < swept.normalized);
});
