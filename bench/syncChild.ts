/**
 * One Jira sync in its own process, so the peak RSS it reports is the sync's alone (the
 * sample Jira runs in the parent). Configuration comes from the environment like
 * `npm run sync` (JIRA_*, DATA_DIR or MONGODB_URI, CONFIG_FILE); the last stdout line is
 * one JSON object: { ok, wallMs, requests, retries, incidents, actionItems, error, maxRssBytes }.
 */
import { loadConfig } from '../server/config/config.js';
import { createLogger } from '../server/logging.js';
import { createStore } from '../server/store/createStore.js';
import { createJiraSync } from '../server/sync/jiraSync.js';

export interface SyncChildResult {
  ok: boolean;
  error: string | null;
  /** Time inside runSync only: process start-up and opening the store are excluded. */
  wallMs: number;
  /** Requests the sync's Jira client counted (retries included). */
  requests: number;
  retries: number;
  incidents: { inserted: number; updated: number; unchanged: number };
  actionItems: { inserted: number; updated: number; unchanged: number };
  /** process.resourceUsage().maxRSS, in bytes. */
  maxRssBytes: number;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.jira === null) throw new Error('syncChild needs JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN');
  const store = await createStore(config);
  try {
    // The sync `npm run sync` and the server's schedule run (without the lease and the schedule).
    const sync = createJiraSync({
      store,
      connection: config.jira,
      mapping: config.mapping,
      timezone: config.timezone,
      logger: createLogger(config.logLevel, process.stderr),
    });
    const started = performance.now();
    const run = await sync.run(new Date(), { full: process.env.BENCH_FULL_SYNC === '1' });
    const wallMs = performance.now() - started;
    const result: SyncChildResult = {
      ok: run.ok,
      error: run.error,
      wallMs,
      requests: run.requests,
      retries: run.retries,
      incidents: run.incidents,
      actionItems: run.actionItems,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await store.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`sync child failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
