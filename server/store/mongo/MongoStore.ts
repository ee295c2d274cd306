/**
 * The production store: MongoDB through mongoose (replica sets, Atlas, Cosmos DB for
 * MongoDB). A thin, mechanical adapter: driver errors are translated before they leave
 * this folder (./operations.ts).
 *
 * This class only assembles: each group of operations is a file (./records.ts,
 * ./changeFeed.ts, ./syncRuns.ts, ./leases.ts), and those both stores share are in
 * ../operations/ (SharedOperations), written over the collections of ./collection.ts.
 */
import mongoose, { type Connection } from 'mongoose';
import type { SharedCollections } from '../collection.js';
import { SharedOperations } from '../operations/SharedOperations.js';
import type { Store } from '../Store.js';
import * as changeFeed from './changeFeed.js';
import { mongoCollection } from './collection.js';
import * as leases from './leases.js';
import { buildModels, type Models } from './models.js';
import { indexBuildError, translateMongoError } from './operations.js';
import * as records from './records.js';
import * as syncRuns from './syncRuns.js';

export class MongoStore extends SharedOperations implements Store {
  readonly kind = 'mongodb' as const;
  readonly collections: SharedCollections;

  private constructor(
    private readonly connection: Connection,
    readonly models: Models,
  ) {
    super();
    this.collections = {
      syncStates: mongoCollection(models.syncStates, 'sync state'),
      digests: mongoCollection(models.digests, 'digest'),
      ticketRequests: mongoCollection(models.ticketRequests, 'ticket request'),
      webhookDeliveries: mongoCollection(models.webhookDeliveries, 'webhook delivery'),
    };
  }

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

  // Incidents, action items, post-mortems, the data version and its change feed.
  readonly upsertIncidents = records.upsertIncidents;
  readonly upsertActionItems = records.upsertActionItems;
  readonly getIncident = records.getIncident;
  readonly findIncidents = records.findIncidents;
  readonly getActionItem = records.getActionItem;
  readonly findActionItems = records.findActionItems;
  readonly counts = records.counts;
  readonly dataVersion = changeFeed.dataVersion;
  readonly changesSince = changeFeed.changesSince;
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
    await this.connection.close();
  }
}
