/**
 * The server's side of the sync: SYNC_CRON in TIMEZONE through the scheduler (no
 * overlapping runs in this process, a store lease across replicas), and demo mode.
 * Demo mode (no JIRA_BASE_URL): the sample Jira starts on a free loopback port, its
 * field mapping is used, and the first sync runs before the caller reports ready.
 */
import { scheduleJob, type ScheduledJob } from '../../jobs/scheduler.js';
import { parseConfigFileObject, type Config } from '../config/config.js';
import type { SyncRun } from '../domain/types.js';
import { demoConfig } from '../jira-sample/demoConfig.js';
import { startSampleJira, type SampleJira } from '../jira-sample/index.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';
import { SYNC_JOB_NAME, createJiraSync, type JiraSync } from './jiraSync.js';

export interface RunningSync {
  job: ScheduledJob<SyncRun>;
  sync: JiraSync;
  /** The sample Jira in demo mode, else null. */
  demoJira: SampleJira | null;
  stop(): Promise<void>;
}

export interface StartSyncOptions {
  config: Config;
  store: Store;
  logger: Logger;
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
  const { config, store, logger } = options;
  const now = options.now ?? (() => new Date());
  let demoJira: SampleJira | null = null;
  let sync: JiraSync;
  if (config.jira === null) {
    demoJira = await startSampleJira({});
    const mapping = parseConfigFileObject(demoConfig, 'demo config').mapping;
    sync = createJiraSync({
      store,
      connection: { baseUrl: demoJira.url, email: demoJira.email, apiToken: demoJira.apiToken },
      mapping,
      timezone: config.timezone,
      logger,
    });
    logger.info(
      `Demo mode is on: syncing the built-in sample Jira at ${demoJira.url}. Set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN (and a CONFIG_FILE field mapping) to connect your Jira.`,
    );
  } else {
    sync = createJiraSync({
      store,
      connection: config.jira,
      mapping: config.mapping,
      timezone: config.timezone,
      logger,
    });
  }

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
      // The sample Jira's seed is regenerated relative to each start, so demo mode re-reads it whole once.
      const full = demoJira !== null && first;
      first = false;
      const run = await sync.run(at, { full, signal });
      logRun(logger, run);
      return run;
    },
  });

  if (demoJira !== null) {
    await job.runNow();
  } else if ((await store.lastSyncRun()) === null) {
    // Never synced: start now rather than at the next SYNC_CRON tick, without holding up start-up.
    void job.runNow();
  }

  return {
    job,
    sync,
    demoJira,
    async stop() {
      await job.stop();
      await demoJira?.close();
    },
  };
}
