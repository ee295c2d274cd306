/**
 * Summary statistics. Percentiles follow PERCENTILE.INC (numpy's default "linear"):
 * for sorted x of n values, r = p(n-1), value = x[floor r] + (r - floor r)(x[ceil r] - x[floor r]).
 */
import type { TimeMetric } from '../domain/api.js';

/** PERCENTILE.INC of values already sorted ascending; p in [0, 1]. Null for no values. */
export function percentileInc(sortedValues: ArrayLike<number>, p: number): number | null {
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

export function mean(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += values[i] as number;
  return sum / values.length;
}

/** Median of unsorted values (sorts a copy). */
export function median(values: number[]): number | null {
  return percentileInc(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** A duration pair of one incident: both instants, either possibly missing. */
export interface DurationPoints {
  earlier: string | null;
  later: string | null;
}

/** One incident's value for a time metric: seconds, or why it does not count. */
export type DurationOutcome = number | 'missing' | 'invalid';

/**
 * A pair counts only when both points exist and the later is not before the earlier; a
 * missing (or unreadable) point makes it `missing`, a reversed pair `invalid`.
 */
export function durationOutcome(earlier: string | null, later: string | null): DurationOutcome {
  if (earlier === null || later === null) return 'missing';
  const diffMs = Date.parse(later) - Date.parse(earlier);
  if (Number.isNaN(diffMs)) return 'missing';
  return diffMs < 0 ? 'invalid' : diffMs / 1000;
}

export function summarizeOutcomes(outcomes: Iterable<DurationOutcome>): TimeMetric {
  const values: number[] = [];
  let missing = 0;
  let invalid = 0;
  for (const outcome of outcomes) {
    if (outcome === 'missing') missing += 1;
    else if (outcome === 'invalid') invalid += 1;
    else values.push(outcome);
  }
  // A typed array sorts numbers natively, several times faster than a comparator.
  const seconds = Float64Array.from(values).sort();
  return {
    count: seconds.length,
    missing,
    invalid,
    meanSeconds: mean(seconds),
    medianSeconds: percentileInc(seconds, 0.5),
    p90Seconds: percentileInc(seconds, 0.9),
  };
}

/** TimeMetric over pairs of points (see durationOutcome for what counts). */
export function summarizeDurations(pairs: Iterable<DurationPoints>): TimeMetric {
  const outcomes: DurationOutcome[] = [];
  for (const { earlier, later } of pairs) outcomes.push(durationOutcome(earlier, later));
  return summarizeOutcomes(outcomes);
}
