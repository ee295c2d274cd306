/**
 * The two significance tests of docs/insights.md computed a second way, sharing no code
 * with server/metrics: exact rational arithmetic (BigInt) for the binomial test, and an
 * 80-digit fixed-point Maclaurin series for erfc in the Mann-Whitney test. Slow, plain,
 * and accurate far beyond the 1e-9 the tests ask for.
 */

const DIGITS = 80n;
const SCALE = 10n ** DIGITS;
// pi to 80 decimals.
const PI = BigInt('314159265358979323846264338327950288419716939937510582097494459230781640628620899');

function isqrt(value: bigint): bigint {
  if (value < 2n) return value;
  let x = BigInt(Math.floor(Math.sqrt(Number(value))));
  for (;;) {
    const next = (x + value / x) >> 1n;
    if (next === x || next === x + 1n || next === x - 1n) {
      let r = next;
      while (r * r > value) r -= 1n;
      while ((r + 1n) * (r + 1n) <= value) r += 1n;
      return r;
    }
    x = next;
  }
}

const SQRT_PI = isqrt(PI * SCALE); // sqrt(pi) * SCALE

/** A ratio of two BigInts as the nearest double (enough digits kept for any magnitude). */
function ratioToNumber(numerator: bigint, denominator: bigint): number {
  if (numerator === 0n) return 0;
  const shift = BigInt(denominator.toString().length - numerator.toString().length + 25);
  const scaled = shift >= 0n ? (numerator * 10n ** shift) / denominator : numerator / (denominator * 10n ** -shift);
  return Number(`${scaled.toString()}e${(-shift).toString()}`);
}

/** A double as a fixed-point BigInt (value * SCALE), from its exact decimal digits. */
function toFixedPoint(x: number): bigint {
  const [whole, fraction = ''] = Math.abs(x).toFixed(40).split('.');
  const digits = BigInt(`${whole}${fraction.padEnd(Number(DIGITS), '0').slice(0, Number(DIGITS))}`);
  return x < 0 ? -digits : digits;
}

/**
 * erfc(x) from erf's alternating Maclaurin series in 80-digit fixed point. Beyond |x| = 8
 * (erfc(8) is about 1e-29) it answers the limit, 0 or 2.
 */
export function referenceErfc(x: number): number {
  if (x > 8) return 0;
  if (x < -8) return 2;
  const xf = toFixedPoint(x);
  const x2 = (xf * xf) / SCALE;
  // sum of (-1)^n x^(2n+1) / (n! (2n+1)); power = (-1)^n x^(2n+1) / n!
  let power = xf;
  let sum = 0n;
  for (let n = 0n; n < 2000n; n += 1n) {
    const term = power / (2n * n + 1n);
    sum += term;
    if (term === 0n && n > 10n) break;
    power = (-power * x2) / SCALE / (n + 1n);
  }
  const erf = (2n * sum * SCALE) / SQRT_PI;
  return ratioToNumber(SCALE - erf, SCALE);
}

/** p = min(1, 2 min(P(X <= n1), P(X >= n1))), X ~ Binomial(n1 + n2, 1/2), exactly. */
export function referenceBinomialP(n1: number, n2: number): number {
  const n = BigInt(n1 + n2);
  if (n === 0n) return 1;
  const tail = (upTo: bigint): bigint => {
    let sum = 0n;
    let choose = 1n; // C(n, 0)
    for (let k = 0n; k <= upTo; k += 1n) {
      sum += choose;
      choose = (choose * (n - k)) / (k + 1n);
    }
    return sum;
  };
  // P(X >= n1) = P(X <= n2) by symmetry.
  const lower = tail(BigInt(n1));
  const upper = tail(BigInt(n2));
  const smaller = lower < upper ? lower : upper;
  const numerator = 2n * smaller;
  const denominator = 2n ** n;
  return numerator >= denominator ? 1 : ratioToNumber(numerator, denominator);
}

/**
 * Mann-Whitney U, two-sided, normal approximation with tie and continuity correction, as
 * scipy.stats.mannwhitneyu(x, y, method="asymptotic") defines it. Ranks by counting.
 */
export function referenceMannWhitneyP(x: number[], y: number[]): number {
  const all = [...x, ...y];
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  let rankSum = 0;
  for (const value of x) {
    let less = 0;
    let equal = 0;
    for (const other of all) {
      if (other < value) less++;
      else if (other === value) equal++;
    }
    rankSum += less + (equal + 1) / 2;
  }
  const counts = new Map<number, number>();
  for (const value of all) counts.set(value, (counts.get(value) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t ** 3 - t;
  const u1 = rankSum - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  if (sigma === 0) return 1;
  const z = (u - (n1 * n2) / 2 - 0.5) / sigma;
  return Math.min(1, referenceErfc(z / Math.SQRT2));
}
