/**
 * Incidents, action items and post-mortems on MongoDB. Every write goes through
 * `versioned` (./changeFeed.ts), so the data version and the change feed follow it.
 */
import type { ActionItem, Incident, Postmortem, UpsertCounts } from '../../domain/types.js';
import {
  ACTION_ITEM_SORT,
  INCIDENT_SORT,
  actionItemFilter,
  canonical,
  incidentFilter,
  normalizeIncident,
  positiveLimit,
} from '../shared.js';
import type {
  ActionItemQuery,
  DeletedIncidents,
  FindOptions,
  IncidentQuery,
  StoreCounts,
  StoreRecords,
} from '../Store.js';
import { checkBatch, refusedBatchError, type DocumentKind } from '../validation.js';
import { versioned } from './changeFeed.js';
import { NO_ID, run } from './collection.js';
import type { Models } from './models.js';
import { BULK_UPSERT_OPTIONS, bulkUpsertOperations, upsertCountsFromResult } from './operations.js';

interface Self {
  readonly models: Models;
}

const ZERO: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };

async function upsert(
  self: Self,
  model: Models['incidents'],
  kind: DocumentKind,
  docs: Array<{ key: string }>,
): Promise<UpsertCounts> {
  const field = kind === 'incident' ? 'incidentKeys' : 'actionItemKeys';
  if (docs.length === 0) return { ...ZERO };
  const { valid, refused } = checkBatch(kind, docs);
  let counts = { ...ZERO };
  if (valid.length > 0) {
    counts = await versioned(
      self,
      'upsert',
      async () => upsertCountsFromResult(await model.bulkWrite(bulkUpsertOperations(valid), BULK_UPSERT_OPTIONS)),
      (c) => c.inserted + c.updated > 0,
      // The batch's keys: a superset of those written (a reader re-reads the unchanged ones for nothing).
      () => ({ [field]: [...new Set(valid.map((doc) => doc.key))] }),
    );
  }
  if (refused.length > 0) throw refusedBatchError(kind, refused, valid.length);
  return counts;
}

export function upsertIncidents(this: Self, incidents: Incident[]): Promise<UpsertCounts> {
  return upsert(this, this.models.incidents, 'incident', incidents.map(normalizeIncident));
}

export function upsertActionItems(this: Self, items: ActionItem[]): Promise<UpsertCounts> {
  return upsert(this, this.models.actionItems, 'action item', items);
}

export function getIncident(this: Self, key: string): Promise<Incident | null> {
  return run('read', () => this.models.incidents.findOne({ key }, NO_ID).lean().exec() as Promise<Incident>);
}

export function findIncidents(this: Self, query: IncidentQuery, options?: FindOptions): Promise<Incident[]> {
  const limit = positiveLimit(options);
  return run('read', () => {
    const q = this.models.incidents.find(incidentFilter(query), NO_ID).sort(INCIDENT_SORT);
    if (limit !== undefined) q.limit(limit);
    return q.lean().exec() as Promise<Incident[]>;
  });
}

export function getActionItem(this: Self, key: string): Promise<ActionItem | null> {
  return run('read', () => this.models.actionItems.findOne({ key }, NO_ID).lean().exec() as Promise<ActionItem>);
}

export function findActionItems(this: Self, query: ActionItemQuery, options?: FindOptions): Promise<ActionItem[]> {
  const limit = positiveLimit(options);
  return run('read', () => {
    const q = this.models.actionItems.find(actionItemFilter(query), NO_ID).sort(ACTION_ITEM_SORT);
    if (limit !== undefined) q.limit(limit);
    return q.lean().exec() as Promise<ActionItem[]>;
  });
}

export function counts(this: Self): Promise<StoreCounts> {
  return run('count', async () => ({
    // From collection metadata: constant time, exact outside of unclean shutdowns.
    incidents: await this.models.incidents.estimatedDocumentCount(),
    actionItems: await this.models.actionItems.estimatedDocumentCount(),
  }));
}

export function allRecords(this: Self): Promise<StoreRecords> {
  return run('read', async () => ({
    incidents: (await this.models.incidents.find({}, NO_ID).lean().exec()) as Incident[],
    actionItems: (await this.models.actionItems.find({}, NO_ID).lean().exec()) as ActionItem[],
  }));
}

export async function savePostmortem(this: Self, postmortem: Postmortem): Promise<void> {
  await versioned(
    this,
    'post-mortem',
    () =>
      this.models.postmortems
        .replaceOne({ incidentKey: postmortem.incidentKey }, canonical(postmortem), {
          upsert: true,
          runValidators: true,
        })
        .exec(),
    (result: { upsertedCount: number; modifiedCount: number }) => result.upsertedCount + result.modifiedCount > 0,
    () => ({ incidentKeys: [postmortem.incidentKey] }),
  );
}

export function getPostmortem(this: Self, incidentKey: string): Promise<Postmortem | null> {
  return run(
    'read',
    () => this.models.postmortems.findOne({ incidentKey }, NO_ID).lean().exec() as Promise<Postmortem>,
  );
}

export async function deleteIncidents(this: Self, keys: string[]): Promise<DeletedIncidents> {
  if (keys.length === 0) return { deleted: 0, detachedActionItems: [] };
  const { deleted, detachedActionItems } = await versioned(
    this,
    'delete',
    async () => {
      const { deletedCount } = await this.models.incidents.deleteMany({ key: { $in: keys } });
      const postmortems = await this.models.postmortems.deleteMany({ incidentKey: { $in: keys } });
      const detached = (await this.models.actionItems
        .find({ incidentKey: { $in: keys } }, { key: 1, _id: 0 })
        .lean()
        .exec()) as Array<{ key: string }>;
      if (detached.length > 0) {
        await this.models.actionItems.updateMany(
          { key: { $in: detached.map((item) => item.key) }, incidentKey: { $in: keys } },
          { $set: { incidentKey: null } },
        );
      }
      return {
        deleted: deletedCount,
        removed: deletedCount + postmortems.deletedCount + detached.length,
        detachedActionItems: detached.map((item) => item.key).sort(),
      };
    },
    (result) => result.removed > 0,
    // Detached action items are re-read too (their incidentKey is now null).
    (result) => ({ incidentKeys: keys, actionItemKeys: result.detachedActionItems }),
  );
  return { deleted, detachedActionItems };
}

export async function deleteActionItems(this: Self, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  return versioned(
    this,
    'delete',
    async () => (await this.models.actionItems.deleteMany({ key: { $in: keys } })).deletedCount,
    (deleted) => deleted > 0,
    () => ({ actionItemKeys: keys }),
  );
}
