/**
 * The write side of Jira: what creating post-mortem action items needs, behind a small
 * interface (`JiraTicketWriter`) so the idempotent create flow in `server/tickets/` can be
 * tested against a double and runs against jira.js here.
 *
 * jira.js's own `retry` stays off: it re-sends POSTs, and a `createIssue` re-sent after a
 * 503 that Jira had already acted on makes a second ticket. The create flow decides when
 * a write may be tried again (after looking for the ticket by its idempotency label).
 *
 * The idempotency key travels as a label and as an entity property. The flow searches by
 * the label: JQL can search an entity property only when an app's descriptor declares it
 * for indexing, which a script holding an API token cannot do; labels are always indexed.
 */
import {
  createCloudClient,
  isApiError,
  isNetworkError,
  isNotFoundError,
  isRateLimitError,
  type CloudClient,
} from 'jira.js';
import { createClient, type Client } from 'jira.js/core';
import { JiraError } from '../errors.js';
import type { StatusCategory } from '../domain/types.js';

/** Atlassian Document Format, the v3 rich-text body (kept loose: we only build it). */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: Array<Record<string, unknown>>;
}

export interface JiraUserMatch {
  accountId: string;
  displayName: string;
}

/** What the create flow needs to know about an existing issue. */
export interface JiraTicket {
  id: string;
  key: string;
  summary: string;
  status: string;
  statusCategory: StatusCategory;
  assignee: string | null;
  dueDate: string | null;
  labels: string[];
  created: string | null;
  updated: string | null;
  /** Keys of the issues linked to this one, in either direction, and its parent. */
  linkedKeys: string[];
}

export interface NewJiraTicket {
  project: string;
  issueType: string;
  summary: string;
  description: AdfDocument;
  labels: string[];
  dueDate: string | null;
  assigneeAccountId: string | null;
  /** Entity properties written with the issue (one request: no window without them). */
  properties: Record<string, Record<string, unknown>>;
}

export interface JiraTicketWriter {
  /** Issues carrying this label (the idempotency label), oldest first. */
  findByLabel(label: string): Promise<Array<{ id: string; key: string }>>;
  createIssue(ticket: NewJiraTicket): Promise<{ id: string; key: string }>;
  /** The issue, or null when Jira says it does not exist (or cannot be seen). */
  getIssue(key: string): Promise<JiraTicket | null>;
  /** Links the two issues with the first link type named in `preferredLinkTypes` (else Jira's first type). */
  linkIssues(incidentKey: string, itemKey: string): Promise<void>;
  /** Active human users whose name or e-mail matches the query. */
  findUsers(query: string): Promise<JiraUserMatch[]>;
  setIssueProperty(key: string, propertyKey: string, value: Record<string, unknown>): Promise<void>;
  getIssueProperty(key: string, propertyKey: string): Promise<Record<string, unknown> | null>;
  browseUrl(key: string): string;
}

export interface JiraTicketWriterOptions {
  baseUrl: string;
  email: string;
  apiToken: string;
  /** Link type names to use, first found wins; Jira's admins can rename types. */
  preferredLinkTypes?: string[];
  onSchemaMismatch?: 'throw' | 'warn';
  /** One request gives up after this long; the create flow then treats a create as uncertain. */
  requestTimeoutMs?: number;
}

type SendRequestOptions = Parameters<Client['sendRequest']>[0];

/** Jira's own words from an error body (`errorMessages`, `errors`), on one line. */
function jiraMessage(body: unknown): string {
  if (body && typeof body === 'object') {
    const { errorMessages, errors } = body as Record<string, unknown>;
    const parts: string[] = [];
    if (Array.isArray(errorMessages)) parts.push(...errorMessages.map(String));
    if (errors && typeof errors === 'object') {
      for (const [field, message] of Object.entries(errors as Record<string, unknown>))
        parts.push(`${field}: ${String(message)}`);
    }
    if (parts.length > 0) return parts.join('; ').replace(/\s+/g, ' ').slice(0, 500);
  }
  return '';
}

/** Every failure leaves as a JiraError carrying Jira's status and message (never the credentials). */
export function toJiraError(error: unknown, what: string): JiraError {
  if (error instanceof JiraError) return new JiraError(`${what}: ${error.message}`, error.status);
  if (isRateLimitError(error)) return new JiraError(`${what}: Jira is rate limiting (429); try again later`, 429);
  if (isApiError(error)) {
    const detail = jiraMessage(error.body) || error.statusText || 'no message';
    return new JiraError(`${what}: Jira answered ${error.status} (${detail})`, error.status);
  }
  if (isNetworkError(error))
    return new JiraError(`${what}: Jira could not be reached (${error.code ?? 'network error'})`, null);
  return new JiraError(`${what}: ${error instanceof Error ? error.message : String(error)}`, null);
}

const CATEGORY_KEYS = new Set<StatusCategory>(['new', 'indeterminate', 'done']);

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** Reads the raw issue JSON (as Jira sends it) into what the create flow needs. */
export function toJiraTicket(issue: { id?: unknown; key?: unknown; fields?: unknown }): JiraTicket {
  const fields = record(issue.fields);
  const status = record(fields.status);
  const category = text(record(status.statusCategory).key);
  const linkedKeys: string[] = [];
  const parentKey = text(record(fields.parent).key);
  if (parentKey) linkedKeys.push(parentKey);
  for (const link of Array.isArray(fields.issuelinks) ? fields.issuelinks : []) {
    const other = text(record(record(link).outwardIssue).key) ?? text(record(record(link).inwardIssue).key);
    if (other) linkedKeys.push(other);
  }
  return {
    id: String(issue.id),
    key: String(issue.key),
    summary: text(fields.summary) ?? '',
    status: text(status.name) ?? '',
    statusCategory: category && CATEGORY_KEYS.has(category as StatusCategory) ? (category as StatusCategory) : 'new',
    assignee: text(record(fields.assignee).displayName),
    dueDate: text(fields.duedate),
    labels: Array.isArray(fields.labels) ? fields.labels.map(String) : [],
    created: text(fields.created),
    updated: text(fields.updated),
    linkedKeys,
  };
}

const TICKET_FIELDS = [
  'summary',
  'status',
  'assignee',
  'duedate',
  'labels',
  'issuelinks',
  'parent',
  'created',
  'updated',
];

export function createJiraTicketWriter(options: JiraTicketWriterOptions): JiraTicketWriter {
  const transport = createClient({
    host: options.baseUrl,
    auth: { type: 'basic', email: options.email, apiToken: options.apiToken },
    onSchemaMismatch: options.onSchemaMismatch ?? 'warn',
    // No `retry`: it would re-send the create POST (see the file comment).
  });
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  // Each request is bounded in time: a Jira that never answers must not hold a request (and its lease) forever.
  const bounded: Client = {
    sendRequest<T>(request: SendRequestOptions): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new JiraError(`Jira did not answer within ${timeoutMs} ms`, null)), timeoutMs);
      });
      return Promise.race([transport.sendRequest(request as never) as Promise<T>, timeout]).finally(() =>
        clearTimeout(timer),
      );
    },
  };
  const client: CloudClient = createCloudClient(bounded);
  const preferredLinkTypes = options.preferredLinkTypes ?? ['Relates', 'Relates to'];
  let linkTypeName: Promise<string> | null = null;
  const base = options.baseUrl.replace(/\/+$/, '');

  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw toJiraError(error, what);
    }
  };

  const resolveLinkType = async (): Promise<string> => {
    const { issueLinkTypes = [] } = await call('Listing issue link types', () =>
      client.issueLinkTypes.getIssueLinkTypes(),
    );
    const names = issueLinkTypes.map((type) => type.name).filter((name): name is string => typeof name === 'string');
    const preferred = preferredLinkTypes
      .map((want) => names.find((name) => name.toLowerCase() === want.toLowerCase()))
      .find(Boolean);
    const chosen = preferred ?? names[0];
    if (!chosen)
      throw new JiraError('Jira has no issue link types; an admin must create one (for example "Relates")', null);
    return chosen;
  };

  return {
    async findByLabel(label) {
      const page = await call('Searching for an earlier ticket', () =>
        client.issueSearch.searchAndReconsileIssuesUsingJqlPost({
          jql: `labels = "${label.replace(/"/g, '')}" ORDER BY created ASC`,
          fields: ['created'],
          maxResults: 10,
        }),
      );
      return (page.issues ?? []).map((issue) => ({ id: String(issue.id), key: String(issue.key) }));
    },

    async createIssue(ticket) {
      const fields: Record<string, unknown> = {
        project: { key: ticket.project },
        issuetype: { name: ticket.issueType },
        summary: ticket.summary,
        description: ticket.description,
        labels: ticket.labels,
      };
      if (ticket.dueDate) fields.duedate = ticket.dueDate;
      if (ticket.assigneeAccountId) fields.assignee = { accountId: ticket.assigneeAccountId };
      const created = await call(`Creating the ticket "${ticket.summary.slice(0, 60)}"`, () =>
        client.issues.createIssue({
          fields: fields as Parameters<CloudClient['issues']['createIssue']>[0]['fields'],
          properties: Object.entries(ticket.properties).map(([key, value]) => ({ key, value })),
        }),
      );
      return { id: String(created.id), key: String(created.key) };
    },

    async getIssue(key) {
      try {
        const issue = await client.issues.getIssue({ issueIdOrKey: key, fields: TICKET_FIELDS });
        return toJiraTicket(issue as { id?: unknown; key?: unknown; fields?: unknown });
      } catch (error) {
        if (isNotFoundError(error)) return null;
        throw toJiraError(error, `Reading ${key}`);
      }
    },

    async linkIssues(incidentKey, itemKey) {
      linkTypeName ??= resolveLinkType().catch((error: unknown) => {
        linkTypeName = null;
        throw error;
      });
      const name = await linkTypeName;
      await call(`Linking ${itemKey} to ${incidentKey}`, () =>
        client.issueLinks.linkIssues({
          type: { name },
          inwardIssue: { key: itemKey },
          outwardIssue: { key: incidentKey },
        }),
      );
    },

    async findUsers(query) {
      const users = await call(`Looking up the Jira user "${query}"`, () =>
        client.userSearch.findUsers({ query, maxResults: 10 }),
      );
      return users
        .filter((user) => user.active !== false && (user.accountType === undefined || user.accountType === 'atlassian'))
        .filter((user): user is typeof user & { accountId: string } => typeof user.accountId === 'string')
        .map((user) => ({ accountId: user.accountId, displayName: user.displayName ?? user.accountId }));
    },

    async setIssueProperty(key, propertyKey, value) {
      await call(`Setting property ${propertyKey} on ${key}`, () =>
        client.issueProperties.setIssueProperty({ issueIdOrKey: key, propertyKey, body: value }),
      );
    },

    async getIssueProperty(key, propertyKey) {
      try {
        const property = await client.issueProperties.getIssueProperty({ issueIdOrKey: key, propertyKey });
        return record(property.value);
      } catch (error) {
        if (isNotFoundError(error)) return null;
        throw toJiraError(error, `Reading property ${propertyKey} of ${key}`);
      }
    },

    browseUrl(key) {
      return `${base}/browse/${key}`;
    },
  };
}
