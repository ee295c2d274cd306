/**
 * What the MongoDB adapter sends, built by pure functions so it can be tested without
 * a server: bulk upserts, conditional updates, and the translation of driver errors.
 */
import type { UpsertCounts } from '../../domain/types.js';
import { ConflictError, StoreUnavailableError } from '../../errors.js';
import { leaseTakeableFilter } from '../shared.js';

export interface UpsertOperation {
  updateOne: { filter: { key: string }; update: { $set: Record<string, unknown> }; upsert: true };
}

/** One idempotent upsert per key; the last copy of a key in the batch wins. */
export function bulkUpsertOperations<T extends { key: string }>(docs: T[]): UpsertOperation[] {
  const byKey = new Map<string, T>();
  for (const doc of docs) byKey.set(doc.key, doc);
  return [...byKey.values()].map((doc) => ({
    updateOne: { filter: { key: doc.key }, update: { $set: { ...doc } }, upsert: true },
  }));
}

/** MongoDB reports a $set that changes nothing as matched but not modified. */
export function upsertCountsFromResult(result: { upsertedCount: number; matchedCount: number; modifiedCount: number }): UpsertCounts {
  return {
    inserted: result.upsertedCount,
    updated: result.modifiedCount,
    unchanged: result.matchedCount - result.modifiedCount,
  };
}

export function leaseUpsert(name: string, holder: string, ttlMs: number, now: Date) {
  return {
    filter: leaseTakeableFilter(name, holder, now),
    update: { $set: { name, holder, expiresAt: new Date(now.getTime() + ttlMs).toISOString() } },
    options: { upsert: true },
  };
}

export function syncStateUpdate(name: string, expectedVersion: number, watermark: string | null, now: Date) {
  return {
    filter: { name, version: expectedVersion },
    update: { $set: { watermark, version: expectedVersion + 1, updatedAt: now.toISOString() } },
  };
}

export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number }> } | null;
  return e?.code === 11000 || (e?.writeErrors ?? []).some((w) => w.code === 11000);
}

/** Driver errors become domain errors here; nothing above the adapter sees MongoDB's. */
export function translateMongoError(err: unknown, what: string): Error {
  if (isDuplicateKey(err)) return new ConflictError(`${what} already exists`);
  const name = (err as { name?: string } | null)?.name ?? '';
  if (/MongoServerSelectionError|MongoNetworkError|MongoNotConnectedError|MongoTopologyClosedError/.test(name)) {
    return new StoreUnavailableError(`MongoDB is unreachable (${name}); check MONGODB_URI and that the server is up.`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
