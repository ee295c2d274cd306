/**
 * The digest's schedule: DIGEST_CRON through the scheduler (no overlapping runs here, a
 * store lease across replicas), the catch-up run at start, and a retry a little later
 * after a post failed for a passing reason. The DigestService it runs is the product's
 * one (server/assembly/services.ts).
 */
import { scheduleJob, type ScheduledJob } from '../schedule/scheduler.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';
import { webhookHost } from './delivery.js';
import type { DigestRunResult } from './run.js';
import type { DigestService } from './service.js';

export const DIGEST_JOB_NAME = 'digest';
/** After a post that failed for a passing reason (429, 5xx, network), the job runs again this much later. */
export const RETRY_FAILED_AFTER_MS = 15 * 60_000;

export interface RunningDigest {
  service: DigestService;
  /** Null when there is nowhere to post. */
  job: ScheduledJob<DigestRunResult> | null;
  /** The catch-up run started at start-up (resolves when it is done). */
  catchUp: Promise<unknown>;
  stop(): Promise<void>;
}

export interface StartDigestOptions {
  config: Config;
  store: Store;
  logger: Logger;
  /** The product's DigestService; it posts to the webhook it was built with. */
  service: DigestService;
  now?: () => Date;
  /** false: no cron schedule (tests); the catch-up still runs. */
  schedule?: boolean;
  /** Default RETRY_FAILED_AFTER_MS. */
  retryFailedAfterMs?: number;
}

export async function startDigest(options: StartDigestOptions): Promise<RunningDigest> {
  const { config, store, logger, service } = options;
  const webhookUrl = config.teamsWebhookUrl;

  let job: ScheduledJob<DigestRunResult> | null = null;
  let catchUp: Promise<unknown> = Promise.resolve();
  let retryTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  const retryFailedAfterMs = options.retryFailedAfterMs ?? RETRY_FAILED_AFTER_MS;
  // A transient failure should not wait a week for the next tick: run again a little later
  // (the failed week is re-claimed under its lease; a 4xx waits for a person to fix the setup).
  const retryLaterIfTransient = (result: DigestRunResult): void => {
    const transient = result.weeks.some((w) => w.action === 'failed' && w.delivery?.retryable);
    if (!transient || stopped || retryTimer !== null || job === null) return;
    logger.warn(
      `Weekly digest: the post failed for a passing reason; trying again in ${Math.round(retryFailedAfterMs / 60_000)} min`,
    );
    const scheduled = job;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void scheduled.runNow();
    }, retryFailedAfterMs);
    retryTimer.unref();
  };
  if (webhookUrl === null) {
    logger.info(
      'Weekly digest: TEAMS_WEBHOOK_URL is not set, so no digest is posted; GET /api/digest/preview shows the card.',
    );
  } else {
    job = scheduleJob<DigestRunResult>({
      name: DIGEST_JOB_NAME,
      cron: config.digestCron,
      timezone: config.timezone,
      store,
      logger,
      ...(options.now === undefined ? {} : { now: options.now }),
      start: options.schedule !== false,
      run: async (at) => {
        const result = await service.run(at);
        retryLaterIfTransient(result);
        return result;
      },
    });
    logger.info(`Weekly digest: posting to ${webhookHost(webhookUrl)} on "${config.digestCron}" (${config.timezone}).`);
    // A server that was down when the digest fell due posts it now (once: the week's claim decides).
    catchUp = job.runNow();
  }

  return {
    service,
    job,
    catchUp,
    async stop() {
      stopped = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      await job?.stop();
      await catchUp.catch(() => undefined);
    },
  };
}
