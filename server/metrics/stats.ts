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

/**
 * PERCENTILE.INC of values in any order, without sorting them: the value of rank floor(r)
 * is selected in place (quickselect; the array's order changes), the next one is the
 * smallest after it. The same number percentileInc gives for the sorted values.
 */
export function percentileIncUnsorted(values: Float64Array, p: number): number | null {
  const n = values.length;
  if (n === 0) return null;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile must be within [0, 1], got ${p}`);
  const rank = p * (n - 1);
  const lower = Math.floor(rank);
  const low = selectInPlace(values, lower);
  if (rank === lower) return low;
  let high = Number.POSITIVE_INFINITY;
  for (let i = lower + 1; i < n; i += 1) if ((values[i] as number) < high) high = values[i] as number;
  return low + (rank - lower) * (high - low);
}

/** Moves the k-th smallest value (0-based) to position k, smaller ones before it, larger or equal after; returns it. */
function selectInPlace(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    // Median of three as the pivot, so sorted or reversed input stays linear.
    const mid = (lo + hi) >> 1;
    const a = values[lo] as number;
    const b = values[mid] as number;
    const c = values[hi] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i += 1;
      while ((values[j] as number) > pivot) j -= 1;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break; // values[j + 1 .. i - 1] all equal the pivot
  }
  return values[k] as number;
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
  return timeMetricOf(Float64Array.from(values).sort(), missing, invalid);
}

/** A TimeMetric from the counted values, sorted ascending, and how many were missing or invalid. */
function timeMetricOf(seconds: Float64Array, missing: number, invalid: number): TimeMetric {
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

/** A DurationOutcome as one number: seconds (never negative), NaN when missing, -1 when invalid. */
export function outcomeNumber(outcome: DurationOutcome): number {
  return outcome === 'missing' ? Number.NaN : outcome === 'invalid' ? -1 : outcome;
}

/** The TimeMetric of each group, and the values each counts, sorted, group after group. */
export interface GroupedTimeMetrics {
  metrics: TimeMetric[];
  /** Group g's counted values, ascending: sorted.subarray(offsets[g], offsets[g + 1]). */
  sorted: Float64Array;
  offsets: Int32Array;
}

/**
 * summarizeOutcomes for every group at once, over outcomes as numbers (outcomeNumber):
 * values[i] belongs to group groups[i] (all to group 0 when groups is null; a negative
 * group to none). The counted values are scattered into one array and each group's part
 * sorted natively, so the answers equal summarizeOutcomes' for each group's outcomes.
 */
export function summarizeGroups(
  values: Float64Array,
  groups: Int32Array | null,
  groupCount: number,
): GroupedTimeMetrics {
  const counted = new Int32Array(groupCount);
  const missing = new Int32Array(groupCount);
  const invalid = new Int32Array(groupCount);
  for (let i = 0; i < values.length; i += 1) {
    const group = groups === null ? 0 : (groups[i] as number);
    if (group < 0) continue;
    const value = values[i] as number;
    if (value !== value) missing[group] = (missing[group] as number) + 1;
    else if (value < 0) invalid[group] = (invalid[group] as number) + 1;
    else counted[group] = (counted[group] as number) + 1;
  }
  const offsets = new Int32Array(groupCount + 1);
  for (let g = 0; g < groupCount; g += 1) offsets[g + 1] = (offsets[g] as number) + (counted[g] as number);
  const sorted = new Float64Array(offsets[groupCount] as number);
  const next = offsets.slice(0, groupCount);
  for (let i = 0; i < values.length; i += 1) {
    const group = groups === null ? 0 : (groups[i] as number);
    const value = values[i] as number;
    if (group < 0 || !(value >= 0)) continue;
    sorted[next[group] as number] = value;
    next[group] = (next[group] as number) + 1;
  }
  const metrics: TimeMetric[] = new Array<TimeMetric>(groupCount);
  for (let g = 0; g < groupCount; g += 1) {
    const seconds = sorted.subarray(offsets[g] as number, offsets[g + 1] as number).sort();
    metrics[g] = timeMetricOf(seconds, missing[g] as number, invalid[g] as number);
  }
  return { metrics, sorted, offsets };
}
