/**
 * Logic both stores share, as pure functions: what a query means as a filter (NeDB
 * understands the same MongoDB filter subset, so one builder serves both), how a
 * document is normalised before it is written, and when an upsert changed nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ActionItem, Incident, IsoInstant } from '../domain/types.js';
import { InputError } from '../errors.js';
import type { ActionItemQuery, IncidentQuery, Page } from './Store.js';

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
    throw new InputError('cursor is not one this server issued; pass the nextCursor of the previous page unchanged', 'cursor');
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

/** A queued webhook delivery may be claimed when pending, or when its claim has expired (its worker died). */
export function deliveryClaimableFilter(now: Date): Filter {
  return { $or: [{ state: 'pending' }, { state: 'claimed', claimedUntil: { $lte: now.toISOString() } }] };
}

/** The compare-and-set that claims one delivery: it must still be as the caller read it. */
export function deliveryClaim(seen: { id: string; state: string; holder: string | null; claimedUntil: string | null }, holder: string, now: Date, leaseMs: number) {
  return {
    filter: { id: seen.id, state: seen.state, holder: seen.holder, claimedUntil: seen.claimedUntil },
    update: { $set: { state: 'claimed', holder, claimedUntil: new Date(now.getTime() + leaseMs).toISOString() }, $inc: { attempts: 1 } },
  };
}

/** How a holder ends its claim: done, or back to pending with the error. */
export function deliveryFinish(ids: string[], holder: string, error: string | null) {
  return {
    filter: { id: { $in: ids }, state: 'claimed', holder },
    update: { $set: error === null ? { state: 'done', holder: null, claimedUntil: null, lastError: null } : { state: 'pending', holder: null, claimedUntil: null, lastError: error } },
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
  if (!Number.isInteger(page.limit) || page.limit < 1) throw new InputError('limit must be a whole number of 1 or more', 'limit');
  return page.limit;
}
