import { describe, expect, it } from '@jest/globals';
import { mean, median, percentileInc, summarizeDurations, summarizeOutcomes } from '../../../server/metrics/index.js';
import type { DurationOutcome } from '../../../server/metrics/index.js';
import { outcomeNumber, percentileIncUnsorted, summarizeGroups } from '../../../server/metrics/stats.js';

describe('percentileInc (PERCENTILE.INC)', () => {
  it('is null for no values', () => {
    expect(percentileInc([], 0.5)).toBeNull();
    expect(percentileInc([], 0.9)).toBeNull();
  });

  it('returns the single value for one value', () => {
    expect(percentileInc([42], 0.5)).toBe(42);
    expect(percentileInc([42], 0.9)).toBe(42);
  });

  it('median of an odd count is the middle value', () => {
    expect(percentileInc([1, 3, 7], 0.5)).toBe(3);
  });

  it('median of an even count interpolates the two middle values', () => {
    expect(percentileInc([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileInc([10, 20], 0.5)).toBe(15);
  });

  it('p90 interpolates between closest ranks', () => {
    // r = 0.9 * 3 = 2.7 -> 3 + 0.7 * (4 - 3)
    expect(percentileInc([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    // r = 0.9 * 2 = 1.8 -> 3 + 0.8 * (7 - 3)
    expect(percentileInc([1, 3, 7], 0.9)).toBeCloseTo(6.2, 12);
    // r = 0.9 * 9 = 8.1 -> 9 + 0.1 * (100 - 9)
    expect(percentileInc([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 0.9)).toBeCloseTo(18.1, 12);
  });

  it('handles ties', () => {
    expect(percentileInc([2, 2, 2, 10], 0.5)).toBe(2);
    // r = 2.7 -> 2 + 0.7 * 8
    expect(percentileInc([2, 2, 2, 10], 0.9)).toBeCloseTo(7.6, 12);
  });

  it('refuses a percentile outside [0, 1]', () => {
    expect(() => percentileInc([1], 90)).toThrow(/within \[0, 1\]/);
  });

  it('mean and median of unsorted values', () => {
    expect(mean([])).toBeNull();
    expect(mean([3, 1, 2])).toBe(2);
    expect(median([9, 1, 5, 3])).toBe(4);
  });
});

describe('summarizeDurations', () => {
  it('is all zero and null for no pairs', () => {
    expect(summarizeDurations([])).toEqual({
      count: 0,
      missing: 0,
      invalid: 0,
      meanSeconds: null,
      medianSeconds: null,
      p90Seconds: null,
    });
  });

  it('counts missing and out-of-order pairs apart from the values', () => {
    const result = summarizeDurations([
      { earlier: '2026-11-02T10:00:00.000Z', later: '2026-11-02T10:01:00.000Z' }, // 60
      { earlier: '2026-11-02T10:00:00.000Z', later: '2026-11-02T10:00:00.000Z' }, // 0 counts
      { earlier: '2026-11-02T10:00:00.000Z', later: '2026-11-02T10:05:00.000Z' }, // 300
      { earlier: null, later: '2026-11-02T10:05:00.000Z' },
      { earlier: '2026-11-02T10:00:00.000Z', later: null },
      { earlier: '2026-11-02T10:00:00.000Z', later: '2026-11-02T09:59:59.000Z' },
    ]);
    expect(result).toEqual({
      count: 3,
      missing: 2,
      invalid: 1,
      meanSeconds: 120,
      medianSeconds: 60,
      // sorted 0, 60, 300; r = 1.8 -> 60 + 0.8 * 240
      p90Seconds: 252,
    });
  });
});

describe('summarizeGroups (every group in one pass)', () => {
  it('gives each group what summarizeOutcomes gives its outcomes, missing and invalid included', () => {
    // A fixed pseudo-random mix of values, ties, missing and invalid outcomes in 5 groups (one empty, one skipped).
    let seed = 7;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const outcomes: DurationOutcome[] = [];
    const groups: number[] = [];
    for (let i = 0; i < 2_000; i += 1) {
      const r = next();
      outcomes.push(r < 0.1 ? 'missing' : r < 0.15 ? 'invalid' : Math.round(next() * 50) * 60);
      groups.push(Math.floor(next() * 4) === 3 ? -1 : Math.floor(next() * 3) + (next() < 0.5 ? 0 : 1));
    }
    const values = Float64Array.from(outcomes, outcomeNumber);
    const grouped = summarizeGroups(values, Int32Array.from(groups), 5);
    for (let g = 0; g < 5; g += 1) {
      const own = outcomes.filter((_, i) => groups[i] === g);
      expect(grouped.metrics[g]).toEqual(summarizeOutcomes(own));
      const counted = own.filter((o): o is number => typeof o === 'number').sort((a, b) => a - b);
      expect([...grouped.sorted.subarray(grouped.offsets[g], grouped.offsets[g + 1])]).toEqual(counted);
    }
    expect(grouped.metrics[4]?.count).toBe(0);
    expect(summarizeGroups(values, null, 1).metrics[0]).toEqual(summarizeOutcomes(outcomes));
  });
});

describe('percentileIncUnsorted (selection instead of a sort)', () => {
  it('gives what percentileInc gives the sorted values, for any order, ties and sizes', () => {
    let seed = 11;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (const size of [1, 2, 3, 10, 101, 1_000, 5_000]) {
      for (const shape of ['random', 'ties', 'ascending', 'descending'] as const) {
        const values = Array.from({ length: size }, (_, i) =>
          shape === 'random'
            ? next() * 1e6
            : shape === 'ties'
              ? Math.floor(next() * 4)
              : shape === 'ascending'
                ? i
                : size - i,
        );
        const sorted = Float64Array.from(values).sort();
        for (const p of [0, 0.5, 0.9, 1]) {
          expect(percentileIncUnsorted(Float64Array.from(values), p)).toBe(percentileInc(sorted, p));
        }
      }
    }
    expect(percentileIncUnsorted(new Float64Array(0), 0.5)).toBeNull();
  });
});
