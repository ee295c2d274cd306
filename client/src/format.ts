/** Display formatting: durations, rates and comparisons with the previous window. */

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

export function formatRate(rate: number | null | undefined): string {
  return rate == null || !Number.isFinite(rate) ? '—' : `${Math.round(rate * 100)}%`;
}

export type Direction = 'up' | 'down' | 'same';

export interface Comparison {
  direction: Direction;
  /** True when the change is an improvement (e.g. a shorter time to resolve); null when neutral. */
  better: boolean | null;
  text: string;
  /** The change is not significant (docs/insights.md): shown neutral. */
  noise?: boolean;
  /** The significance test behind the verdict, for the tooltip. */
  test?: string;
}

/**
 * Compares a value with the previous window's. `lowerIsBetter` for times and counts of
 * incidents; null when either value is missing (nothing to compare).
 */
export function compare(
  current: number | null | undefined,
  previous: number | null | undefined,
  options: { lowerIsBetter: boolean; format: (n: number) => string },
): Comparison | null {
  if (current == null || previous == null) return null;
  const prev = options.format(previous);
  // Equal at the precision shown counts as the same: "down from 17m" next to 17m would puzzle.
  if (current === previous || options.format(current) === prev)
    return { direction: 'same', better: null, text: `same as previous (${prev})` };
  const direction: Direction = current > previous ? 'up' : 'down';
  const better = (direction === 'down') === options.lowerIsBetter;
  return { direction, better, text: `${direction} from ${prev}` };
}

export function formatDate(iso: string | null | undefined, locale?: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  const dateOnly = iso.length === 10;
  return date.toLocaleString(
    locale ?? undefined,
    dateOnly
      ? { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }
      : {
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          timeZone: 'UTC',
          timeZoneName: 'short',
        },
  );
}

/** Seconds between two instants, or why there is no value. */
export function span(from: string | null, to: string | null): number | 'missing' | 'invalid' {
  if (!from || !to) return 'missing';
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  return seconds < 0 ? 'invalid' : seconds;
}

/** A p-value for people: `p = 0.031`, `p < 0.001`. */
export function formatPValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/**
 * A comparison with the verdict of its significance test: a change that is not
 * significant (p >= 0.05, or too few values to test) is neutral, "within noise".
 */
export function withSignificance(
  comparison: Comparison | null,
  test: { p: number | null; significant: boolean } | undefined,
  testName: string,
): Comparison | null {
  if (!comparison || !test || comparison.direction === 'same') return comparison;
  const verdict =
    test.p === null
      ? `${testName}: not tested, fewer than 5 values in a window`
      : `${testName}: ${formatPValue(test.p)}, ${test.significant ? 'significant' : 'not significant'} at 0.05`;
  if (test.significant) return { ...comparison, test: verdict };
  return { ...comparison, better: null, noise: true, text: `${comparison.text}, within noise`, test: verdict };
}
