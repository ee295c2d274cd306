/**
 * The data version on MongoDB, and the change feed beside it (./changes.ts). MongoDB
 * without a replica set has no transaction spanning two collections, so the version
 * cannot move in the same operation as the data. Instead a mark goes in first (server
 * time), the write runs, and one update then bumps the version and removes the mark.
 * While a mark is there, dataVersion() answers a version nobody can cache under, and a
 * mark older than STALE_WRITE_MS (its writer died between the write and the bump) is
 * folded into a bump by the next reader. So the version can never stay behind the data:
 * not after a crash, a network error or a partial bulk write.
 */
import { randomUUID } from 'node:crypto';
import type { StoreChanges } from '../Store.js';
import { changesFromRecords } from './changes.js';
import { NO_ID, run } from './collection.js';
import type { Models } from './models.js';
import { translateMongoError } from './operations.js';

const VERSION_ID = 'dataVersion';
/** A write mark older than this (by the server's clock) belongs to a writer that died. */
export const STALE_WRITE_MS = 60_000;

/** The keys a write touched, for the change feed. */
export type ChangedKeys = { incidentKeys?: string[]; actionItemKeys?: string[] };

interface Self {
  readonly models: Models;
}

let uncacheable = 0;
/** A version no caller has seen before or will see again: nothing gets cached under it. */
function uncacheableVersion(): number {
  uncacheable = (uncacheable + 1) % 1000;
  return -(Date.now() * 1000 + uncacheable);
}

/** Runs a write that moves the data version when `changed(result)`, recording `keys(result)` in the feed. */
export async function versioned<T>(
  self: Self,
  what: string,
  write: () => Promise<T>,
  changed: (result: T) => boolean,
  keys: (result: T) => ChangedKeys,
): Promise<T> {
  const mark = `pending.${randomUUID()}`;
  await run(what, () =>
    self.models.meta.updateOne(
      { _id: VERSION_ID },
      { $currentDate: { [mark]: true } },
      { upsert: true, runValidators: true },
    ),
  );
  let result: T;
  try {
    result = await write();
  } catch (err) {
    // It may have been written in part: move the version anyway (if this fails too, the mark stays).
    // Which keys it reached is unknown: no change record, so readers of the feed reload.
    await finishWrite(self, mark, true, null).catch(() => undefined);
    throw translateMongoError(err, what);
  }
  await run(what, () => finishWrite(self, mark, changed(result), keys(result)));
  return result;
}

/**
 * Removes the write's mark and, when it wrote, bumps the version and records the keys it
 * touched in the change feed. A bump whose record is missing (a crash between the two, or
 * a dead writer's mark folded in by a reader) is a gap in the feed, and a reader of a gap
 * reloads everything: the feed can be incomplete, never wrong.
 */
async function finishWrite(self: Self, mark: string, bump: boolean, keys: ChangedKeys | null): Promise<void> {
  if (!bump) {
    await self.models.meta.updateOne({ _id: VERSION_ID }, { $unset: { [mark]: '' } });
    return;
  }
  const bumped = (await self.models.meta
    .findOneAndUpdate({ _id: VERSION_ID }, { $inc: { value: 1 }, $unset: { [mark]: '' } }, { returnDocument: 'after' })
    .lean()
    .exec()) as { value: number } | null;
  if (bumped && keys)
    await self.models.changes.create({
      version: bumped.value,
      incidentKeys: keys.incidentKeys ?? [],
      actionItemKeys: keys.actionItemKeys ?? [],
      at: new Date(),
    });
}

export function dataVersion(this: Self): Promise<number> {
  return run('read', async () => {
    type Meta = { value?: number; pending?: Record<string, Date> };
    const meta = this.models.meta;
    const doc = (await meta.findById(VERSION_ID).lean().exec()) as Meta | null;
    const marks = Object.entries(doc?.pending ?? {});
    if (marks.length === 0) return doc?.value ?? 0;
    // A write is under way, or its writer died before the bump: judge by the server's clock.
    const [clock] = (await meta
      .aggregate([{ $match: { _id: VERSION_ID } }, { $project: { _id: 0, now: '$$NOW' } }])
      .exec()) as Array<{ now: Date }>;
    const now = clock?.now.getTime() ?? Date.now();
    const stale = marks
      .filter(([, at]) => now - new Date(at).getTime() > STALE_WRITE_MS)
      .map(([token]) => `pending.${token}`);
    if (stale.length === marks.length) {
      const folded = (await meta
        .findOneAndUpdate(
          { _id: VERSION_ID, $or: stale.map((m) => ({ [m]: { $exists: true } })) },
          { $inc: { value: 1 }, $unset: Object.fromEntries(stale.map((m) => [m, ''])) },
          { returnDocument: 'after' },
        )
        .lean()
        .exec()) as Meta | null;
      const after = folded ?? ((await meta.findById(VERSION_ID).lean().exec()) as Meta | null);
      if (Object.keys(after?.pending ?? {}).length === 0) return after?.value ?? 0;
    }
    return uncacheableVersion();
  });
}

export function changesSince(this: Self, version: number): Promise<StoreChanges | null> {
  return run('read', async () => {
    const current = await dataVersion.call(this);
    if (!Number.isInteger(version) || current < 0 || version > current) return null;
    if (version === current) return { version, incidentKeys: [], actionItemKeys: [] };
    const records = (await this.models.changes
      .find({ version: { $gt: version, $lte: current } }, NO_ID)
      .lean()
      .exec()) as Array<{ version: number; incidentKeys: string[]; actionItemKeys: string[] }>;
    return changesFromRecords(version, current, records);
  });
}
