/**
 * The sync's schedule: SYNC_CRON in TIMEZONE through the scheduler (no overlapping runs in
 * this process, a store lease across replicas), and the first run at start-up as the
 * environment asks for it (server/assembly/environment.ts).
 */
import { scheduleJob, type ScheduledJob } from '../schedule/scheduler.js';
import type { FirstSync } from '../assembly/environment.js';
import type { Config } from '../config/config.js';
import type { SyncRun } from '../domain/types.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';
import { SYNC_JOB_NAME, type JiraSync } from './jiraSync.js';

export interface RunningSync {
  job: ScheduledJob<SyncRun>;
  sync: JiraSync;
  stop(): Promise<void>;
}

export interface StartSyncOptions {
  config: Config;
  store: Store;
  logger: Logger;
  /** The product's JiraSync (server/assembly/services.ts). */
  sync: JiraSync;
  /** How the first run goes; default `when-never-synced`. */
  firstSync?: FirstSync;
  now?: () => Date;
  /** false: no cron schedule (tests); runNow() still works. */
  schedule?: boolean;
}

function logRun(logger: Logger, run: SyncRun): void {
  const counts = (c: SyncRun['incidents']) => `${c.inserted} new, ${c.updated} updated, ${c.unchanged} unchanged`;
  const summary = `incidents ${counts(run.incidents)}; action items ${counts(run.actionItems)}; ${run.requests} requests, ${run.retries} retries`;
  if (run.ok) {
    logger.info({ problems: run.problems.length }, `Jira sync done: ${summary}`);
  } else {
    logger.error(`Jira sync failed: ${run.error} (${summary}; committed pages are kept)`);
  }
}

export async function startJiraSync(options: StartSyncOptions): Promise<RunningSync> {
  const { config, store, logger, sync } = options;
  const now = options.now ?? (() => new Date());
  let first = true;
  const job = scheduleJob<SyncRun>({
    name: SYNC_JOB_NAME,
    cron: config.syncCron,
    timezone: config.timezone,
    store,
    logger,
    now,
    start: options.schedule !== false,
    run: async (at, signal) => {
      const full = options.firstSync === 'full-before-ready' && first;
      first = false;
      const run = await sync.run(at, { full, signal });
      logRun(logger, run);
      return run;
    },
  });

  if (options.firstSync === 'full-before-ready') {
    await job.runNow();
  } else if ((await store.lastSyncRun()) === null) {
    // Never synced: start now rather than at the next SYNC_CRON tick, without holding up start-up.
    void job.runNow();
  }

  return { job, sync, stop: () => job.stop() };
}
