/** Tolerance for threshold comparisons, so 0.9 − 0.85 counts as a 0.05 drop. */
export const EPSILON = 1e-9;

/** One EWMA step: λ·x + (1 − λ)·previous. */
export function ewmaStep(previous: number, value: number, lambda: number): number {
  return lambda * value + (1 - lambda) * previous;
}

// One-sided Student-t critical values at α = 0.001, by degrees of freedom (1..30).
const T_CRIT_001 = [
  318.31, 22.327, 10.215, 7.173, 5.893, 5.208, 4.785, 4.501, 4.297, 4.144, 4.025, 3.93, 3.852,
  3.787, 3.733, 3.686, 3.646, 3.61, 3.579, 3.552, 3.527, 3.505, 3.485, 3.467, 3.45, 3.435, 3.421,
  3.408, 3.396, 3.385,
];

/** One-sided t critical value at α = 0.001 (normal approximation beyond 120 df). */
export function tCritical001(df: number): number {
  if (df < 1) return Number.POSITIVE_INFINITY;
  if (df <= 30) return T_CRIT_001[df - 1];
  if (df <= 60) return 3.232;
  if (df <= 120) return 3.16;
  return 3.09;
}

export interface LinearFit {
  slope: number;
  mean: number;
  /** slope / its standard error; ±Infinity for an exact line with a non-zero slope. */
  t: number;
  df: number;
}

/** Ordinary least squares of y on x. Needs at least 3 points with distinct x. */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit | null {
  const n = xs.length;
  if (n < 3 || ys.length !== n) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i] - my - slope * (xs[i] - mx)) ** 2;
  const df = n - 2;
  const se = Math.sqrt(sse / df / sxx);
  const t =
    se > EPSILON * Math.abs(slope) ? slope / se : slope === 0 ? 0 : Math.sign(slope) * Infinity;
  return { slope, mean: my, t, df };
}

/** Evidently's smoothing for empty bins in PSI. */
const PSI_FLOOR = 0.0001;

/** Shares per key (counts normalised to sum 1); empty when the total is zero. */
export function shares(counts: Readonly<Record<string, number>>): Record<string, number> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  if (total <= 0) return out;
  for (const [k, v] of Object.entries(counts)) out[k] = v / total;
  return out;
}

function unionKeys(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

/** Population stability index of `actual` against `expected` (both shares). */
export function psi(
  expected: Readonly<Record<string, number>>,
  actual: Readonly<Record<string, number>>,
): number {
  let sum = 0;
  for (const k of unionKeys(expected, actual)) {
    const e = Math.max(expected[k] ?? 0, PSI_FLOOR);
    const a = Math.max(actual[k] ?? 0, PSI_FLOOR);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Jensen–Shannon distance (square root of the divergence, log base 2: in [0, 1]). */
export function jensenShannon(
  p: Readonly<Record<string, number>>,
  q: Readonly<Record<string, number>>,
): number {
  let div = 0;
  for (const k of unionKeys(p, q)) {
    const pk = p[k] ?? 0;
    const qk = q[k] ?? 0;
    const m = (pk + qk) / 2;
    if (pk > 0) div += 0.5 * pk * Math.log2(pk / m);
    if (qk > 0) div += 0.5 * qk * Math.log2(qk / m);
  }
  return Math.sqrt(Math.max(0, div));
}
