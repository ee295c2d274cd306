/**
 * Checks and normalises the query parameters of the metrics, incidents and action-item
 * routes (docs/api.md, "Query parameters"). Every refusal is an InputError naming the parameter
 * and the accepted form; the HTTP layer turns it into a 400.
 */
import type { SeverityKey } from '../domain/types.js';
import { SEVERITIES } from '../domain/types.js';
import { InputError } from '../errors.js';

export const MAX_SPAN_DAYS = 1100;
export const DEFAULT_SPAN_DAYS = 90;
/** How many entries of each data-quality list GET /api/metrics carries (the rest: GET /api/data-quality). */
export const DATA_QUALITY_PREVIEW = 20;
const DAY_MS = 86_400_000;
/** An ISO-8601 instant: a date, a time, and Z or a numeric offset. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

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

type RawQuery = Record<string, unknown>;

function single(raw: RawQuery, name: string): string | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InputError(`Query parameter "${name}" must be given once, as a single value.`, name);
  }
  return value;
}

function rejectUnknown(raw: RawQuery, allowed: readonly string[]): void {
  for (const name of Object.keys(raw)) {
    if (!allowed.includes(name)) {
      throw new InputError(`Unknown query parameter "${name}". Accepted parameters: ${allowed.join(', ')}.`, name);
    }
  }
}

function parseInstant(raw: RawQuery, name: 'from' | 'to'): Date | undefined {
  const value = single(raw, name);
  if (value === undefined) return undefined;
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InputError(
      `Query parameter "${name}" must be an ISO-8601 instant such as 2026-11-02T00:00:00Z (got "${value}").`,
      name,
    );
  }
  return new Date(ms);
}

function parseSeverity(raw: RawQuery): SeverityKey | undefined {
  const value = single(raw, 'severity');
  if (value === undefined) return undefined;
  if (value === 'unknown' || (SEVERITIES as readonly string[]).includes(value)) return value as SeverityKey;
  throw new InputError(
    `Query parameter "severity" must be one of P0, P1, P2, P3, P4, unknown (got "${value}").`,
    'severity',
  );
}

function parseText(raw: RawQuery, name: string): string | undefined {
  const value = single(raw, name);
  if (value === undefined) return undefined;
  if (value.trim() === '')
    throw new InputError(`Query parameter "${name}" must not be empty; leave it out to keep every ${name}.`, name);
  return value;
}

function parseLimit(raw: RawQuery): number | undefined {
  const value = single(raw, 'limit');
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000) {
    throw new InputError(`Query parameter "limit" must be a whole number from 1 to 100000 (got "${value}").`, 'limit');
  }
  return Number(value);
}

function parseCursor(raw: RawQuery): string | undefined {
  const value = single(raw, 'cursor');
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(value)) {
    throw new InputError('Query parameter "cursor" must be the nextCursor of a previous answer, unchanged.', 'cursor');
  }
  return value;
}

function parseRange(raw: RawQuery): Pick<MetricsQuery, 'from' | 'to'> {
  const from = parseInstant(raw, 'from');
  const to = parseInstant(raw, 'to');
  checkRange(from, to);
  const range: Pick<MetricsQuery, 'from' | 'to'> = {};
  if (from) range.from = from;
  if (to) range.to = to;
  return range;
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

function withDefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

export function parseMetricsQuery(raw: RawQuery): MetricsQuery {
  rejectUnknown(raw, ['from', 'to', 'service', 'severity']);
  return withDefined({ ...parseRange(raw), service: parseText(raw, 'service'), severity: parseSeverity(raw) });
}

export function parseIncidentListQuery(raw: RawQuery): IncidentListQuery {
  rejectUnknown(raw, ['from', 'to', 'service', 'severity', 'limit', 'cursor']);
  return withDefined({
    ...parseRange(raw),
    service: parseText(raw, 'service'),
    severity: parseSeverity(raw),
    limit: parseLimit(raw),
    cursor: parseCursor(raw),
  });
}

/** The same parameters as /api/incidents: the metrics filters, limit and cursor. */
export const parseDataQualityQuery: (raw: RawQuery) => DataQualityQuery = parseIncidentListQuery;

export function parseActionItemListQuery(raw: RawQuery): ActionItemListQuery {
  rejectUnknown(raw, ['overdue', 'owner', 'service', 'severity', 'incident', 'limit', 'cursor']);
  const overdueText = single(raw, 'overdue');
  if (overdueText !== undefined && overdueText !== 'true' && overdueText !== 'false') {
    throw new InputError(`Query parameter "overdue" must be true or false (got "${overdueText}").`, 'overdue');
  }
  return withDefined({
    overdue: overdueText === undefined ? undefined : overdueText === 'true',
    owner: parseText(raw, 'owner'),
    service: parseText(raw, 'service'),
    severity: parseSeverity(raw),
    incident: parseText(raw, 'incident'),
    limit: parseLimit(raw),
    cursor: parseCursor(raw),
  });
}
