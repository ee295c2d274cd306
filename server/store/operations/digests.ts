/** One record per digest week: claimed once, then patched by compare-and-set (both stores). */
import type { DigestRecord } from '../../domain/types.js';
import type { WithCollections } from '../collection.js';
import { patchOne } from './patch.js';

/** The record a new claim of a week writes (every store, and the tests' in-memory one). */
export function newDigestClaim(week: string, holder: string, now: Date, manual: boolean): DigestRecord {
  return {
    week,
    state: 'claimed',
    holder,
    claimedAt: now.toISOString(),
    postedAt: null,
    attempts: 0,
    lastError: null,
    manual,
  };
}

export async function claimDigest(
  this: WithCollections,
  week: string,
  holder: string,
  now: Date,
  manual: boolean,
): Promise<DigestRecord | null> {
  const record = newDigestClaim(week, holder, now, manual);
  return (await this.collections.digests.insertUnique(record)) ? record : null;
}

export function updateDigest(
  this: WithCollections,
  week: string,
  patch: Partial<Omit<DigestRecord, 'week'>>,
  expected?: Partial<DigestRecord>,
): Promise<DigestRecord> {
  return patchOne(this.collections.digests, { week }, patch, `digest week ${week}`, expected);
}

export function getDigest(this: WithCollections, week: string): Promise<DigestRecord | null> {
  return this.collections.digests.findOne({ week });
}

export function listDigests(this: WithCollections, limit: number): Promise<DigestRecord[]> {
  return this.collections.digests.find({}, { week: -1 }, limit);
}
