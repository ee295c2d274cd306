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
 *
 * This class only assembles: each group of operations is a file (./records.ts,
 * ./syncRuns.ts, ./leases.ts), and those both stores share are in ../operations/, written
 * over the collections of ./collection.ts.
 */
import type { SharedCollections } from '../collection.js';
import { SharedOperations } from '../operations/SharedOperations.js';
import type { Store } from '../Store.js';
import { nedbCollection, type Datastore } from './collection.js';
import { lockDataDir, openDatafiles, releaseDirectoryLock, type Datafiles } from './dataDir.js';
import * as leases from './leases.js';
import * as records from './records.js';
import * as syncRuns from './syncRuns.js';

export class EmbeddedStore extends SharedOperations implements Store {
  readonly kind = 'embedded' as const;
  readonly collections: SharedCollections;
  private closed = false;

  private constructor(
    readonly db: Datafiles,
    readonly records: records.RecordState,
    readonly runs: { seq: number },
    private readonly lockFile: string,
  ) {
    super();
    this.collections = {
      syncStates: nedbCollection(db.syncStates, 'sync state'),
      digests: nedbCollection(db.digests, 'digest'),
      ticketRequests: nedbCollection(db.ticketRequests, 'ticket request'),
      webhookDeliveries: nedbCollection(db.webhookDeliveries, 'webhook delivery'),
    };
  }

  /** `log` is told what was repaired on opening (default: a line on stderr). */
  static async create(dataDir: string, options: { log?: (message: string) => void } = {}): Promise<EmbeddedStore> {
    const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
    const lockFile = lockDataDir(dataDir);
    try {
      const db = await openDatafiles(dataDir, log);
      const ended = await leases.endPreviousLeases(db);
      if (ended > 0) log(`DATA_DIR: ended ${ended} lease(s) left by the process that had DATA_DIR before; it is gone.`);
      return new EmbeddedStore(db, await records.loadRecordState(db), { seq: await syncRuns.lastRunSeq(db) }, lockFile);
    } catch (err) {
      releaseDirectoryLock(lockFile);
      throw err;
    }
  }

  // Incidents, action items, post-mortems, the data version and its change feed.
  readonly upsertIncidents = records.upsertIncidents;
  readonly upsertActionItems = records.upsertActionItems;
  readonly getIncident = records.getIncident;
  readonly findIncidents = records.findIncidents;
  readonly getActionItem = records.getActionItem;
  readonly findActionItems = records.findActionItems;
  readonly counts = records.counts;
  readonly dataVersion = records.dataVersion;
  readonly changesSince = records.changesSince;
  readonly allRecords = records.allRecords;
  readonly savePostmortem = records.savePostmortem;
  readonly getPostmortem = records.getPostmortem;
  readonly deleteIncidents = records.deleteIncidents;
  readonly deleteActionItems = records.deleteActionItems;

  // Sync-run history (the watermarks, digests, ticket requests and webhook deliveries: SharedOperations).
  readonly recordSyncRun = syncRuns.recordSyncRun;
  readonly lastSyncRun = syncRuns.lastSyncRun;

  readonly acquireLease = leases.acquireLease;
  readonly releaseLease = leases.releaseLease;
  readonly getLease = leases.getLease;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const store of Object.values(this.db) as Datastore[]) {
      await store.compactDatafileAsync();
    }
    releaseDirectoryLock(this.lockFile);
  }
}
