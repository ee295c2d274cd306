/**
 * The sync's JQL: the user's query, the sync's own `updated` clause and a stable order.
 * JQL date literals have minute precision and no offset; an absolute literal is read in
 * the Jira user's profile time zone, so it is written in that zone and floored to the
 * minute (flooring only widens the window; upserts by key absorb the overlap).
 */
import { DateTime, IANAZone } from 'luxon';

/** The user's JQL without a top-level ORDER BY (quoted text is left alone). */
export function withoutOrderBy(jql: string): string {
  let quote: string | null = null;
  for (let i = 0; i < jql.length; i += 1) {
    const ch = jql[i] as string;
    if (quote) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      continue;
    }
    if (/^order\s+by\b/i.test(jql.slice(i, i + 20)) && (i === 0 || /[\s)]/.test(jql[i - 1] as string))) {
      return jql.slice(0, i).trim();
    }
  }
  return jql.trim();
}

/** `yyyy-MM-dd HH:mm` of an instant in a zone (seconds dropped: floored to the minute). */
export function jqlDateTime(instantMs: number, zone: string): string {
  return DateTime.fromMillis(instantMs, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/** The zone JQL literals are read in; UTC (with a wide overlap, see runSync) when Jira's is unusable. */
export function jqlZone(timeZone: string | null): { zone: string; known: boolean } {
  if (timeZone && IANAZone.isValidZone(timeZone)) return { zone: timeZone, known: true };
  return { zone: 'UTC', known: false };
}

/**
 * `(<user JQL>) AND updated >= "<since>" ORDER BY updated ASC, key ASC`; without `since`
 * (a first or full run) only the user's JQL and the order.
 */
export function buildSyncJql(userJql: string, sinceMs: number | null, zone: string): string {
  const base = withoutOrderBy(userJql);
  const clauses: string[] = [];
  if (base) clauses.push(`(${base})`);
  if (sinceMs !== null) clauses.push(`updated >= "${jqlDateTime(sinceMs, zone)}"`);
  return `${clauses.join(' AND ')} ORDER BY updated ASC, key ASC`.trimStart();
}
