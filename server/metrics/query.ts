/**
 * What a metrics, incidents or action-item query means once read: its types, the default
 * window and the limits on it. The query strings themselves are read by the HTTP layer
 * (server/http/query.ts); every refusal is an InputError naming the parameter.
 */
import type { SeverityKey } from '../domain/types.js';
import { InputError } from '../errors.js';

export const MAX_SPAN_DAYS = 1100;
export const DEFAULT_SPAN_DAYS = 90;
/** How many entries of each data-quality list GET /api/metrics carries (the rest: GET /api/data-quality). */
export const DATA_QUALITY_PREVIEW = 20;
const DAY_MS = 86_400_000;

export interface MetricsQuery {
  from?: Date;
  to?: Date;
  service?: string;
  severity?: SeverityKey;
}

export interface IncidentListQuery extends MetricsQuery {
  limit?: number;
  cursor?: string;
}

/** GET /api/data-quality: the metrics filters plus paging, as on /api/incidents. */
export type DataQualityQuery = IncidentListQuery;

export interface ActionItemListQuery {
  overdue?: boolean;
  owner?: string;
  service?: string;
  severity?: SeverityKey;
  incident?: string;
  limit?: number;
  cursor?: string;
}

/** from < to and a span of at most 1,100 days, once both are known (defaults filled). */
export function checkRange(from: Date | undefined, to: Date | undefined): void {
  if (from && to) {
    if (!(from.getTime() < to.getTime())) {
      throw new InputError('Query parameter "from" must be before "to" (ISO-8601 instants, from < to).', 'from');
    }
    if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * DAY_MS) {
      throw new InputError(`Query parameters "from" and "to" may span at most ${MAX_SPAN_DAYS} days.`, 'to');
    }
  }
}

/** Fills the 90-day default window ending now and checks the result. */
export function resolveRange(query: Pick<MetricsQuery, 'from' | 'to'>, now: Date): { from: Date; to: Date } {
  const to = query.to ?? now;
  const from = query.from ?? new Date(to.getTime() - DEFAULT_SPAN_DAYS * DAY_MS);
  checkRange(from, to);
  return { from, to };
}
