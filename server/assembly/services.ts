/**
 * Every service the product runs, each built once from one configuration, one store, one
 * logger and one clock. The HTTP routes, the schedules and the CLIs are handed these
 * instances; none builds a service of its own or finds one through module state.
 */
import type { Config } from '../config/config.js';
import type { DigestDeps } from '../digest/run.js';
import { DataVersionFeed } from '../events/dataVersionFeed.js';
import { DigestService } from '../digest/service.js';
import { encodeAhead } from '../http/routes/sendJson.js';
import type { Logger } from '../logging.js';
import { MetricsService } from '../metrics/index.js';
import { PostmortemReader } from '../postmortem/read.js';
import type { Store } from '../store/Store.js';
import { createJiraSync, type JiraSync } from '../sync/jiraSync.js';
import type { ImportDeps } from '../tickets/importPostmortem.js';
import { importDepsFrom } from '../tickets/ticketDeps.js';
import { createWebhookProcessor, type WebhookProcessor } from '../webhooks/processor.js';

/** What every service is built from. */
export interface ServiceBase {
  config: Config;
  store: Store;
  logger: Logger;
  /** The clock; tests pin it. */
  now: () => Date;
}

export interface Services {
  /** Metrics, incidents and action items (their routes, the review agenda, the digest's numbers). */
  metrics: MetricsService;
  /** The weekly digest: its schedule, `npm run digest`, the preview and chart routes, health. */
  digest: DigestService;
  /** The action-item ticket flow and its Jira writer (both ticket routes, `npm run import`). */
  tickets: ImportDeps;
  /** The Jira sync (schedule, `npm run sync`); null when no Jira is configured. */
  sync: JiraSync | null;
  /** The Jira webhook worker; null without JIRA_WEBHOOK_SECRET or without a Jira to read from. */
  webhooks: WebhookProcessor | null;
  /** The store's data version as a feed, for the tab's live updates (GET /api/events). */
  dataVersions: DataVersionFeed;
  /** Reads post-mortems in a worker thread within the documented limits (both import paths). */
  postmortems: PostmortemReader;
}

/** The weekly digest from the configuration: posts to TEAMS_WEBHOOK_URL, reads its numbers from `source`. */
export function createDigestService(
  options: ServiceBase & { source: MetricsService; delivery?: DigestDeps['delivery'] },
): DigestService {
  const { config, store, logger, now, source } = options;
  return new DigestService({
    store,
    source,
    logger,
    timezone: config.timezone,
    cron: config.digestCron,
    webhookUrl: config.teamsWebhookUrl,
    publicUrl: config.publicUrl,
    teamsAppId: config.teams.appId,
    clock: now,
    ...(options.delivery === undefined ? {} : { delivery: options.delivery }),
  });
}

/** Builds each service once; `given` ones (tests' doubles) are used as they are. */
export function createServices(base: ServiceBase, given: Partial<Services> = {}): Services {
  const { config, store, logger, now } = base;
  const metrics =
    given.metrics ?? new MetricsService(store, { timezone: config.timezone, slaDays: config.actionItemSlaDays, now });
  const digest = given.digest ?? createDigestService({ config, store, logger, now, source: metrics });
  const postmortems = given.postmortems ?? new PostmortemReader();
  const tickets = given.tickets ?? importDepsFrom(config, store, now, postmortems, logger);
  const sync =
    given.sync !== undefined
      ? given.sync
      : config.jira === null
        ? null
        : createJiraSync({
            store,
            connection: config.jira,
            mapping: config.mapping,
            timezone: config.timezone,
            logger,
          });
  const webhooks =
    given.webhooks !== undefined
      ? given.webhooks
      : config.jiraWebhookSecret === null || sync === null
        ? null
        : createWebhookProcessor({ store, refresher: sync.refresher, logger });
  const dataVersions =
    given.dataVersions ??
    // A change is announced once the metrics answers the tabs watch are computed and encoded.
    new DataVersionFeed(store, async () => {
      for (const answer of await metrics.refresh()) await encodeAhead(answer);
    });
  return { metrics, digest, tickets, sync, webhooks, dataVersions, postmortems };
}
