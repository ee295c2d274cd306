/**
 * The embedded store: NeDB datafiles under DATA_DIR. The default for a first run, demos
 * and tests. NeDB keeps each collection in memory and appends every write to its file,
 * so a write whose promise resolved survives a crash of this process.
 *
 * NeDB files must have exactly one writer, so the store takes DATA_DIR for itself with a
 * lock file; a second process gets a clear error instead of silently corrupting data.
 * Several processes (replicas, a CLI beside the server) need MongoDB.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import NedbModule from '@seald-io/nedb';
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
import { ConflictError, NotFoundError, StoreUnavailableError } from '../../errors.js';
import {
  ACTION_ITEM_SORT,
  INCIDENT_SORT,
  actionItemFilter,
  incidentFilter,
  leaseTakeableFilter,
  normalizeIncident,
  positiveLimit,
  unchanged,
} from '../shared.js';
import { ChangeLog } from '../changeLog.js';
import type { ActionItemQuery, IncidentQuery, Page, Store, StoreChanges, StoreCounts, StoreRecords } from '../Store.js';

type Doc = Record<string, unknown>;
// NeDB is CommonJS (`module.exports = Datastore`); its typings describe an ES default export.
type Datastore<T = Doc> = InstanceType<typeof NedbModule.default<T>>;
const Datastore = NedbModule as unknown as typeof NedbModule.default;
const NO_ID = { _id: 0 };

interface Collections {
  incidents: Datastore<Incident>;
  actionItems: Datastore<ActionItem>;
  postmortems: Datastore<Postmortem>;
  syncStates: Datastore<SyncState>;
  syncRuns: Datastore<SyncRun & { seq: number }>;
  leases: Datastore<Lease>;
  digests: Datastore<DigestRecord>;
  ticketRequests: Datastore<TicketRequest>;
  meta: Datastore<{ name: string; value: number }>;
}

const UNIQUE_KEYS: Record<keyof Collections, string> = {
  incidents: 'key',
  actionItems: 'key',
  postmortems: 'incidentKey',
  syncStates: 'name',
  syncRuns: 'seq',
  leases: 'name',
  digests: 'week',
  ticketRequests: 'idempotencyKey',
  meta: 'name',
};

function isUniqueViolation(err: unknown): boolean {
  return (err as { errorType?: string } | null)?.errorType === 'uniqueViolated';
}

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  private version = 0;
  private readonly totals: StoreCounts = { incidents: 0, actionItems: 0 };
  private runSeq = 0;
  private closed = false;
  /** The keys each data version wrote since this process opened the store. */
  private changeLog = new ChangeLog(0);

  private constructor(
    private readonly db: Collections,
    private readonly lockFile: string,
  ) {}

  static async create(dataDir: string): Promise<EmbeddedStore> {
    mkdirSync(dataDir, { recursive: true });
    const lockFile = join(dataDir, '.lock');
    takeDirectoryLock(lockFile, dataDir);
    try {
      const db = {} as Record<keyof Collections, Datastore>;
      for (const name of Object.keys(UNIQUE_KEYS) as Array<keyof Collections>) {
        const store = new Datastore({ filename: join(dataDir, `${name}.db`) });
        await store.loadDatabaseAsync();
        await store.ensureIndexAsync({ fieldName: UNIQUE_KEYS[name], unique: true });
        db[name] = store;
      }
      await db.incidents.ensureIndexAsync({ fieldName: 'placeAt' });
      await db.actionItems.ensureIndexAsync({ fieldName: 'incidentKey' });
      const store = new EmbeddedStore(db as unknown as Collections, lockFile);
      store.totals.incidents = await db.incidents.countAsync({});
      store.totals.actionItems = await db.actionItems.countAsync({});
      const version = await db.meta.findOneAsync({ name: 'dataVersion' });
      store.version = (version?.value as number | undefined) ?? 0;
      store.changeLog = new ChangeLog(store.version);
      const lastRun = await db.syncRuns.findAsync({}).sort({ seq: -1 }).limit(1);
      store.runSeq = (lastRun[0]?.seq as number | undefined) ?? 0;
      return store;
    } catch (err) {
      rmSync(lockFile, { force: true });
      throw err;
    }
  }

  private async bumpVersion(change: { incidentKeys?: string[]; actionItemKeys?: string[] }): Promise<void> {
    this.version += 1;
    this.changeLog.record(this.version, change);
    await this.db.meta.updateAsync({ name: 'dataVersion' }, { name: 'dataVersion', value: this.version }, { upsert: true });
  }

  private async upsertByKey<T extends { key: string }>(collection: Datastore<T>, docs: T[], total: keyof StoreCounts): Promise<UpsertCounts> {
    const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
    const written: string[] = [];
    const toInsert: T[] = [];
    const seen = new Map<string, T>();
    for (const doc of docs) seen.set(doc.key, doc); // the last copy of a key in one batch wins
    // One indexed lookup per slice of the batch instead of one per document (NeDB checks
    // each candidate against the whole $in list, so slices stay small).
    const byKey = new Map<string, T>();
    const keys = [...seen.keys()];
    for (let i = 0; i < keys.length; i += 200) {
      const stored = (await collection.findAsync({ key: { $in: keys.slice(i, i + 200) } }, NO_ID)) as T[];
      for (const doc of stored) byKey.set(doc.key, doc);
    }
    for (const doc of seen.values()) {
      const existing = byKey.get(doc.key) ?? null;
      if (existing === null) {
        toInsert.push(doc);
        counts.inserted += 1;
        written.push(doc.key);
      } else if (unchanged(existing, doc)) {
        counts.unchanged += 1;
      } else {
        await collection.updateAsync({ key: doc.key }, doc, {});
        counts.updated += 1;
        written.push(doc.key);
      }
    }
    if (toInsert.length > 0) {
      await collection.insertAsync(toInsert);
      this.totals[total] += toInsert.length;
    }
    if (written.length > 0) await this.bumpVersion(total === 'incidents' ? { incidentKeys: written } : { actionItemKeys: written });
    return counts;
  }

  upsertIncidents(incidents: Incident[]): Promise<UpsertCounts> {
    return this.upsertByKey(this.db.incidents, incidents.map(normalizeIncident), 'incidents');
  }

  upsertActionItems(items: ActionItem[]): Promise<UpsertCounts> {
    return this.upsertByKey(this.db.actionItems, items, 'actionItems');
  }

  async getIncident(key: string): Promise<Incident | null> {
    return (await this.db.incidents.findOneAsync({ key }, NO_ID)) as Incident | null;
  }

  async findIncidents(query: IncidentQuery, page?: Page): Promise<Incident[]> {
    let cursor = this.db.incidents.findAsync(incidentFilter(query, page), NO_ID).sort(INCIDENT_SORT);
    const limit = positiveLimit(page);
    if (limit !== undefined) cursor = cursor.limit(limit);
    return (await cursor) as Incident[];
  }

  async getActionItem(key: string): Promise<ActionItem | null> {
    return (await this.db.actionItems.findOneAsync({ key }, NO_ID)) as ActionItem | null;
  }

  async findActionItems(query: ActionItemQuery, page?: Page): Promise<ActionItem[]> {
    let cursor = this.db.actionItems.findAsync(actionItemFilter(query, page), NO_ID).sort(ACTION_ITEM_SORT);
    const limit = positiveLimit(page);
    if (limit !== undefined) cursor = cursor.limit(limit);
    return (await cursor) as ActionItem[];
  }

  async counts(): Promise<StoreCounts> {
    // NeDB's count scans every document; as the only writer, the store keeps the totals itself.
    return { ...this.totals };
  }

  async dataVersion(): Promise<number> {
    return this.version;
  }

  async changesSince(version: number): Promise<StoreChanges | null> {
    return this.changeLog.since(version, this.version);
  }

  /** NeDB's own in-memory documents (with their _id), neither copied nor sorted. */
  async allRecords(): Promise<StoreRecords> {
    return { incidents: this.db.incidents.getAllData(), actionItems: this.db.actionItems.getAllData() };
  }

  async savePostmortem(postmortem: Postmortem): Promise<void> {
    const existing = (await this.db.postmortems.findOneAsync({ incidentKey: postmortem.incidentKey }, NO_ID)) as Postmortem | null;
    if (unchanged(existing, postmortem)) return;
    await this.db.postmortems.updateAsync({ incidentKey: postmortem.incidentKey }, postmortem, { upsert: true });
    await this.bumpVersion({ incidentKeys: [postmortem.incidentKey] });
  }

  async getPostmortem(incidentKey: string): Promise<Postmortem | null> {
    return (await this.db.postmortems.findOneAsync({ incidentKey }, NO_ID)) as Postmortem | null;
  }

  async getSyncState(name: string): Promise<SyncState | null> {
    return (await this.db.syncStates.findOneAsync({ name }, NO_ID)) as SyncState | null;
  }

  async compareAndSetSyncState(name: string, expectedVersion: number | null, watermark: string | null, now: Date): Promise<SyncState | null> {
    const next: SyncState = { name, watermark, version: (expectedVersion ?? 0) + 1, updatedAt: now.toISOString() };
    if (expectedVersion === null) {
      try {
        await this.db.syncStates.insertAsync(next);
        return next;
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    }
    // NeDB runs each operation to completion before the next, so this conditional update is atomic.
    const { numAffected } = await this.db.syncStates.updateAsync({ name, version: expectedVersion }, next, {});
    return numAffected === 1 ? next : null;
  }

  async recordSyncRun(run: SyncRun): Promise<void> {
    this.runSeq += 1;
    await this.db.syncRuns.insertAsync({ ...run, seq: this.runSeq });
    // Keep a bounded history: the newest 200 runs.
    await this.db.syncRuns.removeAsync({ seq: { $lte: this.runSeq - 200 } }, { multi: true });
  }

  async lastSyncRun(): Promise<SyncRun | null> {
    const [last] = await this.db.syncRuns.findAsync({}, { _id: 0, seq: 0 }).sort({ seq: -1 }).limit(1);
    return (last as SyncRun | undefined) ?? null;
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const lease: Lease = { name, holder, expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
    const { numAffected } = await this.db.leases.updateAsync(leaseTakeableFilter(name, holder, now), lease, {});
    if (numAffected === 1) return true;
    try {
      await this.db.leases.insertAsync(lease);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.leases.removeAsync({ name, holder }, {});
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
      await this.db.digests.insertAsync(record);
      return record;
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  async updateDigest(week: string, patch: Partial<Omit<DigestRecord, 'week'>>): Promise<DigestRecord> {
    return this.patchOne(this.db.digests, { week }, patch, `digest week ${week}`);
  }

  async getDigest(week: string): Promise<DigestRecord | null> {
    return (await this.db.digests.findOneAsync({ week }, NO_ID)) as DigestRecord | null;
  }

  async listDigests(limit: number): Promise<DigestRecord[]> {
    return (await this.db.digests.findAsync({}, NO_ID).sort({ week: -1 }).limit(limit)) as DigestRecord[];
  }

  async createTicketRequest(request: TicketRequest): Promise<TicketRequest | null> {
    try {
      await this.db.ticketRequests.insertAsync(request);
      return request;
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  async updateTicketRequest(idempotencyKey: string, patch: Partial<Omit<TicketRequest, 'idempotencyKey'>>): Promise<TicketRequest> {
    return this.patchOne(this.db.ticketRequests, { idempotencyKey }, patch, `ticket request ${idempotencyKey}`);
  }

  async getTicketRequest(idempotencyKey: string): Promise<TicketRequest | null> {
    return (await this.db.ticketRequests.findOneAsync({ idempotencyKey }, NO_ID)) as TicketRequest | null;
  }

  private async patchOne<T extends object>(collection: Datastore<T>, filter: Doc, patch: Doc, what: string): Promise<T> {
    const { affectedDocuments } = await collection.updateAsync(filter, { $set: stripKeys(patch, filter) }, { returnUpdatedDocs: true });
    if (affectedDocuments == null) throw new NotFoundError(`${what} does not exist`);
    const { _id: _ignored, ...doc } = affectedDocuments as Doc;
    return doc as unknown as T;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const store of Object.values(this.db) as Datastore[]) {
      await store.compactDatafileAsync();
    }
    rmSync(this.lockFile, { force: true });
  }
}

/** Keys that identify a record cannot be patched. */
function stripKeys(patch: Doc, filter: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k in filter) throw new ConflictError(`${k} identifies the record and cannot be changed`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function takeDirectoryLock(lockFile: string, dataDir: string): void {
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number(readFileSync(lockFile, 'utf8').trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
    throw new StoreUnavailableError(
      `DATA_DIR ${dataDir} is in use by process ${holder}; stop that process first, point DATA_DIR at another folder, or set MONGODB_URI so several processes can share one store.`,
    );
  }
  if (holder === process.pid) {
    throw new StoreUnavailableError(`DATA_DIR ${dataDir} is already open in this process; close the other store first.`);
  }
  // The holder is gone (it crashed or was killed): take the lock over.
  writeFileSync(lockFile, String(process.pid));
}
