/**
 * Incidents, action items and post-mortems in NeDB, with the data version and the change
 * feed they move. The store is the only writer of its files, so it keeps the totals, the
 * version and the keys each version wrote (../changeLog.ts) in memory.
 */
import type { ActionItem, Incident, Postmortem, UpsertCounts } from '../../domain/types.js';
import { ChangeLog } from '../changeLog.js';
import { canonical, canonicalDocument, normalizeIncident, positiveLimit, unchanged } from '../shared.js';
import { actionItemFilter, incidentFilter, INCIDENT_SORT, ACTION_ITEM_SORT } from '../shared.js';
import type {
  ActionItemQuery,
  DeletedIncidents,
  FindOptions,
  IncidentQuery,
  StoreChanges,
  StoreCounts,
  StoreRecords,
} from '../Store.js';
import { checkBatch, checkRecord, refusedBatchError, withDefaults, type DocumentKind } from '../validation.js';
import { NO_ID, type Datastore } from './collection.js';
import type { Datafiles } from './dataDir.js';

export interface RecordState {
  version: number;
  readonly totals: StoreCounts;
  /** The keys each data version wrote since this process opened the store. */
  changeLog: ChangeLog;
  /** The write under way: record writes run one at a time (each reads, then writes). */
  writing: Promise<unknown>;
}

interface Self {
  readonly db: Datafiles;
  readonly records: RecordState;
}

/** The state of the records as stored in `db`. */
export async function loadRecordState(db: Datafiles): Promise<RecordState> {
  const stored = await db.meta.findOneAsync({ name: 'dataVersion' });
  const version = (stored?.value as number | undefined) ?? 0;
  return {
    version,
    totals: { incidents: await db.incidents.countAsync({}), actionItems: await db.actionItems.countAsync({}) },
    changeLog: new ChangeLog(version),
    writing: Promise.resolve(),
  };
}

async function bumpVersion(self: Self, change: { incidentKeys?: string[]; actionItemKeys?: string[] }): Promise<void> {
  const state = self.records;
  state.version += 1;
  state.changeLog.record(state.version, change);
  await self.db.meta.updateAsync(
    { name: 'dataVersion' },
    { name: 'dataVersion', value: state.version },
    { upsert: true },
  );
}

/**
 * One record write at a time. Each reads before it writes, and NeDB runs only single
 * operations atomically: two batches naming the same new key would both insert it.
 */
function oneAtATime<T>(self: Self, write: () => Promise<T>): Promise<T> {
  const result = self.records.writing.then(write, write);
  self.records.writing = result.catch(() => undefined);
  return result;
}

async function upsertByKey<T extends { key: string }>(
  self: Self,
  collection: Datastore<T>,
  kind: DocumentKind,
  batch: T[],
  total: keyof StoreCounts,
): Promise<UpsertCounts> {
  const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
  const { valid, refused } = checkBatch(kind, batch);
  const written: string[] = [];
  const toInsert: T[] = [];
  const seen = new Map<string, T>();
  // The last copy of a key in one batch wins; a field left out gets its default, as on MongoDB.
  for (const doc of valid) seen.set(doc.key, canonicalDocument(withDefaults(kind, doc)));
  // One indexed lookup per slice of the batch instead of one per document (NeDB checks
  // each candidate against the whole $in list, so slices stay small).
  const byKey = new Map<string, T>();
  const keys = [...seen.keys()];
  for (let i = 0; i < keys.length; i += 200) {
    const stored = (await collection.findAsync({ key: { $in: keys.slice(i, i + 200) } }, NO_ID)) as T[];
    for (const doc of stored) byKey.set(doc.key, doc);
  }
  let touched = false;
  try {
    for (const doc of seen.values()) {
      const existing = byKey.get(doc.key) ?? null;
      if (existing === null) {
        toInsert.push(doc);
      } else if (unchanged(existing, doc)) {
        counts.unchanged += 1;
      } else {
        touched = true;
        await collection.updateAsync({ key: doc.key }, doc, {});
        counts.updated += 1;
        written.push(doc.key);
      }
    }
    if (toInsert.length > 0) {
      touched = true;
      for (const doc of toInsert) written.push(doc.key);
      await collection.insertAsync(toInsert);
      counts.inserted += toInsert.length;
      self.records.totals[total] += toInsert.length;
    }
  } finally {
    // Whatever was written, in full or in part, moves the version.
    if (touched)
      await bumpVersion(self, total === 'incidents' ? { incidentKeys: written } : { actionItemKeys: written });
  }
  if (refused.length > 0) throw refusedBatchError(kind, refused, valid.length);
  return counts;
}

export function upsertIncidents(this: Self, incidents: Incident[]): Promise<UpsertCounts> {
  return oneAtATime(this, () =>
    upsertByKey(this, this.db.incidents, 'incident', incidents.map(normalizeIncident), 'incidents'),
  );
}

export function upsertActionItems(this: Self, items: ActionItem[]): Promise<UpsertCounts> {
  return oneAtATime(this, () => upsertByKey(this, this.db.actionItems, 'action item', items, 'actionItems'));
}

export async function getIncident(this: Self, key: string): Promise<Incident | null> {
  return (await this.db.incidents.findOneAsync({ key }, NO_ID)) as Incident | null;
}

export async function findIncidents(this: Self, query: IncidentQuery, options?: FindOptions): Promise<Incident[]> {
  let cursor = this.db.incidents.findAsync(incidentFilter(query), NO_ID).sort(INCIDENT_SORT);
  const limit = positiveLimit(options);
  if (limit !== undefined) cursor = cursor.limit(limit);
  return (await cursor) as Incident[];
}

export async function getActionItem(this: Self, key: string): Promise<ActionItem | null> {
  return (await this.db.actionItems.findOneAsync({ key }, NO_ID)) as ActionItem | null;
}

export async function findActionItems(
  this: Self,
  query: ActionItemQuery,
  options?: FindOptions,
): Promise<ActionItem[]> {
  let cursor = this.db.actionItems.findAsync(actionItemFilter(query), NO_ID).sort(ACTION_ITEM_SORT);
  const limit = positiveLimit(options);
  if (limit !== undefined) cursor = cursor.limit(limit);
  return (await cursor) as ActionItem[];
}

export async function counts(this: Self): Promise<StoreCounts> {
  // NeDB's count scans every document; as the only writer, the store keeps the totals itself.
  return { ...this.records.totals };
}

export async function dataVersion(this: Self): Promise<number> {
  return this.records.version;
}

export async function changesSince(this: Self, version: number): Promise<StoreChanges | null> {
  return this.records.changeLog.since(version, this.records.version);
}

/** NeDB's own in-memory documents (with their _id), neither copied nor sorted. */
export async function allRecords(this: Self): Promise<StoreRecords> {
  return { incidents: this.db.incidents.getAllData(), actionItems: this.db.actionItems.getAllData() };
}

export function savePostmortem(this: Self, document: Postmortem): Promise<void> {
  return oneAtATime(this, () => writePostmortem(this, document));
}

async function writePostmortem(self: Self, document: Postmortem): Promise<void> {
  await checkRecord('post-mortem', document);
  const postmortem = canonical(document);
  const existing = (await self.db.postmortems.findOneAsync(
    { incidentKey: postmortem.incidentKey },
    NO_ID,
  )) as Postmortem | null;
  if (unchanged(existing, postmortem)) return;
  await self.db.postmortems.updateAsync({ incidentKey: postmortem.incidentKey }, postmortem, { upsert: true });
  await bumpVersion(self, { incidentKeys: [postmortem.incidentKey] });
}

export async function getPostmortem(this: Self, incidentKey: string): Promise<Postmortem | null> {
  return (await this.db.postmortems.findOneAsync({ incidentKey }, NO_ID)) as Postmortem | null;
}

export function deleteIncidents(this: Self, keys: string[]): Promise<DeletedIncidents> {
  return oneAtATime(this, () => removeIncidents(this, keys));
}

async function removeIncidents(self: Self, keys: string[]): Promise<DeletedIncidents> {
  if (keys.length === 0) return { deleted: 0, detachedActionItems: [] };
  const deleted = await self.db.incidents.removeAsync({ key: { $in: keys } }, { multi: true });
  self.records.totals.incidents -= deleted;
  const removedPostmortems = await self.db.postmortems.removeAsync({ incidentKey: { $in: keys } }, { multi: true });
  const detached = (await self.db.actionItems.findAsync({ incidentKey: { $in: keys } }, { key: 1, _id: 0 })) as Array<{
    key: string;
  }>;
  if (detached.length > 0) {
    await self.db.actionItems.updateAsync(
      { incidentKey: { $in: keys } },
      { $set: { incidentKey: null } },
      { multi: true },
    );
  }
  if (deleted + removedPostmortems + detached.length > 0)
    await bumpVersion(self, { incidentKeys: keys, actionItemKeys: detached.map((item) => item.key) });
  return { deleted, detachedActionItems: detached.map((item) => item.key).sort() };
}

export function deleteActionItems(this: Self, keys: string[]): Promise<number> {
  return oneAtATime(this, () => removeActionItems(this, keys));
}

async function removeActionItems(self: Self, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const deleted = await self.db.actionItems.removeAsync({ key: { $in: keys } }, { multi: true });
  self.records.totals.actionItems -= deleted;
  if (deleted > 0) await bumpVersion(self, { actionItemKeys: keys });
  return deleted;
}
