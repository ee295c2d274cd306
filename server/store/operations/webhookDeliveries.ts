/**
 * The queue of Jira webhook deliveries (docs/webhooks.md), the same on both stores: a
 * delivery is claimed by a compare-and-set on the state its claimer read, so each goes
 * to exactly one of several concurrent claimers, and an expired claim (its worker died)
 * may be taken again.
 */
import type { Filter, WithCollections } from '../collection.js';
import type { WebhookDelivery } from '../Store.js';

/** Queues a delivery as pending; false when its id is already recorded. */
export function enqueueWebhookDelivery(
  this: WithCollections,
  delivery: Pick<WebhookDelivery, 'id' | 'event' | 'issues' | 'receivedAt'>,
): Promise<boolean> {
  return this.collections.webhookDeliveries.insertUnique({
    ...delivery,
    state: 'pending',
    holder: null,
    claimedUntil: null,
    attempts: 0,
    lastError: null,
  });
}

/** A delivery may be claimed when pending, or when its claim has expired. */
function claimable(now: Date): Filter {
  return { $or: [{ state: 'pending' }, { state: 'claimed', claimedUntil: { $lte: now.toISOString() } }] };
}

export async function claimWebhookDeliveries(
  this: WithCollections,
  holder: string,
  limit: number,
  now: Date,
  leaseMs: number,
): Promise<WebhookDelivery[]> {
  const queue = this.collections.webhookDeliveries;
  const candidates = await queue.find(claimable(now), { receivedAt: 1, id: 1 }, limit);
  const claimedUntil = new Date(now.getTime() + leaseMs).toISOString();
  const claimed: WebhookDelivery[] = [];
  for (const seen of candidates) {
    const doc = await queue.updateOne(
      // Still as this caller read it: a concurrent claimer that got there first makes it miss.
      { id: seen.id, state: seen.state, holder: seen.holder, claimedUntil: seen.claimedUntil },
      { $set: { state: 'claimed', holder, claimedUntil }, $inc: { attempts: 1 } },
    );
    if (doc !== null) claimed.push(doc);
  }
  return claimed;
}

/** Ends the holder's claim: done (kept for deduplication), or back to pending with the error. */
export function finishWebhookDeliveries(
  this: WithCollections,
  ids: string[],
  holder: string,
  error: string | null,
): Promise<void> {
  return this.collections.webhookDeliveries.updateMany(
    { id: { $in: ids }, state: 'claimed', holder },
    {
      $set:
        error === null
          ? { state: 'done', holder: null, claimedUntil: null, lastError: null }
          : { state: 'pending', holder: null, claimedUntil: null, lastError: error },
    },
  );
}

export function pruneWebhookDeliveries(this: WithCollections, before: Date): Promise<number> {
  return this.collections.webhookDeliveries.deleteMany({ state: 'done', receivedAt: { $lt: before.toISOString() } });
}
