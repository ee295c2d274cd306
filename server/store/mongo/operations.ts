/**
 * What the MongoDB adapter sends, built by pure functions so it can be tested without
 * a server: bulk upserts, conditional updates, and the translation of driver errors.
 */
import mongoose from 'mongoose';
import type { UpsertCounts } from '../../domain/types.js';
import { ConflictError, InputError, StoreUnavailableError } from '../../errors.js';
import { canonicalDocument } from '../shared.js';

const { mongo } = mongoose;

export interface UpsertOperation {
  replaceOne: { filter: { key: string }; replacement: Record<string, unknown>; upsert: true };
}

/**
 * One idempotent upsert per key; the last copy of a key in the batch wins. A whole-document
 * replace, like the embedded store: a field cleared in Jira is cleared here too (a $set
 * would merge, and mongoose drops undefined from it). Nested keys in canonical order, so
 * MongoDB's byte-wise "nothing modified" means the same as the embedded store's comparison.
 */
export function bulkUpsertOperations<T extends { key: string }>(docs: T[]): UpsertOperation[] {
  const byKey = new Map<string, T>();
  for (const doc of docs) byKey.set(doc.key, doc);
  return [...byKey.values()].map((doc) => ({
    replaceOne: {
      filter: { key: doc.key },
      replacement: canonicalDocument(doc) as Record<string, unknown>,
      upsert: true,
    },
  }));
}

/**
 * Unordered, so one failing document does not stop the others; and mongoose must throw
 * when it leaves an operation out for failing validation (by default it drops it silently).
 */
export const BULK_UPSERT_OPTIONS = { ordered: false, throwOnValidationError: true } as const;

/** MongoDB reports a replace that changes nothing as matched but not modified. */
export function upsertCountsFromResult(result: {
  upsertedCount: number;
  matchedCount: number;
  modifiedCount: number;
}): UpsertCounts {
  return {
    inserted: result.upsertedCount,
    updated: result.modifiedCount,
    unchanged: result.matchedCount - result.modifiedCount,
  };
}

/**
 * Takes the lease when it is free, expired, or already the caller's. Expiry is judged and
 * set by the server's clock ($$NOW), so replicas whose clocks disagree cannot take a live
 * lease or keep a dead one; `expiresAt` is a BSON date, so a TTL index removes it later.
 */
export function leaseUpsert(name: string, holder: string, ttlMs: number) {
  return {
    filter: { name, $or: [{ holder }, { $expr: { $lte: ['$expiresAt', '$$NOW'] } }] },
    update: [{ $set: { name, holder, expiresAt: { $add: ['$$NOW', ttlMs] } } }],
    options: { upsert: true, updatePipeline: true },
  };
}

/** Options of every findOneAndUpdate: the updated document back, validators run, no _id. */
export const FIND_AND_UPDATE_OPTIONS = {
  returnDocument: 'after',
  projection: { _id: 0 },
  runValidators: true,
} as const;

export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number }> } | null;
  return e?.code === 11000 || (e?.writeErrors ?? []).some((w) => w.code === 11000);
}

/** Server error codes that mean "no primary right now / shutting down": retry shortly. */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/** True for the errors of a store that cannot be reached right now (and may be again soon). */
export function isOutage(err: unknown): boolean {
  if (err instanceof mongo.MongoNetworkError) return true; // incl. timeouts and cleared pools
  if (err instanceof mongo.MongoServerSelectionError) return true;
  if (err instanceof mongo.MongoNotConnectedError || err instanceof mongo.MongoTopologyClosedError) return true;
  if (err instanceof mongo.MongoServerError && UNAVAILABLE_CODES.has(Number(err.code))) return true;
  if (err instanceof mongo.MongoError && err.hasErrorLabel('RetryableWriteError')) return true;
  const e = err as { name?: string; message?: string } | null;
  // By name too, in case a second copy of the driver is installed (instanceof would miss it).
  if (
    /^Mongo(Network|NetworkTimeout|PoolCleared|ServerSelection|NotConnected|TopologyClosed)Error$/.test(e?.name ?? '')
  )
    return true;
  // mongoose's own: no server within serverSelectionTimeoutMS, or an operation buffered
  // (while disconnected) for longer than bufferTimeoutMS.
  if (e?.name === 'MongooseServerSelectionError') return true;
  return e?.name === 'MongooseError' && /buffering timed out/.test(e.message ?? '');
}

/** Driver errors become domain errors here; nothing above the adapter sees MongoDB's. */
export function translateMongoError(err: unknown, what: string): Error {
  if (err instanceof InputError || err instanceof ConflictError || err instanceof StoreUnavailableError) return err;
  if (isDuplicateKey(err)) return new ConflictError(`${what} already exists`);
  if (isOutage(err)) {
    const name = (err as { name?: string }).name ?? 'error';
    return new StoreUnavailableError(
      `MongoDB is unreachable (${name}); check MONGODB_URI and that the server is up, then retry.`,
    );
  }
  const e = err as {
    name?: string;
    message?: string;
    path?: string;
    errors?: Record<string, { path?: string; message?: string }>;
  } | null;
  if (e?.name === 'ValidationError' || e?.name === 'CastError' || e?.name === 'StrictModeError') {
    const first = e.errors ? Object.values(e.errors)[0] : undefined;
    const field = first?.path ?? e.path ?? null;
    return new InputError(`${what}: ${first?.message ?? e.message ?? 'invalid value'}`, field);
  }
  if (e?.name === 'MongooseBulkWriteError') {
    const first = (
      err as {
        validationErrors?: Array<{
          path?: string;
          message?: string;
          errors?: Record<string, { path?: string; message?: string }>;
        }>;
      }
    ).validationErrors?.[0];
    const inner = first?.errors ? Object.values(first.errors)[0] : first;
    return new InputError(
      `${what}: a document was refused: ${inner?.message ?? 'invalid value'}; the rest of the batch was written`,
      inner?.path ?? null,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** An index that cannot be built at start-up, said as what it is (usually duplicates of a unique key). */
export function indexBuildError(collection: string, err: unknown): Error {
  if (isDuplicateKey(err)) {
    const detail = (err as { message?: string }).message ?? '';
    return new StoreUnavailableError(
      `Cannot build a unique index on the ${collection} collection: some documents share the same key (${detail}). ` +
        'Remove the duplicates in MongoDB, then start again.',
    );
  }
  return translateMongoError(err, `index build on ${collection}`);
}
