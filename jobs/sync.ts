/**
 * `npm run sync [-- --full]`: one Jira sync now, then exit. Prints a progress line per
 * page on a terminal, then a summary (counts, unreadable fields, requests, retries, wall
 * time, the new watermarks). Exits 1 when the sync fails; committed pages are kept.
 * Takes the same store lease as the server's schedule, so it never overlaps a server's run.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../server/config/config.js';
import { StoreUnavailableError } from '../server/errors.js';
import { createLogger } from '../server/logging.js';
import { createStore } from '../server/store/createStore.js';
import { SYNC_JOB_NAME, createJiraSync } from '../server/sync/jiraSync.js';
import { formatProgress, formatSummary } from '../server/sync/report.js';
import { SYNC_STATE_NAMES } from '../server/sync/runSync.js';
import { scheduleJob } from './scheduler.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  isTTY: boolean;
}

export async function syncCli(args: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const unknown = args.filter((a) => a !== '--full');
  if (unknown.length > 0) {
    io.err(`npm run sync: unknown option ${unknown.join(' ')}; the only option is --full (npm run sync -- --full).`);
    return 2;
  }
  const full = args.includes('--full');
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`Configuration error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (config.jira === null) {
    io.err(
      'npm run sync needs a Jira: set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN (npm start without them runs demo mode with a built-in sample Jira).',
    );
    return 1;
  }
  let store;
  try {
    store = await createStore(config);
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      io.err(`Store unavailable: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  try {
    const sync = createJiraSync({
      store,
      connection: config.jira,
      mapping: config.mapping,
      timezone: config.timezone,
      logger,
    });
    const job = scheduleJob({
      name: SYNC_JOB_NAME,
      cron: config.syncCron,
      timezone: config.timezone,
      store,
      logger,
      start: false,
      run: (now, signal) =>
        sync.run(now, { full, signal, ...(io.isTTY ? { onProgress: (p) => io.out(formatProgress(p)) } : {}) }),
    });
    const outcome = await job.runNow();
    if (!outcome.ran) {
      io.err(
        `npm run sync: another process (a server replica) is syncing right now: ${'refusal' in outcome ? outcome.refusal : 'its run is still going'}; try again when it is done.`,
      );
      return 1;
    }
    if ('error' in outcome) {
      io.err(`Sync failed: ${outcome.error.message}`);
      return 1;
    }
    const run = outcome.result;
    const [incidents, actionItems] = await Promise.all([
      store.getSyncState(SYNC_STATE_NAMES.incidents),
      store.getSyncState(SYNC_STATE_NAMES.actionItems),
    ]);
    for (const line of formatSummary(run, {
      incidents: incidents?.watermark ?? null,
      actionItems: actionItems?.watermark ?? null,
    })) {
      io.out(line);
    }
    if (!run.ok) io.err(`Sync failed: ${run.error}`);
    return run.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = await syncCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: process.stdout.isTTY === true,
  });
  process.exit(code);
}
