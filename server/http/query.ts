/**
 * Query strings, checked in one place. Each route declares the parameters it accepts as a
 * QuerySchema (one parser a parameter) and `parseQuery` applies it: an unknown parameter
 * is refused, a repeated one too, and every refusal is an InputError naming the parameter
 * and the accepted form, which the error handler answers as a 400. The schemas of the
 * metrics, incidents and action-item routes are here (docs/api.md, "Query parameters").
 */
import { parseWeek } from '../digest/weeks.js';
import type { SeverityKey } from '../domain/types.js';
import { SEVERITIES } from '../domain/types.js';
import { InputError } from '../errors.js';
import type { ActionItemListQuery, DataQualityQuery, IncidentListQuery, MetricsQuery } from '../metrics/index.js';
import { checkRange } from '../metrics/index.js';

/** A parser for each accepted parameter, in the order they are checked. */
export type QuerySchema<T> = { [K in keyof T]-?: (value: string, name: string) => Exclude<T[K], undefined> };

/** For routes that take no query parameters. */
export const NO_QUERY: QuerySchema<Record<never, never>> = {};

export function parseQuery<T>(query: unknown, schema: QuerySchema<T>): Partial<T> {
  const raw = (query ?? {}) as Record<string, unknown>;
  const accepted = Object.keys(schema) as Array<keyof T & string>;
  for (const name of Object.keys(raw)) {
    if (!(accepted as string[]).includes(name)) {
      throw new InputError(
        `Unknown query parameter "${name}"; this route accepts ${accepted.length ? accepted.join(', ') : 'no parameters'}.`,
        name,
      );
    }
  }
  const out: Partial<T> = {};
  for (const name of accepted) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value !== 'string')
      throw new InputError(`Query parameter "${name}" must be given once, as a single value.`, name);
    out[name] = schema[name](value, name);
  }
  return out;
}

/** An ISO-8601 instant: a date, a time, and Z or a numeric offset. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function instant(value: string, name: string): Date {
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InputError(
      `Query parameter "${name}" must be an ISO-8601 instant such as 2026-11-02T00:00:00Z (got "${value}").`,
      name,
    );
  }
  return new Date(ms);
}

function severity(value: string, name: string): SeverityKey {
  if (value === 'unknown' || (SEVERITIES as readonly string[]).includes(value)) return value as SeverityKey;
  throw new InputError(`Query parameter "${name}" must be one of P0, P1, P2, P3, P4, unknown (got "${value}").`, name);
}

function text(value: string, name: string): string {
  if (value.trim() === '')
    throw new InputError(`Query parameter "${name}" must not be empty; leave it out to keep every ${name}.`, name);
  return value;
}

function limit(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000) {
    throw new InputError(`Query parameter "${name}" must be a whole number from 1 to 100000 (got "${value}").`, name);
  }
  return Number(value);
}

function cursor(value: string, name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) {
    throw new InputError(`Query parameter "${name}" must be the nextCursor of a previous answer, unchanged.`, name);
  }
  return value;
}

function trueOrFalse(value: string, name: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new InputError(`Query parameter "${name}" must be true or false (got "${value}").`, name);
}

const METRICS_QUERY: QuerySchema<MetricsQuery> = { from: instant, to: instant, service: text, severity };

const INCIDENT_LIST_QUERY: QuerySchema<IncidentListQuery> = { ...METRICS_QUERY, limit, cursor };

/** GET /api/data-quality: the same parameters as /api/incidents. */
const DATA_QUALITY_QUERY: QuerySchema<DataQualityQuery> = INCIDENT_LIST_QUERY;

const ACTION_ITEM_LIST_QUERY: QuerySchema<ActionItemListQuery> = {
  overdue: trueOrFalse,
  owner: text,
  service: text,
  severity,
  incident: text,
  limit,
  cursor,
};

/** GET /api/review and /api/digest/preview: an ISO week such as 2026-W47. */
export const WEEK_QUERY: QuerySchema<{ week: string }> = { week: (value, name) => parseWeek(value, name) };

/** POST /api/postmortems. */
export const IMPORT_QUERY: QuerySchema<{ dryRun: boolean }> = { dryRun: trueOrFalse };

/** A query with a from/to window: from < to and a span the metrics accept. */
function withRange<T extends Pick<MetricsQuery, 'from' | 'to'>>(query: T): T {
  checkRange(query.from, query.to);
  return query;
}

export function parseMetricsQuery(raw: unknown): MetricsQuery {
  return withRange(parseQuery(raw, METRICS_QUERY));
}

export function parseIncidentListQuery(raw: unknown): IncidentListQuery {
  return withRange(parseQuery(raw, INCIDENT_LIST_QUERY));
}

export function parseDataQualityQuery(raw: unknown): DataQualityQuery {
  return withRange(parseQuery(raw, DATA_QUALITY_QUERY));
}

export function parseActionItemListQuery(raw: unknown): ActionItemListQuery {
  return parseQuery(raw, ACTION_ITEM_LIST_QUERY);
}
