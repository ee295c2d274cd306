/** Sync-run history in NeDB: the newest SYNC_RUN_HISTORY runs, numbered in recording order. */
import type { SyncRun } from '../../domain/types.js';
import { SYNC_RUN_HISTORY } from '../shared.js';
import { checkRecord } from '../validation.js';
import type { Datafiles } from './dataDir.js';

const SYNC_RUN_ORDER = { finishedAt: -1, seq: -1 } as const;

interface Self {
  readonly db: Datafiles;
  /** The number of the last run recorded. */
  readonly runs: { seq: number };
}

/** The number of the last run stored in `db`. */
export async function lastRunSeq(db: Datafiles): Promise<number> {
  const [last] = await db.syncRuns.findAsync({}).sort({ seq: -1 }).limit(1);
  return (last?.seq as number | undefined) ?? 0;
}

export async function recordSyncRun(this: Self, run: SyncRun): Promise<void> {
  await checkRecord('sync run', run);
  this.runs.seq += 1;
  await this.db.syncRuns.insertAsync({ ...run, seq: this.runs.seq });
  // Keep the newest SYNC_RUN_HISTORY runs, newest by finish time, then by recording order.
  const [oldestKept] = await this.db.syncRuns
    .findAsync({}, { finishedAt: 1, seq: 1 })
    .sort(SYNC_RUN_ORDER)
    .skip(SYNC_RUN_HISTORY - 1)
    .limit(1);
  if (oldestKept !== undefined) {
    await this.db.syncRuns.removeAsync(
      {
        $or: [
          { finishedAt: { $lt: oldestKept.finishedAt } },
          { finishedAt: oldestKept.finishedAt, seq: { $lt: oldestKept.seq } },
        ],
      },
      { multi: true },
    );
  }
}

export async function lastSyncRun(this: Self): Promise<SyncRun | null> {
  const [last] = await this.db.syncRuns.findAsync({}, { _id: 0, seq: 0 }).sort(SYNC_RUN_ORDER).limit(1);
  return (last as SyncRun | undefined) ?? null;
}
