/** Ticket requests, recorded once per idempotency key (both stores). */
import type { TicketRequest } from '../../domain/types.js';
import type { WithCollections } from '../collection.js';
import { patchOne } from './patch.js';

export async function createTicketRequest(
  this: WithCollections,
  request: TicketRequest,
): Promise<TicketRequest | null> {
  return (await this.collections.ticketRequests.insertUnique(request)) ? request : null;
}

export function updateTicketRequest(
  this: WithCollections,
  idempotencyKey: string,
  patch: Partial<Omit<TicketRequest, 'idempotencyKey'>>,
): Promise<TicketRequest> {
  return patchOne(this.collections.ticketRequests, { idempotencyKey }, patch, `ticket request ${idempotencyKey}`);
}

export function getTicketRequest(this: WithCollections, idempotencyKey: string): Promise<TicketRequest | null> {
  return this.collections.ticketRequests.findOne({ idempotencyKey });
}
