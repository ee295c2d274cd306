/**
 * Summary statistics. Percentiles follow PERCENTILE.INC (numpy's default "linear"):
 * for sorted x of n values, r = p(n-1), value = x[floor r] + (r - floor r)(x[ceil r] - x[floor r]).
 */
import type { TimeMetric } from '../domain/api.js';

/** PERCENTILE.INC of values already sorted ascending; p in [0, 1]. Null for no values. */
export function percentileInc(sortedValues: number[], p: number): number | null {
  const n = sortedValues.length;
  if (n === 0) return null;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile must be within [0, 1], got ${p}`);
  const rank = p * (n - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sortedValues[lower] as number;
  const high = sortedValues[upper] as number;
  return low + (rank - lower) * (high - low);
}

export function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Median of unsorted values (sorts a copy). */
export function median(values: number[]): number | null {
  return percentileInc([...values].sort((a, b) => a - b), 0.5);
}

/** A duration pair of one incident: both instants, either possibly missing. */
export interface DurationPoints {
  earlier: string | null;
  later: string | null;
}

/**
 * TimeMetric over pairs of points. A pair counts only when both exist and the later is
 * not before the earlier; a missing point counts as `missing`, a reversed pair as `invalid`.
 */
export function summarizeDurations(pairs: Iterable<DurationPoints>): TimeMetric {
  const seconds: number[] = [];
  let missing = 0;
  let invalid = 0;
  for (const { earlier, later } of pairs) {
    if (earlier === null || later === null) {
      missing += 1;
      continue;
    }
    const diffMs = Date.parse(later) - Date.parse(earlier);
    if (Number.isNaN(diffMs)) {
      missing += 1;
    } else if (diffMs < 0) {
      invalid += 1;
    } else {
      seconds.push(diffMs / 1000);
    }
  }
  seconds.sort((a, b) => a - b);
  return {
    count: seconds.length,
    missing,
    invalid,
    meanSeconds: mean(seconds),
    medianSeconds: percentileInc(seconds, 0.5),
    p90Seconds: percentileInc(seconds, 0.9),
  };
}
