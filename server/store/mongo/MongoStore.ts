/**
 * The production store: MongoDB through mongoose (replica sets, Atlas, Cosmos DB for
 * MongoDB). A thin, mechanical adapter: filters come from ../shared.ts, operations from
 * ./operations.ts, and driver errors are translated before they leave this file.
 */
import mongoose, { type Connection } from 'mongoose';
import type {
  ActionItem,
  DigestRecord,
  Incident,
  Postmortem,
  SyncRun,
  SyncState,
  TicketRequest,
  UpsertCounts,
} from '../../domain/types.js';
import { NotFoundError } from '../../errors.js';
import { ACTION_ITEM_SORT, INCIDENT_SORT, actionItemFilter, incidentFilter, normalizeIncident, positiveLimit } from '../shared.js';
import type { ActionItemQuery, IncidentQuery, Page, Store, StoreChanges, StoreCounts, StoreRecords } from '../Store.js';
import { changesFromRecords } from './changes.js';
import { buildModels, type Models } from './models.js';
import {
  bulkUpsertOperations,
  isDuplicateKey,
  leaseUpsert,
  syncStateUpdate,
  translateMongoError,
  upsertCountsFromResult,
} from './operations.js';

const NO_ID = { _id: 0 };
const VERSION_ID = 'dataVersion';

export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;

  private constructor(
    private readonly connection: Connection,
    private readonly models: Models,
  ) {}

  static async create(uri: string, options: { serverSelectionTimeoutMS?: number } = {}): Promise<MongoStore> {
    try {
      const connection = await mongoose
        .createConnection(uri, { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000 })
        .asPromise();
      const models = buildModels(connection);
      await Promise.all(Object.values(models).map((m) => m.createIndexes()));
      return new MongoStore(connection, models);
    } catch (err) {
      throw translateMongoError(err, 'connection');
    }
  }

  private async run<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw translateMongoError(err, what);
    }
  }

  private async bumpVersion(change: { incidentKeys?: string[]; actionItemKeys?: string[] }): Promise<void> {
    const bumped = (await this.models.meta
      .findOneAndUpdate({ _id: VERSION_ID }, { $inc: { value: 1 } }, { upsert: true, new: true })
      .lean()
      .exec()) as { value: number } | null;
    if (bumped) await this.recordChange(bumped.value, change);
  }

  /** The change-feed record of one data version (./changes.ts). */
  private async recordChange(version: number, change: { incidentKeys?: string[]; actionItemKeys?: string[] }): Promise<void> {
    await this.models.changes.create({ version, incidentKeys: change.incidentKeys ?? [], actionItemKeys: change.actionItemKeys ?? [], at: new Date() });
  }

  changesSince(version: number): Promise<StoreChanges | null> {
    return this.run('read', async () => {
      const current = await this.dataVersion();
      if (!Number.isInteger(version) || version > current) return null;
      if (version === current) return { version, incidentKeys: [], actionItemKeys: [] };
      const records = (await this.models.changes
        .find({ version: { $gt: version, $lte: current } }, NO_ID)
        .lean()
        .exec()) as Array<{ version: number; incidentKeys: string[]; actionItemKeys: string[] }>;
      return changesFromRecords(version, current, records);
    });
  }

  allRecords(): Promise<StoreRecords> {
    return this.run('read', async () => ({
      incidents: (await this.models.incidents.find({}, NO_ID).lean().exec()) as Incident[],
      actionItems: (await this.models.actionItems.find({}, NO_ID).lean().exec()) as ActionItem[],
    }));
  }

  private async upsert(model: Models['incidents'], docs: Array<{ key: string }>, kind: 'incidentKeys' | 'actionItemKeys'): Promise<UpsertCounts> {
    if (docs.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    return this.run('upsert', async () => {
      const result = await model.bulkWrite(bulkUpsertOperations(docs), { ordered: false });
      const counts = upsertCountsFromResult(result);
      // The batch's keys: a superset of those written (a reader re-reads the unchanged ones for nothing).
      if (counts.inserted + counts.updated > 0) await this.bumpVersion({ [kind]: [...new Set(docs.map((doc) => doc.key))] });
      return counts;
    });
  }

  upsertIncidents(incidents: Incident[]): Promise<UpsertCounts> {
    return this.upsert(this.models.incidents, incidents.map(normalizeIncident), 'incidentKeys');
  }

  upsertActionItems(items: ActionItem[]): Promise<UpsertCounts> {
    return this.upsert(this.models.actionItems, items, 'actionItemKeys');
  }

  getIncident(key: string): Promise<Incident | null> {
    return this.run('read', () => this.models.incidents.findOne({ key }, NO_ID).lean().exec() as Promise<Incident>);
  }

  findIncidents(query: IncidentQuery, page?: Page): Promise<Incident[]> {
    const limit = positiveLimit(page);
    return this.run('read', () => {
      const q = this.models.incidents.find(incidentFilter(query, page), NO_ID).sort(INCIDENT_SORT);
      if (limit !== undefined) q.limit(limit);
      return q.lean().exec() as Promise<Incident[]>;
    });
  }

  getActionItem(key: string): Promise<ActionItem | null> {
    return this.run('read', () => this.models.actionItems.findOne({ key }, NO_ID).lean().exec() as Promise<ActionItem>);
  }

  findActionItems(query: ActionItemQuery, page?: Page): Promise<ActionItem[]> {
    const limit = positiveLimit(page);
    return this.run('read', () => {
      const q = this.models.actionItems.find(actionItemFilter(query, page), NO_ID).sort(ACTION_ITEM_SORT);
      if (limit !== undefined) q.limit(limit);
      return q.lean().exec() as Promise<ActionItem[]>;
    });
  }

  counts(): Promise<StoreCounts> {
    return this.run('count', async () => ({
      // From collection metadata: constant time, exact outside of unclean shutdowns.
      incidents: await this.models.incidents.estimatedDocumentCount(),
      actionItems: await this.models.actionItems.estimatedDocumentCount(),
    }));
  }

  dataVersion(): Promise<number> {
    return this.run('read', async () => {
      const doc = (await this.models.meta.findById(VERSION_ID).lean().exec()) as { value: number } | null;
      return doc?.value ?? 0;
    });
  }

  savePostmortem(postmortem: Postmortem): Promise<void> {
    return this.run('post-mortem', async () => {
      const result = await this.models.postmortems.replaceOne({ incidentKey: postmortem.incidentKey }, postmortem, { upsert: true });
      if (result.upsertedCount + result.modifiedCount > 0) await this.bumpVersion({ incidentKeys: [postmortem.incidentKey] });
    });
  }

  getPostmortem(incidentKey: string): Promise<Postmortem | null> {
    return this.run('read', () => this.models.postmortems.findOne({ incidentKey }, NO_ID).lean().exec() as Promise<Postmortem>);
  }

  getSyncState(name: string): Promise<SyncState | null> {
    return this.run('read', () => this.models.syncStates.findOne({ name }, NO_ID).lean().exec() as Promise<SyncState>);
  }

  async compareAndSetSyncState(name: string, expectedVersion: number | null, watermark: string | null, now: Date): Promise<SyncState | null> {
    if (expectedVersion === null) {
      const next: SyncState = { name, watermark, version: 1, updatedAt: now.toISOString() };
      try {
        await this.models.syncStates.create(next);
        return next;
      } catch (err) {
        if (isDuplicateKey(err)) return null;
        throw translateMongoError(err, 'sync state');
      }
    }
    const { filter, update } = syncStateUpdate(name, expectedVersion, watermark, now);
    return this.run('sync state', () =>
      this.models.syncStates.findOneAndUpdate(filter, update, { new: true, projection: NO_ID }).lean().exec() as Promise<SyncState>,
    );
  }

  recordSyncRun(run: SyncRun): Promise<void> {
    return this.run('sync run', async () => {
      await this.models.syncRuns.create(run);
    });
  }

  lastSyncRun(): Promise<SyncRun | null> {
    return this.run('read', () => this.models.syncRuns.findOne({}, NO_ID).sort({ finishedAt: -1 }).lean().exec() as Promise<SyncRun>);
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const { filter, update, options } = leaseUpsert(name, holder, ttlMs, now);
    try {
      await this.models.leases.updateOne(filter, update, options);
      return true;
    } catch (err) {
      // The lease exists and is someone else's: the upsert collides with the unique name.
      if (isDuplicateKey(err)) return false;
      throw translateMongoError(err, 'lease');
    }
  }

  releaseLease(name: string, holder: string): Promise<void> {
    return this.run('lease', async () => {
      await this.models.leases.deleteOne({ name, holder });
    });
  }

  async claimDigest(week: string, holder: string, now: Date, manual: boolean): Promise<DigestRecord | null> {
    const record: DigestRecord = { week, state: 'claimed', holder, claimedAt: now.toISOString(), postedAt: null, attempts: 0, lastError: null, manual };
    try {
      await this.models.digests.create(record);
      return record;
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw translateMongoError(err, `digest week ${week}`);
    }
  }

  updateDigest(week: string, patch: Partial<Omit<DigestRecord, 'week'>>): Promise<DigestRecord> {
    return this.patchOne(this.models.digests, { week }, patch, `digest week ${week}`);
  }

  getDigest(week: string): Promise<DigestRecord | null> {
    return this.run('read', () => this.models.digests.findOne({ week }, NO_ID).lean().exec() as Promise<DigestRecord>);
  }

  listDigests(limit: number): Promise<DigestRecord[]> {
    return this.run('read', () => this.models.digests.find({}, NO_ID).sort({ week: -1 }).limit(limit).lean().exec() as Promise<DigestRecord[]>);
  }

  async createTicketRequest(request: TicketRequest): Promise<TicketRequest | null> {
    try {
      await this.models.ticketRequests.create(request);
      return request;
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw translateMongoError(err, `ticket request ${request.idempotencyKey}`);
    }
  }

  updateTicketRequest(idempotencyKey: string, patch: Partial<Omit<TicketRequest, 'idempotencyKey'>>): Promise<TicketRequest> {
    return this.patchOne(this.models.ticketRequests, { idempotencyKey }, patch, `ticket request ${idempotencyKey}`);
  }

  getTicketRequest(idempotencyKey: string): Promise<TicketRequest | null> {
    return this.run('read', () => this.models.ticketRequests.findOne({ idempotencyKey }, NO_ID).lean().exec() as Promise<TicketRequest>);
  }

  private async patchOne<T>(model: Models['digests'], filter: Record<string, unknown>, patch: Record<string, unknown>, what: string): Promise<T> {
    const doc = await this.run(what, () =>
      model.findOneAndUpdate(filter, { $set: patch }, { new: true, projection: NO_ID, runValidators: true }).lean().exec() as Promise<T>,
    );
    if (doc === null) throw new NotFoundError(`${what} does not exist`);
    return doc;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
