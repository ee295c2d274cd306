/**
 * The significance tests of docs/insights.md. Expected values come from three places,
 * named at each case: hand computation; scipy's documentation (the mannwhitneyu example,
 * whose printed p-value is scipy's own output); and test/helpers/referenceStatistics.ts,
 * which computes the same definitions with exact BigInt arithmetic (binomial) and an
 * 80-digit series for erfc (normal tail), sharing no code with the product.
 */
import { describe, expect, it } from '@jest/globals';
import {
  binomialTestP,
  countChange,
  durationChange,
  erfc,
  mannWhitneyP,
} from '../../../server/metrics/significance.js';
import { referenceBinomialP, referenceErfc, referenceMannWhitneyP } from '../../helpers/referenceStatistics.js';

function expectClose(actual: number | null, expected: number, tolerance = 1e-9): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

describe('exact binomial test of incident totals', () => {
  it('matches hand computation', () => {
    // 14 against 7: 2 * sum_{k<=7} C(21, k) / 2^21 = 2 * 198440 / 2097152.
    expect(binomialTestP(14, 7)).toBeCloseTo(0.18924713134765625, 15);
    expect(binomialTestP(7, 14)).toBe(binomialTestP(14, 7));
    // 10 against 0: 2 * C(10, 0) / 2^10.
    expect(binomialTestP(10, 0)).toBeCloseTo(0.001953125, 16);
    // 5 against 5: 2 * P(X <= 5) > 1, so 1; no incidents at all: 1.
    expect(binomialTestP(5, 5)).toBe(1);
    expect(binomialTestP(0, 0)).toBe(1);
  });

  it.each([
    [81, 60],
    [60, 81],
    [1, 0],
    [0, 3],
    [100, 130],
    [1000, 1100],
    [3000, 3300],
    [12, 30],
    [4800, 5100],
    [0, 40],
  ])('%i against %i matches exact rational arithmetic to 1e-9 (relative)', (n1, n2) => {
    const expected = referenceBinomialP(n1, n2);
    const actual = binomialTestP(n1, n2);
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * expected);
  });

  it('is significant below 0.05 only', () => {
    expect(countChange(14, 7)).toEqual({ p: binomialTestP(14, 7), significant: false });
    expect(countChange(30, 10).significant).toBe(true);
    expect(() => binomialTestP(-1, 3)).toThrow(RangeError);
  });
});

describe('Mann-Whitney U test of durations', () => {
  it("matches the example in scipy's documentation of mannwhitneyu", () => {
    // scipy.stats.mannwhitneyu docstring: males vs females, method="asymptotic" prints 0.11134688653314041.
    expectClose(mannWhitneyP([19, 22, 16, 29, 24], [20, 11, 17, 12]), 0.11134688653314041, 1e-12);
    expectClose(mannWhitneyP([20, 11, 17, 12], [19, 22, 16, 29, 24]), 0.11134688653314041, 1e-12);
  });

  it('refuses NaN rather than ranking it (or looping on it)', () => {
    expect(() => mannWhitneyP([1, 2, Number.NaN], [3, 4])).toThrow(RangeError);
    expect(() => mannWhitneyP([Number.NaN], [3, 4])).toThrow(RangeError);
    expect(() => mannWhitneyP(Float64Array.of(1, 2, Number.NaN), Float64Array.of(3, 4))).toThrow(RangeError);
  });

  it('gives the same p for samples handed over sorted (as the metrics do) and in any order', () => {
    const x = [19, 22, 16, 29, 24, 16];
    const y = [20, 11, 17, 12, 16];
    const sorted = (v: number[]) => Float64Array.from(v).sort();
    expect(mannWhitneyP(sorted(x), sorted(y))).toBe(mannWhitneyP(x, y));
    expectClose(mannWhitneyP(sorted([19, 22, 16, 29, 24]), sorted([20, 11, 17, 12])), 0.11134688653314041, 1e-12);
  });

  it('gives tied values their mean rank and corrects the variance for ties (by hand)', () => {
    // Pooled: 1x 2x 2x 2y 3x 3y 4x 5y 6y 7y. Ranks of x: 1, 3, 3, 5.5, 7 (sum 19.5); U1 = 19.5 - 15 = 4.5,
    // U = max(4.5, 20.5) = 20.5. Ties: (3^3 - 3) + (2^3 - 2) = 30. Variance = 25/12 (11 - 30/90) = 200/9.
    // z = (20.5 - 12.5 - 0.5) / sqrt(200/9); p = 2 (1 - Phi(z)) = erfc(z / sqrt 2).
    const z = 7.5 / Math.sqrt(200 / 9);
    expectClose(mannWhitneyP([1, 2, 2, 3, 4], [2, 3, 5, 6, 7]), referenceErfc(z / Math.SQRT2), 1e-12);
  });

  it.each([
    { name: 'clear shift', x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y: [11, 12, 13, 14, 15, 16, 17, 18, 19, 20] },
    { name: 'heavy ties', x: [60, 60, 120, 120, 120, 300, 300], y: [60, 120, 120, 300, 300, 300, 900, 900] },
    {
      name: 'overlapping, unequal sizes',
      x: [3600, 5400, 7200, 9000, 1800, 2700],
      y: [4000, 4100, 8000, 12000, 15000, 20000, 2500, 3000, 3100],
    },
    {
      name: 'large, far apart',
      x: Array.from({ length: 40 }, (_, i) => i * 7),
      y: Array.from({ length: 35 }, (_, i) => 500 + i * 3),
    },
  ])('$name: matches the 80-digit reference to 1e-9', ({ x, y }) => {
    expectClose(mannWhitneyP(x, y), referenceMannWhitneyP(x, y));
  });

  it('tests nothing below 5 values in either window', () => {
    expect(durationChange([1, 2, 3, 4], [10, 20, 30, 40, 50, 60])).toEqual({ p: null, significant: false });
    expect(durationChange([1, 2, 3, 4, 5], [])).toEqual({ p: null, significant: false });
  });

  it('answers p = 1 when every value is the same (zero variance)', () => {
    expect(durationChange([600, 600, 600, 600, 600], [600, 600, 600, 600, 600])).toEqual({ p: 1, significant: false });
  });

  it('is significant below 0.05', () => {
    expect(durationChange([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]).significant).toBe(
      true,
    );
    expect(durationChange([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]).significant).toBe(false);
  });
});

describe('erfc', () => {
  it('agrees with an 80-digit series within 1e-15 absolute over [-3, 8]', () => {
    let worst = 0;
    for (let x = -3; x <= 8; x += 0.0173) worst = Math.max(worst, Math.abs(erfc(x) - referenceErfc(x)));
    expect(worst).toBeLessThan(1e-15);
    expect(erfc(0)).toBe(1);
    expect(erfc(30)).toBe(0);
    expect(erfc(Number.NaN)).toBeNaN();
  });
});
