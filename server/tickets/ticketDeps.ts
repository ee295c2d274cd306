/**
 * Builds the ticket flow's dependencies from the configuration: the settings from the
 * config file's `jira` block, the Jira writer from JIRA_BASE_URL / JIRA_EMAIL /
 * JIRA_API_TOKEN. The writer is built on first use, so a server without Jira still starts
 * and only the routes that write to Jira say what is missing.
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../logging.js';

import { JiraError } from '../errors.js';
import { createJiraTicketWriter, type JiraTicketWriter } from '../jira/tickets.js';
import type { Store } from '../store/Store.js';
import type { TicketSettings } from './createTicket.js';
import type { ImportDeps } from './importPostmortem.js';

export function ticketSettings(config: Config): TicketSettings {
  return {
    actionItemProject: config.mapping.actionItemProject,
    actionItemIssueType: config.mapping.actionItemIssueType,
    actionItemLabel: config.mapping.actionItemLabel,
    publicUrl: config.publicUrl,
  };
}

/** A writer that refuses every call: no Jira is configured. */
function missingJira(): JiraTicketWriter {
  const refuse = async (): Promise<never> => {
    throw new JiraError(
      'No Jira is configured: set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN to create tickets',
      null,
    );
  };
  return {
    findByLabel: refuse,
    createIssue: refuse,
    getIssue: refuse,
    linkIssues: refuse,
    findUsers: refuse,
    setIssueProperty: refuse,
    getIssueProperty: refuse,
    browseUrl: (key) => key,
  };
}

export function jiraWriterFor(config: Config): JiraTicketWriter {
  return config.jira === null ? missingJira() : createJiraTicketWriter(config.jira);
}

export function importDepsFrom(
  config: Config,
  store: Store,
  now: () => Date,
  reader: ImportDeps['reader'],
  logger: Pick<Logger, 'info' | 'warn'> | null = null,
  jira: JiraTicketWriter = jiraWriterFor(config),
): ImportDeps {
  return {
    store,
    jira,
    reader,
    settings: ticketSettings(config),
    now,
    zone: 'UTC',
    ...(logger
      ? {
          log: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) =>
            logger[level](fields, message),
        }
      : {}),
  };
}
