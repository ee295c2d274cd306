/**
 * Logic both stores share, as pure functions: what a query means as a filter (NeDB
 * understands the same MongoDB filter subset, so one builder serves both), how a
 * document is normalised before it is written, and when an upsert changed nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Incident } from '../domain/types.js';
import { InputError } from '../errors.js';
import type { Filter } from './collection.js';
import type { ActionItemQuery, FindOptions, IncidentQuery } from './Store.js';

/** An incident as stored: `placeAt` always recomputed so it cannot disagree with its points. */
export function normalizeIncident(incident: Incident): Incident {
  return { ...incident, placeAt: incident.startedAt ?? incident.createdAt };
}

export function incidentFilter(query: IncidentQuery): Filter {
  const and: Filter[] = [];
  if (query.keys !== undefined) and.push({ key: { $in: query.keys } });
  if (query.source !== undefined) and.push({ source: query.source });
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { $and: and };
}

export const INCIDENT_SORT = { placeAt: 1, key: 1 } as const;
export const ACTION_ITEM_SORT = { key: 1 } as const;

export function actionItemFilter(query: ActionItemQuery): Filter {
  const and: Filter[] = [];
  if (query.keys !== undefined) and.push({ key: { $in: query.keys } });
  if (query.open === true) and.push({ statusCategory: { $ne: 'done' } });
  if (query.open === false) and.push({ statusCategory: 'done' });
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { $and: and };
}

/**
 * A document in one canonical form: the keys of every nested object sorted, so that two
 * documents equal as data are also equal byte for byte (MongoDB compares BSON, where key
 * order counts; the embedded store compares values). Both stores write this form.
 */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i += 1) {
      const v = canonical(value[i] as unknown);
      if (v !== value[i]) (copy ??= value.slice())[i] = v;
    }
    return (copy ?? value) as T;
  }
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  // Already canonical (the usual case: the sync builds nested objects in key order): no copy.
  const keys = Object.keys(value);
  const record = value as Record<string, unknown>;
  let inOrder = true;
  for (let i = 0; i < keys.length && inOrder; i += 1) {
    const v = record[keys[i]!];
    inOrder = (i === 0 || keys[i - 1]! < keys[i]!) && v !== undefined && canonical(v) === v;
  }
  if (inOrder) return value;
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const v = record[key];
    if (v !== undefined) out[key] = canonical(v);
  }
  return out as T;
}

/** A document as both stores write it: top-level fields as given, nested objects canonical, no undefined values. */
export function canonicalDocument<T extends object>(doc: T): T {
  let out: Record<string, unknown> | null = null;
  const entries = Object.entries(doc);
  for (let i = 0; i < entries.length; i += 1) {
    const [key, v] = entries[i]!;
    const c = v === undefined ? undefined : canonical(v);
    if (out === null && (c !== v || v === undefined)) out = Object.fromEntries(entries.slice(0, i));
    if (out !== null && c !== undefined) out[key] = c;
  }
  return (out ?? doc) as T;
}

/** Sync-run history: the newest runs by finish time (then by recording order) are kept. */
export const SYNC_RUN_HISTORY = 200;

/** True when writing `incoming` over `existing` would change nothing. */
export function unchanged<T extends object>(existing: T | null, incoming: T): boolean {
  return existing !== null && isDeepStrictEqual(stripId(existing), stripId(incoming));
}

export function stripId<T extends object>(doc: T): T {
  if (!('_id' in doc)) return doc;
  const copy = { ...doc } as Record<string, unknown>;
  delete copy._id;
  return copy as T;
}

export function positiveLimit(options?: FindOptions): number | undefined {
  if (options?.limit === undefined) return undefined;
  if (!Number.isInteger(options.limit) || options.limit < 1)
    throw new InputError('limit must be a whole number of 1 or more', 'limit');
  return options.limit;
}
