/**
 * Is a change against the previous window more than noise? (docs/insights.md)
 *
 * - Incident totals: two-sided exact binomial test of n1 among n1 + n2 with probability
 *   1/2, p = min(1, 2 min(P(X <= n1), P(X >= n1))); by symmetry that is
 *   min(1, 2 P(X <= min(n1, n2))).
 * - Durations: two-sided Mann-Whitney U with the normal approximation, tie correction and
 *   continuity correction 0.5, as scipy's `mannwhitneyu(method="asymptotic")` computes it.
 *   Fewer than MIN_VALUES values in either window: no test (p null).
 *
 * The normal tail comes from erfc below: absolute error under 1e-15, relative under 1e-12 (checked in
 * test/unit/metrics/significance.test.ts against a 60-digit computation).
 */

/** Below this many values in either window a median comparison is not tested. */
export const MIN_VALUES = 5;
/** A change is significant when its p-value is below this. */
export const SIGNIFICANCE_LEVEL = 0.05;

export interface ChangeTest {
  /** Two-sided p-value; null when there are too few values to test. */
  p: number | null;
  significant: boolean;
}

function verdict(p: number | null): ChangeTest {
  return { p, significant: p !== null && p < SIGNIFICANCE_LEVEL };
}

const LN2 = Math.LN2;

/** ln(a + b) from ln a and ln b. */
function logAdd(logA: number, logB: number): number {
  if (logA === Number.NEGATIVE_INFINITY) return logB;
  const high = Math.max(logA, logB);
  return high + Math.log1p(Math.exp(Math.min(logA, logB) - high));
}

/** p of the two-sided exact binomial test of n1 among n1 + n2 with probability 1/2. */
export function binomialTestP(n1: number, n2: number): number {
  if (!(Number.isInteger(n1) && Number.isInteger(n2) && n1 >= 0 && n2 >= 0)) {
    throw new RangeError(`binomialTestP needs two counts, got ${n1} and ${n2}`);
  }
  const n = n1 + n2;
  if (n === 0) return 1;
  const m = Math.min(n1, n2);
  // P(X <= m) = sum over k <= m of C(n, k) / 2^n, summed in logs (2^n underflows past n = 1074).
  let logTerm = -n * LN2; // ln P(X = 0)
  let logSum = logTerm;
  for (let k = 0; k < m; k += 1) {
    logTerm += Math.log((n - k) / (k + 1));
    logSum = logAdd(logSum, logTerm);
  }
  return Math.min(1, 2 * Math.exp(logSum));
}

/** The exact binomial test of the incident totals of two windows. */
export function countChange(current: number, previous: number): ChangeTest {
  return verdict(binomialTestP(current, previous));
}

/**
 * Two-sided p of the Mann-Whitney U test, normal approximation with tie and continuity
 * correction (no minimum of values: see durationChange). 1 when the variance is 0.
 */
export function mannWhitneyP(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyP needs values in both samples');
  const n = n1 + n2;
  // Each sample sorted natively, then walked together: ranks 1..n, ties get the mean of
  // their ranks; tieTerm = sum of t^3 - t over tie groups.
  const xs = ascending(x) ? x : Float64Array.from(x).sort();
  const ys = ascending(y) ? y : Float64Array.from(y).sort();
  let rankSumX = 0;
  let tieTerm = 0;
  let before = 0;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    const value = Math.min(
      i < n1 ? (xs[i] as number) : Number.POSITIVE_INFINITY,
      j < n2 ? (ys[j] as number) : Number.POSITIVE_INFINITY,
    );
    let inX = 0;
    while (i < n1 && xs[i] === value) {
      inX += 1;
      i += 1;
    }
    let inY = 0;
    while (j < n2 && ys[j] === value) {
      inY += 1;
      j += 1;
    }
    const t = inX + inY;
    if (t === 0) throw new RangeError('mannWhitneyP needs numbers; NaN has no rank');
    rankSumX += inX * (before + (t + 1) / 2);
    tieTerm += t * t * t - t;
    before += t;
  }
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return 1;
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  // Two-sided: 2 * (1 - Phi(z)) = erfc(z / sqrt 2).
  return Math.min(1, Math.max(0, erfc(z / Math.SQRT2)));
}

/** Whether values are in ascending order already (the metrics hand over sorted samples); NaN never is. */
function ascending(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i += 1) if (!((values[i - 1] as number) <= (values[i] as number))) return false;
  return values.length === 0 || !Number.isNaN(values[0]);
}

/** The Mann-Whitney test of the durations two windows count (null p below MIN_VALUES each). */
export function durationChange(current: ArrayLike<number>, previous: ArrayLike<number>): ChangeTest {
  if (current.length < MIN_VALUES || previous.length < MIN_VALUES) return verdict(null);
  return verdict(mannWhitneyP(current, previous));
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/**
 * The complementary error function. Below 2: 1 - erf with erf's series of positive terms,
 * erf(x) = 2/sqrt(pi) e^(-x^2) sum 2^k x^(2k+1) / (1 3 5 ... (2k+1)), no cancellation.
 * From 2: the continued fraction erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 * evaluated by the modified Lentz method.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k += 1) {
      term *= (2 * x2) / (2 * k + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  if (x > 27.3) return 0; // below the smallest double
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k += 1) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}
