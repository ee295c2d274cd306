/** A NeDB datafile as the primitives the shared operations use (../collection.ts). */
import NedbModule from '@seald-io/nedb';
import type { Collection, Filter, Sort, Update } from '../collection.js';
import { checkPatch, checkRecord, withDefaults, type RecordKind } from '../validation.js';

// NeDB is CommonJS (`module.exports = Datastore`); its typings describe an ES default export.
export type Datastore<T = Record<string, unknown>> = InstanceType<typeof NedbModule.default<T>>;
export const Datastore = NedbModule as unknown as typeof NedbModule.default;
export const NO_ID = { _id: 0 };

export function isUniqueViolation(err: unknown): boolean {
  return (err as { errorType?: string } | null)?.errorType === 'uniqueViolated';
}

export function withoutId<T>(doc: T): T {
  const { _id: _ignored, ...rest } = doc as Record<string, unknown>;
  return rest as T;
}

/**
 * `kind`: the schema records are checked against (and whose defaults fill the fields a
 * record leaves out) before they are written, as mongoose does on MongoDB, so both stores
 * refuse the same values and store the same records.
 */
export function nedbCollection<T extends object>(store: Datastore<T>, kind: RecordKind): Collection<T> {
  return {
    async insertUnique(doc) {
      const record = withDefaults(kind, doc);
      await checkRecord(kind, record);
      try {
        await store.insertAsync(record);
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async findOne(filter) {
      return (await store.findOneAsync(filter, NO_ID)) as T | null;
    },
    async find(filter: Filter, sort: Sort, limit?: number) {
      const cursor = store.findAsync(filter, NO_ID).sort(sort);
      return (await (limit === undefined ? cursor : cursor.limit(limit))) as T[];
    },
    async exists(filter) {
      return (await store.countAsync(filter)) > 0;
    },
    async updateOne(filter, update: Update) {
      if (update.$set !== undefined) await checkPatch(kind, update.$set);
      const { affectedDocuments } = await store.updateAsync(filter, update, { returnUpdatedDocs: true });
      return affectedDocuments == null ? null : withoutId(affectedDocuments as T);
    },
    async updateMany(filter, update) {
      await store.updateAsync(filter, update, { multi: true });
    },
    async deleteMany(filter) {
      return store.removeAsync(filter, { multi: true });
    },
  };
}
