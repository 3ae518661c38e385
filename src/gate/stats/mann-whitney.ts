import { normalSf } from './normal.js';

/**
 * Mann–Whitney U (Wilcoxon rank-sum), two-sided: does one sample tend to have larger values than the other?
 * Rank-based, so a few wild intervals (a GC pause, a noisy neighbour) cannot carry the result the way they
 * carry a t-test. Exact null distribution for small samples without ties; otherwise the normal approximation
 * with tie correction and continuity correction.
 */
export interface MannWhitneyResult {
  /** U of the first sample. */
  u: number;
  pValue: number;
  method: 'exact' | 'normal';
}

const EXACT_MAX_N = 20;

/** Average ranks (1-based) of the pooled values; also the tie-correction term Σ(t³ − t). */
export function ranks(values: readonly number[]): { ranks: Float64Array; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Float64Array(values.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = avg;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks: out, tieTerm };
}

/** Number of arrangements giving each U, for sizes m, n (counts fit in doubles for m + n ≤ 40). */
function exactUCounts(m: number, n: number): Float64Array {
  // f[i][j] as a distribution over u, built by the recurrence f(i, j, u) = f(i−1, j, u − j) + f(i, j−1, u).
  let prev: Float64Array[] = [];
  for (let i = 0; i <= m; i++) {
    const row: Float64Array[] = [];
    for (let j = 0; j <= n; j++) {
      const dist = new Float64Array(i * j + 1);
      if (i === 0 || j === 0) dist[0] = 1;
      else {
        const a = prev[j];
        const b = row[j - 1];
        for (let u = 0; u < a.length; u++) dist[u + j] += a[u];
        for (let u = 0; u < b.length; u++) dist[u] += b[u];
      }
      row.push(dist);
    }
    prev = row;
  }
  return prev[n];
}

export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, pValue: 1, method: 'normal' };
  const { ranks: r, tieTerm } = ranks([...a, ...b]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += r[i];
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  if (tieTerm === 0 && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N) {
    const counts = exactUCounts(n1, n2);
    let total = 0;
    let below = 0;
    let above = 0;
    for (let k = 0; k < counts.length; k++) {
      total += counts[k];
      if (k <= u) below += counts[k];
      if (k >= u) above += counts[k];
    }
    return { u, pValue: Math.min(1, (2 * Math.min(below, above)) / total), method: 'exact' };
  }
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, pValue: 1, method: 'normal' };
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, pValue: Math.min(1, 2 * normalSf(z)), method: 'normal' };
}
