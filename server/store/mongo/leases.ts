/** Leases on MongoDB, judged and set by the server's clock (see leaseUpsert in ./operations.ts). */
import type { Lease } from '../../domain/types.js';
import { NO_ID, run } from './collection.js';
import type { Models } from './models.js';
import { isDuplicateKey, leaseUpsert, translateMongoError } from './operations.js';

interface Self {
  readonly models: Models;
}

/** `now` is not used: several hosts share the store, so the MongoDB server's clock judges. */
export async function acquireLease(
  this: Self,
  name: string,
  holder: string,
  ttlMs: number,
  _now: Date,
): Promise<boolean> {
  const { filter, update, options } = leaseUpsert(name, holder, ttlMs);
  try {
    await this.models.leases.updateOne(filter, update, options);
    return true;
  } catch (err) {
    // The lease exists and is someone else's: the upsert collides with the unique name.
    if (isDuplicateKey(err)) return false;
    throw translateMongoError(err, 'lease');
  }
}

export function releaseLease(this: Self, name: string, holder: string): Promise<void> {
  return run('lease', async () => {
    await this.models.leases.deleteOne({ name, holder });
  });
}

export function getLease(this: Self, name: string): Promise<Lease | null> {
  return run('read', async () => {
    const doc = await this.models.leases.findOne({ name }, NO_ID).lean().exec();
    if (!doc) return null;
    // expiresAt is a BSON date here (for the TTL index); the interface speaks ISO strings.
    const expiresAt = doc.expiresAt as unknown;
    return {
      name: doc.name,
      holder: doc.holder,
      expiresAt: expiresAt instanceof Date ? expiresAt.toISOString() : String(expiresAt),
    };
  });
}
