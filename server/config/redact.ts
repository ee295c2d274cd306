/** The only way configuration is ever printed or logged. */
import type { Config } from './types.js';

const REDACTED = '[redacted]';

/** The config as it may be printed or logged: every secret replaced. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    mongodbUri: config.mongodbUri === null ? null : config.mongodbUri.replace(/\/\/[^@/]*@/, `//${REDACTED}@`),
    jira: config.jira === null ? null : { ...config.jira, apiToken: REDACTED },
    teamsWebhookUrl: config.teamsWebhookUrl === null ? null : REDACTED,
    jiraWebhookSecret: config.jiraWebhookSecret === null ? null : REDACTED,
    apiKeys: config.apiKeys.map(() => REDACTED),
  };
}
