/**
 * The embedded store: NeDB datafiles under DATA_DIR. The default for a first run, demos
 * and tests. NeDB keeps each collection in memory and appends every write to its file,
 * so a write whose promise resolved survives a crash of this process.
 *
 * NeDB files must have exactly one writer, so the store takes DATA_DIR for itself with a
 * lock file; a second process gets a clear error instead of silently corrupting data.
 * Several processes (replicas, a CLI beside the server) need MongoDB.
 *
 * After a crash: the lock of a process that is gone is taken over; the leases it held
 * end when the next process opens the store (they could only be its own); and a write
 * the crash cut short (a torn last line) is dropped and logged, keeping every complete
 * record, instead of refusing to open (NeDB refuses when over 10% of a file's lines are
 * unreadable, which one torn line is in a small file).
 */
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
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
  deliveryClaim,
  deliveryClaimableFilter,
  deliveryFinish,
  newDelivery,
  incidentFilter,
  SYNC_RUN_HISTORY,
  canonical,
  canonicalDocument,
  expectedFilter,
  identityPreservingPatch,
  leaseTakeableFilter,
  normalizeIncident,
  positiveLimit,
  unchanged,
} from '../shared.js';
import { checkBatch, checkPatch, refusedBatchError, type DocumentKind } from '../validation.js';
import { ChangeLog } from '../changeLog.js';
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

type Doc = Record<string, unknown>;
// NeDB is CommonJS (`module.exports = Datastore`); its typings describe an ES default export.
type Datastore<T = Doc> = InstanceType<typeof NedbModule.default<T>>;
const Datastore = NedbModule as unknown as typeof NedbModule.default;
const NO_ID = { _id: 0 };
const SYNC_RUN_ORDER = { finishedAt: -1, seq: -1 } as const;

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
  webhookDeliveries: Datastore<WebhookDelivery>;
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
  webhookDeliveries: 'id',
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

  /** `log` is told what was repaired on opening (default: a line on stderr). */
  static async create(dataDir: string, options: { log?: (message: string) => void } = {}): Promise<EmbeddedStore> {
    const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
    mkdirSync(dataDir, { recursive: true });
    const lockFile = join(dataDir, '.lock');
    takeDirectoryLock(lockFile, dataDir);
    try {
      const db = {} as Record<keyof Collections, Datastore>;
      for (const name of Object.keys(UNIQUE_KEYS) as Array<keyof Collections>) {
        const filename = join(dataDir, `${name}.db`);
        const torn = dropTornLastLine(filename);
        if (torn !== null) {
          log(
            `DATA_DIR ${name}.db: its last write was cut short (the process stopped mid-write); dropped that incomplete record ` +
              `(${torn.bytes} bytes: ${JSON.stringify(torn.preview)}) and kept every complete one.`,
          );
        }
        const store = new Datastore({ filename });
        await store.loadDatabaseAsync();
        await store.ensureIndexAsync({ fieldName: UNIQUE_KEYS[name], unique: true });
        db[name] = store;
      }
      await db.incidents.ensureIndexAsync({ fieldName: 'placeAt' });
      await db.actionItems.ensureIndexAsync({ fieldName: 'incidentKey' });
      // Only one process has DATA_DIR at a time, so every stored lease is the previous one's.
      const ended = await db.leases.removeAsync({}, { multi: true });
      if (ended > 0) log(`DATA_DIR: ended ${ended} lease(s) left by the process that had DATA_DIR before; it is gone.`);
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
      releaseDirectoryLock(lockFile);
      throw err;
    }
  }

  private async bumpVersion(change: { incidentKeys?: string[]; actionItemKeys?: string[] }): Promise<void> {
    this.version += 1;
    this.changeLog.record(this.version, change);
    await this.db.meta.updateAsync(
      { name: 'dataVersion' },
      { name: 'dataVersion', value: this.version },
      { upsert: true },
    );
  }

  private async upsertByKey<T extends { key: string }>(
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
    for (const doc of valid) seen.set(doc.key, canonicalDocument(doc)); // the last copy of a key in one batch wins
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
        this.totals[total] += toInsert.length;
      }
    } finally {
      // Whatever was written, in full or in part, moves the version.
      if (touched)
        await this.bumpVersion(total === 'incidents' ? { incidentKeys: written } : { actionItemKeys: written });
    }
    if (refused.length > 0) throw refusedBatchError(kind, refused, valid.length);
    return counts;
  }

  upsertIncidents(incidents: Incident[]): Promise<UpsertCounts> {
    return this.upsertByKey(this.db.incidents, 'incident', incidents.map(normalizeIncident), 'incidents');
  }

  upsertActionItems(items: ActionItem[]): Promise<UpsertCounts> {
    return this.upsertByKey(this.db.actionItems, 'action item', items, 'actionItems');
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

  async savePostmortem(document: Postmortem): Promise<void> {
    const postmortem = canonical(document);
    const existing = (await this.db.postmortems.findOneAsync(
      { incidentKey: postmortem.incidentKey },
      NO_ID,
    )) as Postmortem | null;
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

  async compareAndSetSyncState(
    name: string,
    expectedVersion: number | null,
    watermark: string | null,
    now: Date,
  ): Promise<SyncState | null> {
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
    // Keep the newest SYNC_RUN_HISTORY runs, newest by finish time, then by recording order.
    const [oldestKept] = await this.db.syncRuns
      .findAsync({}, { finishedAt: 1, seq: 1 })
      .sort(SYNC_RUN_ORDER)
      .skip(SYNC_RUN_HISTORY - 1)
      .limit(1);
    if (oldestKept !== undefined) {
      await this.db.syncRuns.removeAsync(
        {
          $or: [
            { finishedAt: { $lt: oldestKept.finishedAt } },
            { finishedAt: oldestKept.finishedAt, seq: { $lt: oldestKept.seq } },
          ],
        },
        { multi: true },
      );
    }
  }

  async lastSyncRun(): Promise<SyncRun | null> {
    const [last] = await this.db.syncRuns.findAsync({}, { _id: 0, seq: 0 }).sort(SYNC_RUN_ORDER).limit(1);
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

  async getLease(name: string): Promise<Lease | null> {
    return (await this.db.leases.findOneAsync({ name }, NO_ID)) as Lease | null;
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

  async updateDigest(
    week: string,
    patch: Partial<Omit<DigestRecord, 'week'>>,
    expected?: Partial<DigestRecord>,
  ): Promise<DigestRecord> {
    await checkPatch('digest', patch);
    return this.patchOne(this.db.digests, { week }, patch, `digest week ${week}`, expected);
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

  async updateTicketRequest(
    idempotencyKey: string,
    patch: Partial<Omit<TicketRequest, 'idempotencyKey'>>,
  ): Promise<TicketRequest> {
    await checkPatch('ticket request', patch);
    return this.patchOne(this.db.ticketRequests, { idempotencyKey }, patch, `ticket request ${idempotencyKey}`);
  }

  async getTicketRequest(idempotencyKey: string): Promise<TicketRequest | null> {
    return (await this.db.ticketRequests.findOneAsync({ idempotencyKey }, NO_ID)) as TicketRequest | null;
  }

  async deleteIncidents(keys: string[]): Promise<DeletedIncidents> {
    if (keys.length === 0) return { deleted: 0, detachedActionItems: [] };
    const deleted = await this.db.incidents.removeAsync({ key: { $in: keys } }, { multi: true });
    this.totals.incidents -= deleted;
    const removedPostmortems = await this.db.postmortems.removeAsync({ incidentKey: { $in: keys } }, { multi: true });
    const detached = (await this.db.actionItems.findAsync(
      { incidentKey: { $in: keys } },
      { key: 1, _id: 0 },
    )) as Array<{ key: string }>;
    if (detached.length > 0) {
      await this.db.actionItems.updateAsync(
        { incidentKey: { $in: keys } },
        { $set: { incidentKey: null } },
        { multi: true },
      );
    }
    if (deleted + removedPostmortems + detached.length > 0)
      await this.bumpVersion({ incidentKeys: keys, actionItemKeys: detached.map((item) => item.key) });
    return { deleted, detachedActionItems: detached.map((item) => item.key).sort() };
  }

  async deleteActionItems(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const deleted = await this.db.actionItems.removeAsync({ key: { $in: keys } }, { multi: true });
    this.totals.actionItems -= deleted;
    if (deleted > 0) await this.bumpVersion({ actionItemKeys: keys });
    return deleted;
  }

  async enqueueWebhookDelivery(
    delivery: Pick<WebhookDelivery, 'id' | 'event' | 'issues' | 'receivedAt'>,
  ): Promise<boolean> {
    try {
      await this.db.webhookDeliveries.insertAsync(newDelivery(delivery));
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async claimWebhookDeliveries(holder: string, limit: number, now: Date, leaseMs: number): Promise<WebhookDelivery[]> {
    const candidates = (await this.db.webhookDeliveries
      .findAsync(deliveryClaimableFilter(now), NO_ID)
      .sort({ receivedAt: 1, id: 1 })
      .limit(limit)) as WebhookDelivery[];
    const claimed: WebhookDelivery[] = [];
    for (const seen of candidates) {
      const { filter, update } = deliveryClaim(seen, holder, now, leaseMs);
      const { numAffected, affectedDocuments } = await this.db.webhookDeliveries.updateAsync(filter, update, {
        returnUpdatedDocs: true,
      });
      if (numAffected === 1 && affectedDocuments) {
        const { _id: _ignored, ...doc } = affectedDocuments as unknown as Doc;
        claimed.push(doc as unknown as WebhookDelivery);
      }
    }
    return claimed;
  }

  async finishWebhookDeliveries(ids: string[], holder: string, error: string | null): Promise<void> {
    const { filter, update } = deliveryFinish(ids, holder, error);
    await this.db.webhookDeliveries.updateAsync(filter, update, { multi: true });
  }

  async pruneWebhookDeliveries(before: Date): Promise<number> {
    return this.db.webhookDeliveries.removeAsync(
      { state: 'done', receivedAt: { $lt: before.toISOString() } },
      { multi: true },
    );
  }

  private async patchOne<T extends object>(
    collection: Datastore<T>,
    filter: Doc,
    patch: Doc,
    what: string,
    expected?: Doc,
  ): Promise<T> {
    const update = { $set: identityPreservingPatch(patch, filter) };
    const { affectedDocuments } = await collection.updateAsync(expectedFilter(filter, expected), update, {
      returnUpdatedDocs: true,
    });
    if (affectedDocuments == null) {
      if (expected !== undefined && (await collection.countAsync(filter)) > 0)
        throw new ConflictError(`${what} changed meanwhile; read it again`);
      throw new NotFoundError(`${what} does not exist`);
    }
    const { _id: _ignored, ...doc } = affectedDocuments as Doc;
    return doc as unknown as T;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const store of Object.values(this.db) as Datastore[]) {
      await store.compactDatafileAsync();
    }
    releaseDirectoryLock(this.lockFile);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds, so a pid in a lock file can be told from an earlier process with the same pid. */
const heldLocks = new Set<string>();

function releaseDirectoryLock(lockFile: string): void {
  heldLocks.delete(resolve(lockFile));
  rmSync(lockFile, { force: true });
}

function takeDirectoryLock(lockFile: string, dataDir: string): void {
  if (heldLocks.has(resolve(lockFile))) {
    throw new StoreUnavailableError(
      `DATA_DIR ${dataDir} is already open in this process; close the other store first.`,
    );
  }
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    heldLocks.add(resolve(lockFile));
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number(readFileSync(lockFile, 'utf8').trim());
  // Our own pid here is an earlier process that had it (a restarted container is PID 1 again).
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
    throw new StoreUnavailableError(
      `DATA_DIR ${dataDir} is in use by process ${holder}; stop that process first, point DATA_DIR at another folder, or set MONGODB_URI so several processes can share one store.`,
    );
  }
  // The holder is gone (it crashed or was killed): take the lock over.
  writeFileSync(lockFile, String(process.pid));
  heldLocks.add(resolve(lockFile));
}

/**
 * NeDB ends every record it appends with a newline, so a datafile that does not end with
 * one was cut off mid-append. Cuts that incomplete last line off (a complete record that
 * only lacks its newline gets it back) and says what was dropped.
 */
function dropTornLastLine(filename: string): { bytes: number; preview: string } | null {
  let fd: number;
  try {
    fd = openSync(filename, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size === 0 || (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a)) return null;
    // Read back, a chunk at a time, to the newline that ends the last complete line.
    const chunks: Buffer[] = [];
    let start = size;
    let lineStart = 0;
    while (start > 0) {
      const length = Math.min(64 * 1024, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, start);
      chunks.unshift(chunk);
      const newline = chunk.lastIndexOf(0x0a);
      if (newline !== -1) {
        lineStart = start + newline + 1;
        break;
      }
    }
    const tail = Buffer.concat(chunks)
      .subarray(lineStart - start)
      .toString('utf8');
    try {
      JSON.parse(tail);
      writeSync(fd, '\n', size);
      return null;
    } catch {
      ftruncateSync(fd, lineStart);
      return { bytes: size - lineStart, preview: tail.length > 120 ? `${tail.slice(0, 120)}…` : tail };
    }
  } finally {
    closeSync(fd);
  }
}
