/** A MongoDB collection as the primitives the shared operations use (../collection.ts). */
import type { Collection } from '../collection.js';
import type { AnyModel } from './models.js';
import { FIND_AND_UPDATE_OPTIONS, isDuplicateKey, translateMongoError } from './operations.js';

export const NO_ID = { _id: 0 };

/** Runs a driver operation, translating its errors (`what` names the record in their messages). */
export async function run<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw translateMongoError(err, what);
  }
}

/** `what`: how error messages name a record of this collection. Writes run mongoose's validators. */
export function mongoCollection<T>(model: AnyModel, what: string): Collection<T> {
  return {
    async insertUnique(doc) {
      try {
        await model.create(doc as object);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw translateMongoError(err, what);
      }
    },
    findOne(filter) {
      return run('read', () => model.findOne(filter, NO_ID).lean().exec() as Promise<T | null>);
    },
    find(filter, sort, limit) {
      return run('read', () => {
        const query = model.find(filter, NO_ID).sort(sort);
        if (limit !== undefined) query.limit(limit);
        return query.lean().exec() as Promise<T[]>;
      });
    },
    async exists(filter) {
      return (await run('read', () => model.exists(filter).exec())) !== null;
    },
    updateOne(filter, update) {
      return run(
        what,
        () => model.findOneAndUpdate(filter, update, FIND_AND_UPDATE_OPTIONS).lean().exec() as Promise<T | null>,
      );
    },
    async updateMany(filter, update) {
      await run(what, () => model.updateMany(filter, update).exec());
    },
    async deleteMany(filter) {
      const { deletedCount } = await run(
        what,
        () => model.deleteMany(filter).exec() as Promise<{ deletedCount: number }>,
      );
      return deletedCount;
    },
  };
}
