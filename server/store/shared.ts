/**
 * Logic both stores share, as pure functions: what a query means as a filter (NeDB
 * understands the same MongoDB filter subset, so one builder serves both), how a
 * document is normalised before it is written, and when an upsert changed nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ActionItem, Incident, IsoInstant } from '../domain/types.js';
import { ConflictError, InputError } from '../errors.js';
import type { ActionItemQuery, IncidentQuery, Page, WebhookDelivery } from './Store.js';

export type Filter = Record<string, unknown>;

/** An incident as stored: `placeAt` always recomputed so it cannot disagree with its points. */
export function normalizeIncident(incident: Incident): Incident {
  return { ...incident, placeAt: incident.startedAt ?? incident.createdAt };
}

export function incidentFilter(query: IncidentQuery, page?: Page): Filter {
  const and: Filter[] = [];
  if (query.from !== undefined) and.push({ placeAt: { $gte: query.from } });
  if (query.to !== undefined) and.push({ placeAt: { $lt: query.to } });
  if (query.service !== undefined) and.push({ services: query.service });
  if (query.severity !== undefined) and.push({ severity: query.severity === 'unknown' ? null : query.severity });
  if (query.keys !== undefined) and.push({ key: { $in: query.keys } });
  if (query.source !== undefined) and.push({ source: query.source });
  if (page?.after !== undefined) {
    const { placeAt, key } = parseIncidentCursor(page.after);
    and.push({ $or: [{ placeAt: { $gt: placeAt } }, { placeAt, key: { $gt: key } }] });
  }
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { $and: and };
}

export const INCIDENT_SORT = { placeAt: 1, key: 1 } as const;
export const ACTION_ITEM_SORT = { key: 1 } as const;

export function actionItemFilter(query: ActionItemQuery, page?: Page): Filter {
  const and: Filter[] = [];
  if (query.incidentKeys !== undefined) and.push({ incidentKey: { $in: query.incidentKeys } });
  if (query.owner !== undefined) and.push({ owner: query.owner });
  if (query.open === true) and.push({ statusCategory: { $ne: 'done' } });
  if (query.open === false) and.push({ statusCategory: 'done' });
  if (query.statusCategory !== undefined) and.push({ statusCategory: query.statusCategory });
  if (query.dueBefore !== undefined) and.push({ jiraDueDate: { $lt: query.dueBefore, $ne: null } });
  if (query.keys !== undefined) and.push({ key: { $in: query.keys } });
  if (page?.after !== undefined) and.push({ key: { $gt: page.after } });
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { $and: and };
}

/** The cursor after an incident in place-in-time order. */
export function incidentCursor(incident: Pick<Incident, 'placeAt' | 'key'>): string {
  return Buffer.from(`${incident.placeAt}|${incident.key}`).toString('base64url');
}

function parseIncidentCursor(cursor: string): { placeAt: IsoInstant; key: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 1 || Number.isNaN(Date.parse(text.slice(0, bar)))) {
    throw new InputError(
      'cursor is not one this server issued; pass the nextCursor of the previous page unchanged',
      'cursor',
    );
  }
  return { placeAt: text.slice(0, bar), key: text.slice(bar + 1) };
}

export function actionItemCursor(item: Pick<ActionItem, 'key'>): string {
  return item.key;
}

/** A lease may be taken when nobody holds it, it has expired, or the caller already holds it. */
export function leaseTakeableFilter(name: string, holder: string, now: Date): Filter {
  return { name, $or: [{ expiresAt: { $lte: now.toISOString() } }, { holder }] };
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

/** A patch of a record found by `filter`: the keys that identify it cannot be patched, undefined values are dropped. */
export function identityPreservingPatch(patch: Filter, filter: Filter): Filter {
  const out: Filter = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k in filter || k === '_id') throw new ConflictError(`${k} identifies the record and cannot be changed`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A patch applies only when the stored record still has every `expected` value (compare-and-set). */
export function expectedFilter(filter: Filter, expected: Filter | undefined): Filter {
  if (expected === undefined) return filter;
  return { ...expected, ...filter };
}

/** Sync-run history: the newest runs by finish time (then by recording order) are kept. */
export const SYNC_RUN_HISTORY = 200;

/** A delivery as it enters the queue: pending, unclaimed, not yet tried. */
export function newDelivery(
  delivery: Pick<WebhookDelivery, 'id' | 'event' | 'issues' | 'receivedAt'>,
): WebhookDelivery {
  return { ...delivery, state: 'pending', holder: null, claimedUntil: null, attempts: 0, lastError: null };
}

/** A queued webhook delivery may be claimed when pending, or when its claim has expired (its worker died). */
export function deliveryClaimableFilter(now: Date): Filter {
  return { $or: [{ state: 'pending' }, { state: 'claimed', claimedUntil: { $lte: now.toISOString() } }] };
}

/** The compare-and-set that claims one delivery: it must still be as the caller read it. */
export function deliveryClaim(
  seen: { id: string; state: string; holder: string | null; claimedUntil: string | null },
  holder: string,
  now: Date,
  leaseMs: number,
) {
  return {
    filter: { id: seen.id, state: seen.state, holder: seen.holder, claimedUntil: seen.claimedUntil },
    update: {
      $set: { state: 'claimed', holder, claimedUntil: new Date(now.getTime() + leaseMs).toISOString() },
      $inc: { attempts: 1 },
    },
  };
}

/** How a holder ends its claim: done, or back to pending with the error. */
export function deliveryFinish(ids: string[], holder: string, error: string | null) {
  return {
    filter: { id: { $in: ids }, state: 'claimed', holder },
    update: {
      $set:
        error === null
          ? { state: 'done', holder: null, claimedUntil: null, lastError: null }
          : { state: 'pending', holder: null, claimedUntil: null, lastError: error },
    },
  };
}

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

export function positiveLimit(page?: Page): number | undefined {
  if (page?.limit === undefined) return undefined;
  if (!Number.isInteger(page.limit) || page.limit < 1)
    throw new InputError('limit must be a whole number of 1 or more', 'limit');
  return page.limit;
}
