/**
 * Demo mode, as a plug-in: with no JIRA_BASE_URL the product runs against stand-ins that
 * this module starts, once, on loopback:
 * - the sample Jira (server/jira-sample/), read with its own field mapping, and sending
 *   signed webhook deliveries (a secret made for this run) to the server once it listens;
 * - a webhook sink (server/digest/webhookSink.ts) that the weekly digest posts to and that
 *   logs each card, unless TEAMS_WEBHOOK_URL is set.
 * It returns an ordinary Config pointing at them, so no other module asks whether this is
 * a demo. `npm run demo:change` finds the running sample Jira through DEMO_JIRA_FILE.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment, EnvironmentNeeds } from '../assembly/environment.js';
import { parseConfigFileObject, type Config } from '../config/config.js';
import { webhookHost } from '../digest/delivery.js';
import { startWebhookSink, type WebhookSink } from '../digest/webhookSink.js';
import { demoConfig } from '../jira-sample/demoConfig.js';
import { startSampleJira, type SampleJira } from '../jira-sample/index.js';
import type { Logger } from '../logging.js';

/** Where `npm run demo:change` finds the running sample Jira (inside DATA_DIR). */
export const DEMO_JIRA_FILE = 'sample-jira.json';

export async function startDemoEnvironment(
  loaded: Config,
  logger: Logger,
  needs: EnvironmentNeeds,
): Promise<Environment> {
  let jira: SampleJira | null = null;
  let sink: WebhookSink | null = null;
  const close = async (): Promise<void> => {
    await sink?.close();
    await jira?.close();
  };
  try {
    if (needs.jira) jira = await startSampleJira({});
    if (needs.digestWebhook && loaded.teamsWebhookUrl === null) sink = await startWebhookSink({ logger });
  } catch (err) {
    await close();
    throw err;
  }

  let config = loaded;
  if (jira !== null) {
    config = {
      ...config,
      jira: { baseUrl: jira.url, email: jira.email, apiToken: jira.apiToken },
      mapping: parseConfigFileObject(demoConfig, 'demo config').mapping,
      jiraWebhookSecret: config.jiraWebhookSecret ?? randomBytes(32).toString('hex'),
    };
    logger.info(
      `Demo mode is on: syncing the built-in sample Jira at ${jira.url}. Set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN (and a CONFIG_FILE field mapping) to connect your Jira.`,
    );
  }
  if (sink !== null) {
    config = { ...config, teamsWebhookUrl: sink.url };
    logger.info(
      `Weekly digest: demo mode posts to a loopback webhook sink (${webhookHost(sink.url)}) that logs each card; set TEAMS_WEBHOOK_URL to post to Teams.`,
    );
  }
  const secret = config.jiraWebhookSecret;

  return {
    config,
    // The sample Jira's seed is made relative to each start, so it is read whole once, before "ready".
    firstSync: jira === null ? 'when-never-synced' : 'full-before-ready',
    listening(url) {
      if (jira === null || secret === null) return;
      jira.setWebhook({ url: `${url}/api/jira/webhook`, secret });
      writeFileSync(
        join(config.dataDir, DEMO_JIRA_FILE),
        `${JSON.stringify({ url: jira.url, email: jira.email, apiToken: jira.apiToken }, null, 2)}\n`,
      );
    },
    report() {
      if (sink === null || sink.received.length === 0) return [];
      return [
        `demo mode: the card went to a loopback webhook sink (${sink.accepted.length} message(s), ` +
          `${sink.accepted.reduce((n, m) => n + m.bytes, 0)} bytes); set TEAMS_WEBHOOK_URL to post to Teams`,
      ];
    },
    close,
  };
}
