/**
 * Two-sample Kolmogorov–Smirnov: the largest gap between the two empirical CDFs. Where Mann–Whitney sees a
 * shift, KS also sees a change of shape (a new slow mode with the same median), which is how tail regressions
 * often look. p-value from the Kolmogorov distribution with Stephens' small-sample correction
 * (Numerical Recipes §14.3).
 */
export interface KsResult {
  d: number;
  pValue: number;
}

/** Q_KS(λ) = 2 Σ (−1)^(j−1) exp(−2 j² λ²). */
function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  let sign = 1;
  for (let j = 1; j <= 100; j++) {
    const term = sign * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12 * Math.abs(sum)) break;
    sign = -sign;
  }
  return Math.max(0, Math.min(1, 2 * sum));
}

export function kolmogorovSmirnov(a: readonly number[], b: readonly number[]): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { d: 0, pValue: 1 };
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  // Step through distinct values so ties move both CDFs together.
  while (i < n1 && j < n2) {
    const v = Math.min(x[i], y[j]);
    while (i < n1 && x[i] === v) i++;
    while (j < n2 && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / n1 - j / n2));
  }
  const en = Math.sqrt((n1 * n2) / (n1 + n2));
  return { d, pValue: kolmogorovQ((en + 0.12 + 0.11 / en) * d) };
}
