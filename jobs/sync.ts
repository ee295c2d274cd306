/**
 * `npm run sync [-- --full]`: one Jira sync now, then exit. Prints a progress line per
 * page on a terminal, then a summary (counts, unreadable fields, requests, retries, wall
 * time, the new watermarks). Exits 1 when the sync fails; committed pages are kept.
 * Takes the same store lease as the server's schedule, so it never overlaps a server's run.
 */
import { assemble } from '../server/assembly/index.js';
import { isEntryPoint, readCommandLine, USAGE_EXIT_CODE, UsageError } from '../server/cli/commandLine.js';
import { ConfigError, loadConfig } from '../server/config/config.js';
import { StoreUnavailableError } from '../server/errors.js';
import { createLogger } from '../server/logging.js';
import { scheduleJob } from '../server/schedule/scheduler.js';
import { SYNC_JOB_NAME } from '../server/sync/jiraSync.js';
import { formatProgress, formatSummary } from '../server/sync/report.js';
import { SYNC_STATE_NAMES } from '../server/sync/runSync.js';

export const SYNC_USAGE = `Usage: npm run sync [-- --full]

Reads the incidents and action items changed in Jira since the last sync into the store.

  --full    read everything again (and drop what Jira no longer has)
  --help    this text`;

const COMMAND = {
  options: { full: { type: 'boolean' } },
  hint: 'the only option is --full (npm run sync -- --full).',
} as const;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  isTTY: boolean;
}

export async function syncCli(args: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let full: boolean;
  try {
    const line = readCommandLine(COMMAND, args);
    if (line.help) {
      io.out(SYNC_USAGE);
      return 0;
    }
    full = line.values.full === true;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`npm run sync: ${err.message}`);
    return USAGE_EXIT_CODE;
  }
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
  let product;
  try {
    product = await assemble({
      config,
      logger: (c) => createLogger(c.logLevel === 'info' ? 'warn' : c.logLevel, process.stderr),
      storeWarnings: false,
    });
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      io.err(`Store unavailable: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const { store, logger } = product;
  const sync = product.services.sync as NonNullable<typeof product.services.sync>;
  try {
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
    await product.close();
  }
}

if (isEntryPoint(import.meta.url)) {
  const code = await syncCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: process.stdout.isTTY === true,
  });
  process.exit(code);
}
