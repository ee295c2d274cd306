/**
 * The server's side of the digest: the DigestService the routes use, the DIGEST_CRON
 * schedule (through the scheduler: no overlapping runs here, a store lease across
 * replicas), the catch-up run at start, and demo mode's loopback webhook sink.
 */
import { scheduleJob, type ScheduledJob } from '../../jobs/scheduler.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging.js';
import { sharedMetricsService } from '../metrics/index.js';
import type { Store } from '../store/Store.js';
import { webhookHost } from './delivery.js';
import type { DigestDeps, DigestRunResult } from './run.js';
import { DigestService } from './service.js';
import { startWebhookSink, type WebhookSink } from './webhookSink.js';

export const DIGEST_JOB_NAME = 'digest';
/** After a post that failed for a passing reason (429, 5xx, network), the job runs again this much later. */
export const RETRY_FAILED_AFTER_MS = 15 * 60_000;

export interface DigestServiceOptions {
  config: Config;
  store: Store;
  logger: Logger;
  /** Where to post; default TEAMS_WEBHOOK_URL. */
  webhookUrl?: string | null;
  /** The clock of the metrics service; pass the app's so both share one cache. */
  now?: () => Date;
  holder?: string;
  delivery?: DigestDeps['delivery'];
}

const systemClock = (): Date => new Date();

export function createDigestService(options: DigestServiceOptions): DigestService {
  const { config, store, logger } = options;
  const now = options.now ?? systemClock;
  return new DigestService({
    store,
    source: sharedMetricsService(store, { timezone: config.timezone, slaDays: config.actionItemSlaDays, now }),
    logger,
    timezone: config.timezone,
    cron: config.digestCron,
    webhookUrl: options.webhookUrl === undefined ? config.teamsWebhookUrl : options.webhookUrl,
    publicUrl: config.publicUrl,
    teamsAppId: config.teams.appId,
    ...(options.holder === undefined ? {} : { holder: options.holder }),
    clock: now,
    ...(options.delivery === undefined ? {} : { delivery: options.delivery }),
  });
}

export interface RunningDigest {
  service: DigestService;
  /** Demo mode's webhook sink, else null. */
  sink: WebhookSink | null;
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
  now?: () => Date;
  /** false: no cron schedule (tests); the catch-up still runs. */
  schedule?: boolean;
  delivery?: DigestDeps['delivery'];
  /** Default RETRY_FAILED_AFTER_MS. */
  retryFailedAfterMs?: number;
}

export async function startDigest(options: StartDigestOptions): Promise<RunningDigest> {
  const { config, store, logger } = options;
  // Demo mode with no webhook of its own posts to a loopback sink that logs what arrives.
  const sink = config.demo && config.teamsWebhookUrl === null ? await startWebhookSink({ logger }) : null;
  const webhookUrl = config.teamsWebhookUrl ?? sink?.url ?? null;
  const service = createDigestService({
    config,
    store,
    logger,
    webhookUrl,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.delivery === undefined ? {} : { delivery: options.delivery }),
  });

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
    logger.info(
      sink
        ? `Weekly digest: demo mode posts to a loopback webhook sink (${webhookHost(webhookUrl)}) that logs each card; set TEAMS_WEBHOOK_URL to post to Teams.`
        : `Weekly digest: posting to ${webhookHost(webhookUrl)} on "${config.digestCron}" (${config.timezone}).`,
    );
    // A server that was down when the digest fell due posts it now (once: the week's claim decides).
    catchUp = job.runNow();
  }

  return {
    service,
    sink,
    job,
    catchUp,
    async stop() {
      stopped = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      await job?.stop();
      await catchUp.catch(() => undefined);
      await sink?.close();
    },
  };
}
