/**
 * MongoDB's change feed for readers that keep state (the metrics service): one small
 * document per data version naming the keys it wrote, expiring after a day. Several
 * processes may write, so a reader trusts the feed only when it holds every version it
 * asks about; a gap (a writer between its version bump and its record, an expired
 * record) means "reload everything".
 */
import { Schema } from 'mongoose';
import type { StoreChanges } from '../Store.js';

export const CHANGE_TTL_SECONDS = 86_400;

export interface ChangeRecord {
  version: number;
  incidentKeys: string[];
  actionItemKeys: string[];
  at: Date;
}

export const changeSchema = new Schema(
  {
    version: { type: Number, required: true },
    incidentKeys: { type: [String], default: [] },
    actionItemKeys: { type: [String], default: [] },
    at: { type: Date, required: true },
  },
  { versionKey: false, strict: 'throw', collection: 'changes' },
);
changeSchema.index({ version: 1 }, { unique: true });
changeSchema.index({ at: 1 }, { expireAfterSeconds: CHANGE_TTL_SECONDS });

/**
 * The keys written in (since, current], from the change records of those versions, or
 * null unless there is exactly one record for each of them.
 */
export function changesFromRecords(
  since: number,
  current: number,
  records: ReadonlyArray<Pick<ChangeRecord, 'version' | 'incidentKeys' | 'actionItemKeys'>>,
): StoreChanges | null {
  if (!Number.isInteger(since) || since > current) return null;
  const versions = new Set(records.filter((r) => r.version > since && r.version <= current).map((r) => r.version));
  if (versions.size !== current - since) return null;
  const incidentKeys = new Set<string>();
  const actionItemKeys = new Set<string>();
  for (const record of records) {
    if (record.version <= since || record.version > current) continue;
    for (const key of record.incidentKeys) incidentKeys.add(key);
    for (const key of record.actionItemKeys) actionItemKeys.add(key);
  }
  return { version: current, incidentKeys: [...incidentKeys], actionItemKeys: [...actionItemKeys] };
}
