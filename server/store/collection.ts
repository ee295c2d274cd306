/**
 * The few primitives each backend provides for one collection (embedded/collection.ts,
 * mongo/collection.ts), so that the operations both stores share are written once, over
 * them (./operations/). Filters and updates are the MongoDB subset NeDB understands too.
 */
import type { DigestRecord, SyncState, TicketRequest } from '../domain/types.js';
import type { WebhookDelivery } from './Store.js';

export type Filter = Record<string, unknown>;

export interface Update {
  $set?: Filter;
  $inc?: Record<string, number>;
}

export type Sort = Record<string, 1 | -1>;

export interface Collection<T> {
  /** Writes a new record, checked against its schema; false when its unique key is already taken. */
  insertUnique(doc: T): Promise<boolean>;
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter, sort: Sort, limit?: number): Promise<T[]>;
  exists(filter: Filter): Promise<boolean>;
  /**
   * Updates the one record the filter matches (a compare-and-set when the filter holds the
   * values the caller read), with the `$set` values checked against the schema; returns
   * the record as updated, or null when none matched.
   */
  updateOne(filter: Filter, update: Update): Promise<T | null>;
  updateMany(filter: Filter, update: Update): Promise<void>;
  deleteMany(filter: Filter): Promise<number>;
}

/** The collections of the operations both stores share. */
export interface SharedCollections {
  syncStates: Collection<SyncState>;
  digests: Collection<DigestRecord>;
  ticketRequests: Collection<TicketRequest>;
  webhookDeliveries: Collection<WebhookDelivery>;
}

/** What an operation shared by both stores sees of the store it is a method of. */
export interface WithCollections {
  readonly collections: SharedCollections;
}
