/**
 * Leases in NeDB, judged by the caller's clock: one process has DATA_DIR, so there is one
 * clock. NeDB runs each operation to completion before the next, so the conditional
 * update below is atomic, and of two inserts of a free lease the unique name refuses one.
 */
import type { Lease } from '../../domain/types.js';
import { isUniqueViolation, NO_ID } from './collection.js';
import type { Datafiles } from './dataDir.js';

interface Self {
  readonly db: Datafiles;
}

export async function acquireLease(
  this: Self,
  name: string,
  holder: string,
  ttlMs: number,
  now: Date,
): Promise<boolean> {
  const lease: Lease = { name, holder, expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
  // Taken when it has expired or the caller already holds it; inserted when nobody does.
  const takeable = { name, $or: [{ expiresAt: { $lte: now.toISOString() } }, { holder }] };
  const { numAffected } = await this.db.leases.updateAsync(takeable, lease, {});
  if (numAffected === 1) return true;
  try {
    await this.db.leases.insertAsync(lease);
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

export async function releaseLease(this: Self, name: string, holder: string): Promise<void> {
  await this.db.leases.removeAsync({ name, holder }, {});
}

export async function getLease(this: Self, name: string): Promise<Lease | null> {
  return (await this.db.leases.findOneAsync({ name }, NO_ID)) as Lease | null;
}

/** Ends every stored lease: only one process has DATA_DIR at a time, so they are the previous one's. */
export function endPreviousLeases(db: Datafiles): Promise<number> {
  return db.leases.removeAsync({}, { multi: true });
}
