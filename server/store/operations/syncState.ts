/** The sync watermarks, one per Jira query, moved by compare-and-set (both stores). */
import type { IsoInstant, SyncState } from '../../domain/types.js';
import type { WithCollections } from '../collection.js';

export function getSyncState(this: WithCollections, name: string): Promise<SyncState | null> {
  return this.collections.syncStates.findOne({ name });
}

export async function compareAndSetSyncState(
  this: WithCollections,
  name: string,
  expectedVersion: number | null,
  watermark: IsoInstant | null,
  now: Date,
): Promise<SyncState | null> {
  const next: SyncState = { name, watermark, version: (expectedVersion ?? 0) + 1, updatedAt: now.toISOString() };
  const states = this.collections.syncStates;
  if (expectedVersion === null) return (await states.insertUnique(next)) ? next : null;
  return states.updateOne(
    { name, version: expectedVersion },
    { $set: { watermark, version: next.version, updatedAt: next.updatedAt } },
  );
}
