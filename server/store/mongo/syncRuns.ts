/** Sync-run history on MongoDB: the newest SYNC_RUN_HISTORY runs, in recording order by `_id`. */
import type { SyncRun } from '../../domain/types.js';
import { SYNC_RUN_HISTORY } from '../shared.js';
import { NO_ID, run } from './collection.js';
import type { Models } from './models.js';

const SYNC_RUN_ORDER = { finishedAt: -1, _id: -1 } as const;

interface Self {
  readonly models: Models;
}

export function recordSyncRun(this: Self, syncRun: SyncRun): Promise<void> {
  return run('sync run', async () => {
    await this.models.syncRuns.create(syncRun);
    // Keep the newest SYNC_RUN_HISTORY runs, newest by finish time, then by recording order.
    const [oldestKept] = (await this.models.syncRuns
      .find({}, { finishedAt: 1 })
      .sort(SYNC_RUN_ORDER)
      .skip(SYNC_RUN_HISTORY - 1)
      .limit(1)
      .lean()
      .exec()) as Array<{ _id: unknown; finishedAt: string }>;
    if (oldestKept !== undefined) {
      await this.models.syncRuns.deleteMany({
        $or: [
          { finishedAt: { $lt: oldestKept.finishedAt } },
          { finishedAt: oldestKept.finishedAt, _id: { $lt: oldestKept._id } },
        ],
      });
    }
  });
}

export function lastSyncRun(this: Self): Promise<SyncRun | null> {
  return run(
    'read',
    () => this.models.syncRuns.findOne({}, NO_ID).sort(SYNC_RUN_ORDER).lean().exec() as Promise<SyncRun>,
  );
}
