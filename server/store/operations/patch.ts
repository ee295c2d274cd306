/** Patching one record found by its key, the same on both stores (digests, ticket requests). */
import { ConflictError, NotFoundError } from '../../errors.js';
import type { Collection, Filter } from '../collection.js';

/** A patch of a record found by `filter`: the keys that identify it cannot be patched, undefined values are dropped. */
export function identityPreservingPatch(patch: Filter, filter: Filter): Filter {
  const out: Filter = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k in filter || k === '_id') throw new ConflictError(`${k} identifies the record and cannot be changed`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A patch applies only when the stored record still has every `expected` value (compare-and-set). */
export function expectedFilter(filter: Filter, expected: Filter | undefined): Filter {
  if (expected === undefined) return filter;
  return { ...expected, ...filter };
}

/**
 * Patches the record `filter` finds. With `expected`, only while it still has those values:
 * otherwise a ConflictError (it changed meanwhile), or a NotFoundError (there is none).
 */
export async function patchOne<T>(
  collection: Collection<T>,
  filter: Filter,
  patch: Filter,
  what: string,
  expected?: Filter,
): Promise<T> {
  const update = { $set: identityPreservingPatch(patch, filter) };
  const doc = await collection.updateOne(expectedFilter(filter, expected), update);
  if (doc !== null) return doc;
  if (expected !== undefined && (await collection.exists(filter)))
    throw new ConflictError(`${what} changed meanwhile; read it again`);
  throw new NotFoundError(`${what} does not exist`);
}
