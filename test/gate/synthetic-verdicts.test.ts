import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareLatency,
  DEFAULT_STAT_OPTIONS,
  distributionFromValues,
  normalRandom,
  seededRandom,
  type LatencyUnits,
  type MetricSpec,
  type Random,
  type Verdict,
} from '../../src/gate/stats/index.js';

/**
 * The verdict rule on synthetic series with known truth, over many seeds. One side = the default sample:
 * a 30-s run, i.e. 30 one-second intervals, ~500 requests each (10 VUs at ~20 ms). Latencies are
 * log-normal (median 20 ms, σ 0.5), each second drifts by a log-normal factor (sd 5 %, a noisy runner),
 * and values are kept to 3 significant digits as HdrHistogram keeps them.
 */
const INTERVALS = 30;
const PER_INTERVAL = 500;
const SEEDS = 150;
const PERCENTILES = [50, 95, 99] as const;
const spec: MetricSpec = { higherIsBetter: false, minAbsolute: 0.05 };

const round3 = (ms: number) => {
  const scale = 10 ** (Math.floor(Math.log10(ms)) - 2);
  return Math.round(ms / scale) * scale;
};

function side(random: Random, shift: number, bimodal: boolean): LatencyUnits {
  const z = normalRandom(random);
  const dists = [];
  for (let i = 0; i < INTERVALS; i++) {
    // Bimodal noise: a quarter of the seconds run 25 % slower (a neighbour steals the CPU), on both sides alike.
    const drift = Math.exp(0.05 * z()) * (bimodal && random() < 0.25 ? 1.25 : 1);
    const values = new Array<number>(PER_INTERVAL);
    for (let r = 0; r < PER_INTERVAL; r++) values[r] = round3(20 * Math.exp(0.5 * z()) * drift * shift);
    dists.push(distributionFromValues(values));
  }
  return { dists, groups: dists.map(() => 0) };
}

type Rates = Record<Verdict, number>;

function scenario(shift: number, bimodal: boolean): Rates[] {
  const counts: Rates[] = PERCENTILES.map(() => ({ improved: 0, regressed: 0, same: 0, unknown: 0 }));
  for (let s = 1; s <= SEEDS; s++) {
    const random = seededRandom(s * 7919);
    const before = side(random, 1, bimodal);
    const after = side(random, shift, bimodal);
    const stats = compareLatency(
      before,
      after,
      PERCENTILES,
      PERCENTILES.map(() => spec),
      { ...DEFAULT_STAT_OPTIONS, seed: s },
    );
    stats.forEach((m, k) => counts[k][m.verdict]++);
  }
  return counts.map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v / SEEDS])) as Rates);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
function print(name: string, rates: Rates[]) {
  for (const [k, r] of rates.entries()) {
    console.log(
      `${name.padEnd(14)} p${String(PERCENTILES[k]).padEnd(3)} improved ${pct(r.improved).padStart(6)}  regressed ${pct(r.regressed).padStart(6)}  same ${pct(r.same).padStart(6)}  unknown ${pct(r.unknown).padStart(6)}`,
    );
  }
}

test(`verdicts on synthetic series (${SEEDS} seeds, ${INTERVALS} intervals × ${PER_INTERVAL} requests per side)`, () => {
  const same = scenario(1, false);
  const bimodal = scenario(1, true);
  const up10 = scenario(1.1, false);
  const up2 = scenario(1.02, false);
  print('same', same);
  print('bimodal noise', bimodal);
  print('+10 % shift', up10);
  print('+2 % shift', up2);
  for (const [k, p] of PERCENTILES.entries()) {
    // False alarms: any change called where there is none.
    assert.ok(
      same[k].improved + same[k].regressed <= 0.01,
      `p${p} false-alarm rate on "same" ${pct(same[k].improved + same[k].regressed)}`,
    );
    assert.ok(
      bimodal[k].improved + bimodal[k].regressed <= 0.01,
      `p${p} false-alarm rate on bimodal noise ${pct(bimodal[k].improved + bimodal[k].regressed)}`,
    );
    // Never the wrong direction, and a +2 % change (below the 5 % minimum effect) is not called a regression.
    assert.equal(up10[k].improved, 0);
    assert.ok(
      up2[k].improved + up2[k].regressed <= 0.01,
      `p${p} wrong verdicts on +2 %: ${pct(up2[k].improved + up2[k].regressed)}`,
    );
    assert.ok(
      up2[k].unknown > up2[k].regressed,
      `p${p}: +2 % should be unknown (or same) rather than regressed`,
    );
  }
  // Detection with the default sample size on the median and p95 (p99 of 1-s windows is too noisy: it is printed, not promised).
  assert.ok(up10[0].regressed >= 0.95, `p50 detection of +10 %: ${pct(up10[0].regressed)}`);
  assert.ok(up10[1].regressed >= 0.95, `p95 detection of +10 %: ${pct(up10[1].regressed)}`);
  // And "same" is said when it is true most of the time for the median (the estimate is precise there).
  assert.ok(same[0].same >= 0.5, `p50 "same" rate on identical series: ${pct(same[0].same)}`);
});
