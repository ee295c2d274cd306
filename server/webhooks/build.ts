/**
 * The webhook worker as the server runs it: the Jira connection the sync reads (the
 * configured Jira, or the sample Jira in demo mode), mapped the same way.
 */
import type { Config, JiraMappingConfig } from '../config/config.js';
import type { JiraReader } from '../jira/JiraReader.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';
import { createJiraSync } from '../sync/jiraSync.js';
import { createWebhookProcessor, type WebhookProcessor, type WebhookProcessorOptions } from './processor.js';

export interface WebhookWorkerDeps {
  config: Config;
  store: Store;
  logger: Logger;
  /** Demo mode: the sample Jira and its mapping (config.jira is null then). */
  demoJira?: { baseUrl: string; email: string; apiToken: string; mapping: JiraMappingConfig } | null;
  /** Tests and the bench pass a reader of their own. */
  reader?: JiraReader;
  tuning?: Partial<Omit<WebhookProcessorOptions, 'store' | 'refresher' | 'logger'>>;
}

/** Null when no Jira connection is known (nothing to read the issues from). */
export function buildWebhookProcessor(deps: WebhookWorkerDeps): WebhookProcessor | null {
  const { config, store, logger } = deps;
  const connection =
    config.jira ??
    (deps.demoJira
      ? { baseUrl: deps.demoJira.baseUrl, email: deps.demoJira.email, apiToken: deps.demoJira.apiToken }
      : null);
  if (connection === null) return null;
  const mapping = config.jira !== null ? config.mapping : (deps.demoJira as { mapping: JiraMappingConfig }).mapping;
  const sync = createJiraSync({
    store,
    connection,
    mapping,
    timezone: config.timezone,
    logger,
    ...(deps.reader ? { reader: deps.reader } : {}),
  });
  return createWebhookProcessor({ store, refresher: sync.refresher, logger, ...deps.tuning });
}
