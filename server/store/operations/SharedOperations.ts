/**
 * The operations both stores share, as methods: a store extends this class and gives it
 * its collections (../collection.ts); each group of operations is a file beside this one.
 */
import type { SharedCollections } from '../collection.js';
import * as digests from './digests.js';
import * as syncState from './syncState.js';
import * as ticketRequests from './ticketRequests.js';
import * as webhookDeliveries from './webhookDeliveries.js';

export abstract class SharedOperations {
  abstract readonly collections: SharedCollections;

  readonly getSyncState = syncState.getSyncState;
  readonly compareAndSetSyncState = syncState.compareAndSetSyncState;

  readonly claimDigest = digests.claimDigest;
  readonly updateDigest = digests.updateDigest;
  readonly getDigest = digests.getDigest;
  readonly listDigests = digests.listDigests;

  readonly createTicketRequest = ticketRequests.createTicketRequest;
  readonly updateTicketRequest = ticketRequests.updateTicketRequest;
  readonly getTicketRequest = ticketRequests.getTicketRequest;

  readonly enqueueWebhookDelivery = webhookDeliveries.enqueueWebhookDelivery;
  readonly claimWebhookDeliveries = webhookDeliveries.claimWebhookDeliveries;
  readonly finishWebhookDeliveries = webhookDeliveries.finishWebhookDeliveries;
  readonly pruneWebhookDeliveries = webhookDeliveries.pruneWebhookDeliveries;
}
