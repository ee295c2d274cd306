/**
 * A test double of the Store for the digest's unit tests: what the digest and the
 * metrics service read (incidents, action items, post-mortems), the digest records with
 * the same unique-week rule, and leases. The real stores are used by run.test.ts's
 * restart and concurrency cases.
 */
import { newDigestClaim } from '../../server/store/operations/digests.js';
import type { ActionItem, DigestRecord, Incident, Postmortem } from '../../server/domain/types.js';
import { ConflictError } from '../../server/errors.js';
import type { Store } from '../../server/store/Store.js';

export interface MemoryStore extends Store {
  digests: Map<string, DigestRecord>;
  /** Makes the next updateDigest calls throw (a store outage after posting). */
  failUpdates: boolean;
}

export function memoryStore(
  data: { incidents?: Incident[]; actionItems?: ActionItem[]; postmortems?: Postmortem[] } = {},
): MemoryStore {
  const digests = new Map<string, DigestRecord>();
  const leases = new Map<string, { holder: string; expiresAt: number }>();
  const store = {
    kind: 'embedded' as const,
    digests,
    failUpdates: false,
    findIncidents: async () => [...(data.incidents ?? [])],
    findActionItems: async () => [...(data.actionItems ?? [])],
    allRecords: async () => ({ incidents: [...(data.incidents ?? [])], actionItems: [...(data.actionItems ?? [])] }),
    changesSince: async () => null,
    dataVersion: async () => 1,
    getPostmortem: async (key: string) => data.postmortems?.find((p) => p.incidentKey === key) ?? null,
    async claimDigest(week: string, holder: string, now: Date, manual: boolean) {
      if (digests.has(week)) return null;
      const record = newDigestClaim(week, holder, now, manual);
      digests.set(week, record);
      return { ...record };
    },
    async updateDigest(week: string, patch: Partial<Omit<DigestRecord, 'week'>>, expected?: Partial<DigestRecord>) {
      if (store.failUpdates) throw new Error('store unavailable');
      const record = digests.get(week);
      if (!record) throw new Error(`no digest record for ${week}`);
      const stale = Object.entries(expected ?? {}).some(([k, v]) => record[k as keyof DigestRecord] !== v);
      if (stale) throw new ConflictError(`digest week ${week} changed meanwhile; read it again`);
      const updated = { ...record, ...patch };
      digests.set(week, updated);
      return { ...updated };
    },
    getDigest: async (week: string) => {
      const record = digests.get(week);
      return record ? { ...record } : null;
    },
    listDigests: async (limit: number) =>
      [...digests.values()]
        .sort((a, b) => (a.week < b.week ? 1 : -1))
        .slice(0, limit)
        .map((r) => ({ ...r })),
    async acquireLease(name: string, holder: string, ttlMs: number, now: Date) {
      const lease = leases.get(name);
      if (lease && lease.holder !== holder && lease.expiresAt > now.getTime()) return false;
      leases.set(name, { holder, expiresAt: now.getTime() + ttlMs });
      return true;
    },
    async releaseLease(name: string, holder: string) {
      if (leases.get(name)?.holder === holder) leases.delete(name);
    },
    async getLease(name: string) {
      const lease = leases.get(name);
      return lease ? { name, holder: lease.holder, expiresAt: new Date(lease.expiresAt).toISOString() } : null;
    },
  };
  return store as unknown as MemoryStore;
}
