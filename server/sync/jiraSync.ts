/**
 * The sync as the server and the CLI use it: a jira.js reader for one Jira connection,
 * the field mapping from the config file, and runSync. Built once per process; each
 * run resolves the field names again (one field-list request per run).
 */
import type { JiraMappingConfig } from '../config/config.js';
import type { SyncRun } from '../domain/types.js';
import type { JiraReader } from '../jira/JiraReader.js';
import { createJiraReader } from '../jira/jiraJsReader.js';
import type { RetryPolicy } from '../retry/policy.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';
import { claimReconciliation, reconcileIssueIds } from './reconcileIds.js';
import { IssueRefresher } from './refreshIssues.js';
import { runSync, type SyncOptions, type SyncProgress } from './runSync.js';

/** The job name (and store lease `job:jira-sync`) shared by the server's schedule and `npm run sync`. */
export const SYNC_JOB_NAME = 'jira-sync';

export interface JiraConnection {
  baseUrl: string;
  email: string;
  apiToken: string;
}

export interface JiraSyncOptions {
  store: Store;
  connection: JiraConnection;
  mapping: JiraMappingConfig;
  /** TIMEZONE. */
  timezone: string;
  logger?: Pick<Logger, 'warn'>;
  retryPolicy?: Partial<RetryPolicy>;
  /** Tests pass a reader of their own. */
  reader?: JiraReader;
  /** Issues per search page (Jira's default otherwise); tests pass small pages to have many. */
  pageSize?: number;
}

export interface JiraSync {
  reader: JiraReader;
  /** Re-reads single issues (webhook deliveries, the id reconciliation). */
  refresher: IssueRefresher;
  run(now: Date, options?: SyncOptions & { onProgress?: (progress: SyncProgress) => void }): Promise<SyncRun>;
}

export function createJiraSync(options: JiraSyncOptions): JiraSync {
  const warn = (message: string) => options.logger?.warn(message);
  const reader =
    options.reader ??
    createJiraReader({
      baseUrl: options.connection.baseUrl,
      email: options.connection.email,
      apiToken: options.connection.apiToken,
      ...(options.retryPolicy ? { retryPolicy: options.retryPolicy } : {}),
      onWarning: warn,
      onRetry: (what, failure, attempt, delayMs) => {
        const why =
          failure.kind === 'rateLimit'
            ? 'was rate-limited (429)'
            : failure.kind === 'server'
              ? `failed (${failure.status})`
              : 'could not reach Jira';
        warn(`Jira ${what} ${why}; retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})`);
      },
    });
  const settings = { timezone: options.timezone, jira: options.mapping, baseUrl: options.connection.baseUrl };
  const refresher = new IssueRefresher(options.store, reader, settings);
  return {
    reader,
    refresher,
    async run(now, runOptions = {}) {
      const run = await runSync(
        {
          store: options.store,
          jira: reader,
          settings,
          onWarning: warn,
          ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
          ...(runOptions.onProgress ? { onProgress: runOptions.onProgress } : {}),
        },
        now,
        { full: runOptions.full === true, ...(runOptions.signal ? { signal: runOptions.signal } : {}) },
      );
      // Deletions: polling cannot see them; a daily id listing (and every --full run) can.
      if (run.ok && (runOptions.full === true || (await claimReconciliation(options.store, now)))) {
        try {
          const result = await reconcileIssueIds({
            store: options.store,
            jira: reader,
            refresher,
            incidentJql: options.mapping.incidentJql,
            actionItemJql: options.mapping.actionItemJql,
          });
          run.removed = result.removed;
        } catch (error) {
          warn(
            `Jira id reconciliation failed (nothing was removed; it runs again with the next sync): ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      return run;
    },
  };
}
