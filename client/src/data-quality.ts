/**
 * The data-quality panel's rows: /api/metrics carries the first entries of each list and
 * their totals; "Show all" fetches the full lists from /api/data-quality.
 */
import type { DataQuality, DataQualityResponse } from '../../server/domain/api.js';

export interface QualityRow {
  kind: 'incident' | 'actionItem';
  key: string;
  url: string | null;
  problems: string;
}

/** Rows of the lists /api/metrics sent (incidents first), and how many entries there are in all. */
export function previewRows(quality: DataQuality): { rows: QualityRow[]; total: number } {
  const rows: QualityRow[] = [
    ...quality.incidents.map((q) => ({
      kind: 'incident' as const,
      key: q.key,
      url: q.url,
      problems: q.problems.join('; '),
    })),
    ...quality.actionItems.map((q) => ({
      kind: 'actionItem' as const,
      key: q.key,
      url: q.url,
      problems: q.problems.join('; '),
    })),
  ];
  // A server without totals sends whole lists.
  const total = quality.totals ? quality.totals.incidents + quality.totals.actionItems : rows.length;
  return { rows, total: Math.max(total, rows.length) };
}

/** Rows of the full lists (/api/data-quality), in the same order. */
export function fullRows(answer: DataQualityResponse): QualityRow[] {
  return answer.items.map((q) => ({ kind: q.kind, key: q.key, url: q.url, problems: q.problems.join('; ') }));
}

/** "Showing 20 of 3,348 ..." under a list cut short; null when nothing is left out. */
export function shownNote(shown: number, total: number, locale: string | null): string | null {
  if (shown >= total) return null;
  const format = (n: number) => {
    try {
      return n.toLocaleString(locale ?? 'en-US');
    } catch {
      return n.toLocaleString('en-US'); // a locale tag the browser does not know
    }
  };
  return `Showing ${format(shown)} of ${format(total)}.`;
}
