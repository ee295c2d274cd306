/**
 * The production store: MongoDB through mongoose (replica sets, Atlas, Cosmos DB for
 * MongoDB). A thin, mechanical adapter: filters come from ../shared.ts, operations from
 * ./operations.ts, and driver errors are translated before they leave this file.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type {
  ActionItem,
  DigestRecord,
  Incident,
  Lease,
  Postmortem,
  SyncRun,
  SyncState,
  TicketRequest,
  UpsertCounts,
} from '../../domain/types.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import {
  ACTION_ITEM_SORT,
  INCIDENT_SORT,
  SYNC_RUN_HISTORY,
  actionItemFilter,
  canonical,
  deliveryClaim,
  deliveryClaimableFilter,
  deliveryFinish,
  newDelivery,
  expectedFilter,
  identityPreservingPatch,
  incidentFilter,
  normalizeIncident,
  positiveLimit,
} from '../shared.js';
import type {
  ActionItemQuery,
  DeletedIncidents,
  IncidentQuery,
  Page,
  Store,
  StoreChanges,
  StoreCounts,
  StoreRecords,
  WebhookDelivery,
} from '../Store.js';
import { changesFromRecords } from './changes.js';
import { checkBatch, refusedBatchError, type DocumentKind } from '../validation.js';
import { buildModels, type Models } from './models.js';
import {
  BULK_UPSERT_OPTIONS,
  FIND_AND_UPDATE_OPTIONS,
  bulkUpsertOperations,
  indexBuildError,
  isDuplicateKey,
  leaseUpsert,
  syncStateUpdate,
  translateMongoError,
  upsertCountsFromResult,
} from './operations.js';

const NO_ID = { _id: 0 };
const SYNC_RUN_ORDER = { finishedAt: -1, _id: -1 } as const;
const VERSION_ID = 'dataVersion';
/** The keys a write touched, for the change feed. */
type ChangedKeys = { incidentKeys?: string[]; actionItemKeys?: string[] };

/** A write mark older than this (by the server's clock) belongs to a writer that died. */
export const STALE_WRITE_MS = 60_000;
const ZERO: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };

let uncacheable = 0;
/** A version no caller has seen before or will see again: nothing gets cached under it. */
function uncacheableVersion(): number {
  uncacheable = (uncacheable + 1) % 1000;
  return -(Date.now() * 1000 + uncacheable);
}

export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;

  private constructor(
    private readonly connection: Connection,
    private readonly models: Models,
  ) {}

  static async create(uri: string, options: { serverSelectionTimeoutMS?: number } = {}): Promise<MongoStore> {
    let connection: Connection;
    try {
      connection = await mongoose
        .createConnection(uri, {
          serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
          autoIndex: false,
        })
        .asPromise();
    } catch (err) {
      throw translateMongoError(err, 'connection');
    }
    try {
      return await MongoStore.open(connection);
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  /** The store on a connection (open, or about to be): builds the models and their indexes. */
  static async open(connection: Connection): Promise<MongoStore> {
    const models = buildModels(connection);
    for (const model of Object.values(models)) {
      try {
        await model.createIndexes();
      } catch (err) {
        throw indexBuildError(model.collection.collectionName, err);
      }
    }
    return new MongoStore(connection, models);
  }

  private async run<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw translateMongoError(err, what);
    }
  }

  /**
   * A write that moves the data version. MongoDB without a replica set has no transaction
   * spanning two collections, so the version cannot move in the same operation as the data.
   * Instead a mark goes in first (server time), the write runs, and one update then bumps
   * the version and removes the mark. While a mark is there, dataVersion() answers a version
   * nobody can cache under, and a mark older than STALE_WRITE_MS (its writer died between
   * the write and the bump) is folded into a bump by the next reader. So the version can
   * never stay behind the data: not after a crash, a network error or a partial bulk write.
   */
  private async versioned<T>(
    what: string,
    write: () => Promise<T>,
    changed: (result: T) => boolean,
    keys: (result: T) => ChangedKeys,
  ): Promise<T> {
    const mark = `pending.${randomUUID()}`;
    await this.run(what, () =>
      this.models.meta.updateOne(
        { _id: VERSION_ID },
        { $currentDate: { [mark]: true } },
        { upsert: true, runValidators: true },
      ),
    );
    let result: T;
    try {
      result = await write();
    } catch (err) {
      // It may have been written in part: move the version anyway (if this fails too, the mark stays).
      // Which keys it reached is unknown: no change record, so readers of the feed reload.
      await this.finishWrite(mark, true, null).catch(() => undefined);
      throw translateMongoError(err, what);
    }
    await this.run(what, () => this.finishWrite(mark, changed(result), keys(result)));
    return result;
  }

  /**
   * Removes the write's mark and, when it wrote, bumps the version and records the keys it
   * touched in the change feed (./changes.ts). A bump whose record is missing (a crash
   * between the two, or a dead writer's mark folded in by a reader) is a gap in the feed,
   * and a reader of a gap reloads everything: the feed can be incomplete, never wrong.
   */
  private async finishWrite(mark: string, bump: boolean, keys: ChangedKeys | null): Promise<void> {
    if (!bump) {
      await this.models.meta.updateOne({ _id: VERSION_ID }, { $unset: { [mark]: '' } });
      return;
    }
    const bumped = (await this.models.meta
      .findOneAndUpdate(
        { _id: VERSION_ID },
        { $inc: { value: 1 }, $unset: { [mark]: '' } },
        { returnDocument: 'after' },
      )
      .lean()
      .exec()) as { value: number } | null;
    if (bumped && keys)
      await this.models.changes.create({
        version: bumped.value,
        incidentKeys: keys.incidentKeys ?? [],
        actionItemKeys: keys.actionItemKeys ?? [],
        at: new Date(),
      });
  }

  changesSince(version: number): Promise<StoreChanges | null> {
    return this.run('read', async () => {
      const current = await this.dataVersion();
      if (!Number.isInteger(version) || current < 0 || version > current) return null;
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

  private async upsert(
    model: Models['incidents'],
    kind: DocumentKind,
    docs: Array<{ key: string }>,
  ): Promise<UpsertCounts> {
    const field = kind === 'incident' ? 'incidentKeys' : 'actionItemKeys';
    if (docs.length === 0) return { ...ZERO };
    const { valid, refused } = checkBatch(kind, docs);
    let counts = { ...ZERO };
    if (valid.length > 0) {
      counts = await this.versioned(
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

  upsertIncidents(incidents: Incident[]): Promise<UpsertCounts> {
    return this.upsert(this.models.incidents, 'incident', incidents.map(normalizeIncident));
  }

  upsertActionItems(items: ActionItem[]): Promise<UpsertCounts> {
    return this.upsert(this.models.actionItems, 'action item', items);
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
      type Meta = { value?: number; pending?: Record<string, Date> };
      const doc = (await this.models.meta.findById(VERSION_ID).lean().exec()) as Meta | null;
      const marks = Object.entries(doc?.pending ?? {});
      if (marks.length === 0) return doc?.value ?? 0;
      // A write is under way, or its writer died before the bump: judge by the server's clock.
      const [clock] = (await this.models.meta
        .aggregate([{ $match: { _id: VERSION_ID } }, { $project: { _id: 0, now: '$$NOW' } }])
        .exec()) as Array<{ now: Date }>;
      const now = clock?.now.getTime() ?? Date.now();
      const stale = marks
        .filter(([, at]) => now - new Date(at).getTime() > STALE_WRITE_MS)
        .map(([token]) => `pending.${token}`);
      if (stale.length === marks.length) {
        const folded = (await this.models.meta
          .findOneAndUpdate(
            { _id: VERSION_ID, $or: stale.map((m) => ({ [m]: { $exists: true } })) },
            { $inc: { value: 1 }, $unset: Object.fromEntries(stale.map((m) => [m, ''])) },
            { returnDocument: 'after' },
          )
          .lean()
          .exec()) as Meta | null;
        const after = folded ?? ((await this.models.meta.findById(VERSION_ID).lean().exec()) as Meta | null);
        if (Object.keys(after?.pending ?? {}).length === 0) return after?.value ?? 0;
      }
      return uncacheableVersion();
    });
  }

  savePostmortem(postmortem: Postmortem): Promise<void> {
    return this.versioned(
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
    ).then(() => undefined);
  }

  getPostmortem(incidentKey: string): Promise<Postmortem | null> {
    return this.run(
      'read',
      () => this.models.postmortems.findOne({ incidentKey }, NO_ID).lean().exec() as Promise<Postmortem>,
    );
  }

  getSyncState(name: string): Promise<SyncState | null> {
    return this.run('read', () => this.models.syncStates.findOne({ name }, NO_ID).lean().exec() as Promise<SyncState>);
  }

  async compareAndSetSyncState(
    name: string,
    expectedVersion: number | null,
    watermark: string | null,
    now: Date,
  ): Promise<SyncState | null> {
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
    return this.run(
      'sync state',
      () =>
        this.models.syncStates
          .findOneAndUpdate(filter, update, FIND_AND_UPDATE_OPTIONS)
          .lean()
          .exec() as Promise<SyncState>,
    );
  }

  recordSyncRun(run: SyncRun): Promise<void> {
    return this.run('sync run', async () => {
      await this.models.syncRuns.create(run);
      // Keep the newest SYNC_RUN_HISTORY runs, newest by finish time, then by recording order.
      const [oldestKept] = (await this.models.syncRuns
        .find({}, { finishedAt: 1 })
        .sort(SYNC_RUN_ORDER)
        .skip(SYNC_RUN_HISTORY - 1)
        .limit(1)
        .lean()
        .exec()) as Array<{ _id: unknown; finishedAt: string }>;
      if (oldestKept !== undefined) {
        await this.models.syncRuns.deleteMany({
          $or: [
            { finishedAt: { $lt: oldestKept.finishedAt } },
            { finishedAt: oldestKept.finishedAt, _id: { $lt: oldestKept._id } },
          ],
        });
      }
    });
  }

  lastSyncRun(): Promise<SyncRun | null> {
    return this.run(
      'read',
      () => this.models.syncRuns.findOne({}, NO_ID).sort(SYNC_RUN_ORDER).lean().exec() as Promise<SyncRun>,
    );
  }

  /** `now` is not used: the lease is judged by the MongoDB server's clock (see leaseUpsert). */
  async acquireLease(name: string, holder: string, ttlMs: number, _now: Date): Promise<boolean> {
    const { filter, update, options } = leaseUpsert(name, holder, ttlMs);
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

  getLease(name: string): Promise<Lease | null> {
    return this.run('read', async () => {
      const doc = await this.models.leases.findOne({ name }, NO_ID).lean().exec();
      if (!doc) return null;
      // expiresAt is a BSON date here (for the TTL index); the interface speaks ISO strings.
      const expiresAt = doc.expiresAt as unknown;
      return {
        name: doc.name,
        holder: doc.holder,
        expiresAt: expiresAt instanceof Date ? expiresAt.toISOString() : String(expiresAt),
      };
    });
  }

  async claimDigest(week: string, holder: string, now: Date, manual: boolean): Promise<DigestRecord | null> {
    const record: DigestRecord = {
      week,
      state: 'claimed',
      holder,
      claimedAt: now.toISOString(),
      postedAt: null,
      attempts: 0,
      lastError: null,
      manual,
    };
    try {
      await this.models.digests.create(record);
      return record;
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw translateMongoError(err, `digest week ${week}`);
    }
  }

  updateDigest(
    week: string,
    patch: Partial<Omit<DigestRecord, 'week'>>,
    expected?: Partial<DigestRecord>,
  ): Promise<DigestRecord> {
    return this.patchOne(this.models.digests, { week }, patch, `digest week ${week}`, expected);
  }

  getDigest(week: string): Promise<DigestRecord | null> {
    return this.run('read', () => this.models.digests.findOne({ week }, NO_ID).lean().exec() as Promise<DigestRecord>);
  }

  listDigests(limit: number): Promise<DigestRecord[]> {
    return this.run(
      'read',
      () =>
        this.models.digests.find({}, NO_ID).sort({ week: -1 }).limit(limit).lean().exec() as Promise<DigestRecord[]>,
    );
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

  updateTicketRequest(
    idempotencyKey: string,
    patch: Partial<Omit<TicketRequest, 'idempotencyKey'>>,
  ): Promise<TicketRequest> {
    return this.patchOne(this.models.ticketRequests, { idempotencyKey }, patch, `ticket request ${idempotencyKey}`);
  }

  getTicketRequest(idempotencyKey: string): Promise<TicketRequest | null> {
    return this.run(
      'read',
      () => this.models.ticketRequests.findOne({ idempotencyKey }, NO_ID).lean().exec() as Promise<TicketRequest>,
    );
  }

  deleteIncidents(keys: string[]): Promise<DeletedIncidents> {
    if (keys.length === 0) return Promise.resolve({ deleted: 0, detachedActionItems: [] });
    return this.versioned(
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
    ).then(({ deleted, detachedActionItems }) => ({ deleted, detachedActionItems }));
  }

  deleteActionItems(keys: string[]): Promise<number> {
    if (keys.length === 0) return Promise.resolve(0);
    return this.versioned(
      'delete',
      async () => (await this.models.actionItems.deleteMany({ key: { $in: keys } })).deletedCount,
      (deleted) => deleted > 0,
      () => ({ actionItemKeys: keys }),
    );
  }

  async enqueueWebhookDelivery(
    delivery: Pick<WebhookDelivery, 'id' | 'event' | 'issues' | 'receivedAt'>,
  ): Promise<boolean> {
    try {
      await this.models.webhookDeliveries.create(newDelivery(delivery));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw translateMongoError(err, 'webhook delivery');
    }
  }

  claimWebhookDeliveries(holder: string, limit: number, now: Date, leaseMs: number): Promise<WebhookDelivery[]> {
    return this.run('webhook delivery', async () => {
      const candidates = (await this.models.webhookDeliveries
        .find(deliveryClaimableFilter(now), NO_ID)
        .sort({ receivedAt: 1, id: 1 })
        .limit(limit)
        .lean()
        .exec()) as WebhookDelivery[];
      const claimed: WebhookDelivery[] = [];
      for (const seen of candidates) {
        const { filter, update } = deliveryClaim(seen, holder, now, leaseMs);
        const doc = (await this.models.webhookDeliveries
          .findOneAndUpdate(filter, update, { returnDocument: 'after', projection: NO_ID })
          .lean()
          .exec()) as WebhookDelivery | null;
        if (doc !== null) claimed.push(doc);
      }
      return claimed;
    });
  }

  finishWebhookDeliveries(ids: string[], holder: string, error: string | null): Promise<void> {
    return this.run('webhook delivery', async () => {
      const { filter, update } = deliveryFinish(ids, holder, error);
      await this.models.webhookDeliveries.updateMany(filter, update);
    });
  }

  pruneWebhookDeliveries(before: Date): Promise<number> {
    return this.run('webhook delivery', async () => {
      const { deletedCount } = await this.models.webhookDeliveries.deleteMany({
        state: 'done',
        receivedAt: { $lt: before.toISOString() },
      });
      return deletedCount;
    });
  }

  private async patchOne<T>(
    model: Models['digests'],
    filter: Record<string, unknown>,
    patch: Record<string, unknown>,
    what: string,
    expected?: Record<string, unknown>,
  ): Promise<T> {
    const update = { $set: identityPreservingPatch(patch, filter) };
    const doc = await this.run(
      what,
      () =>
        model
          .findOneAndUpdate(expectedFilter(filter, expected), update, FIND_AND_UPDATE_OPTIONS)
          .lean()
          .exec() as Promise<T>,
    );
    if (doc !== null) return doc;
    if (expected !== undefined && (await this.run('read', () => model.exists(filter).exec())) !== null) {
      throw new ConflictError(`${what} changed meanwhile; read it again`);
    }
    throw new NotFoundError(`${what} does not exist`);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
