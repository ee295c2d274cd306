/**
 * The JiraReader over jira.js: enhanced JQL search (POST), the field list, `myself`,
 * statuses, and whole changelogs (bulk endpoint, else per issue). Every call is an
 * idempotent read, retried by `retry/policy.ts`; the client's own `retry` stays off
 * because it would also re-send POSTs that write. Errors leave as `JiraError`.
 */
import {
  createCloudClient,
  isApiError,
  isAuthError,
  isForbiddenError,
  isNetworkError,
  isRateLimitError,
  isSchemaMismatchError,
  type CloudClient,
  type SchemaMismatchReport,
} from 'jira.js';
import { createClient, type Client } from 'jira.js/core';
import { JiraError } from '../errors.js';
import type {
  JiraChangeItem,
  JiraFieldInfo,
  JiraHistory,
  JiraIssue,
  JiraMyself,
  JiraReader,
  JiraSearchPage,
  JiraSearchRequest,
  JiraStatusInfo,
} from './JiraReader.js';
import {
  DEFAULT_RETRY_POLICY,
  failureOfStatus,
  isTransientStatus,
  withRetry,
  type Failure,
  type RetryPolicy,
} from '../retry/policy.js';

export const CREDENTIALS_HINT = "check JIRA_EMAIL/JIRA_API_TOKEN and the account's project access";

export interface JiraReaderOptions {
  baseUrl: string;
  email: string;
  apiToken: string;
  retryPolicy?: Partial<RetryPolicy>;
  /** One attempt gives up after this long (then counts as a network error). */
  requestTimeoutMs?: number;
  /** Issues per search page (Jira caps it at 100 when fields are requested). */
  pageSize?: number;
  /** 'throw' in tests; otherwise mismatches are reported through `onWarning`. */
  onSchemaMismatch?: 'throw' | 'warn';
  onWarning?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (what: string, failure: Failure, attempt: number, delayMs: number) => void;
}

type SendRequestOptions = Parameters<Client['sendRequest']>[0];

class RequestTimeout extends Error {}

function classify(error: unknown): Failure {
  if (isRateLimitError(error)) return { kind: 'rateLimit', retryAfterMs: error.retryAfterMs };
  if (isApiError(error) && isTransientStatus(error.status)) return failureOfStatus(error.status);
  if (isNetworkError(error) || error instanceof RequestTimeout) return { kind: 'network' };
  return { kind: 'fatal' };
}

/** Jira's own words from an error body (`errorMessages`, `errors`), on one line. */
function jiraMessage(body: unknown): string {
  if (body && typeof body === 'object') {
    const { errorMessages, errors, message } = body as Record<string, unknown>;
    const parts: string[] = [];
    if (Array.isArray(errorMessages)) parts.push(...errorMessages.map(String));
    if (errors && typeof errors === 'object') {
      for (const [k, v] of Object.entries(errors as Record<string, unknown>)) parts.push(`${k}: ${String(v)}`);
    }
    if (typeof message === 'string') parts.push(message);
    if (parts.length > 0) return parts.join('; ').replace(/\s+/g, ' ').slice(0, 500);
  }
  if (typeof body === 'string' && body.trim()) return body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return '';
}

/** Turns a jira.js error into a one-line JiraError naming the call. */
export function toJiraError(error: unknown, what: string, attempts: number): JiraError {
  if (isAuthError(error) || isForbiddenError(error)) {
    return new JiraError(
      `Jira refused ${what} (${error.status} ${error.statusText}): ${CREDENTIALS_HINT}.`,
      error.status,
    );
  }
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (isRateLimitError(error)) {
    const wait = error.retryAfterMs !== undefined ? ` (Retry-After ${Math.ceil(error.retryAfterMs / 1000)} s)` : '';
    return new JiraError(`Jira rate-limited ${what}${tries}${wait}; try again later.`, 429);
  }
  if (isApiError(error)) {
    const said = jiraMessage(error.body);
    return new JiraError(
      `Jira answered ${error.status} ${error.statusText} to ${what}${tries}${said ? `: ${said}` : ''}`,
      error.status,
    );
  }
  if (isNetworkError(error) || error instanceof RequestTimeout) {
    return new JiraError(`Could not reach Jira for ${what}${tries}: ${error.message.replace(/\s+/g, ' ')}`, null);
  }
  if (isSchemaMismatchError(error)) {
    return new JiraError(`Jira's answer to ${what} did not have the expected shape: ${error.message}`, null);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new JiraError(`Jira call ${what} failed: ${message.replace(/\s+/g, ' ')}`, null);
}

function isoOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return '';
}

interface RawIssue {
  id?: string;
  key?: string;
  fields?: Record<string, unknown>;
  changelog?: { histories?: RawHistory[]; total?: number };
}

interface RawSearchPage {
  issues?: RawIssue[];
  nextPageToken?: string | null;
  isLast?: boolean;
}

interface RawBulkChangelogs {
  issueChangeLogs?: Array<{ issueId?: string; changeHistories?: RawHistory[] }>;
  nextPageToken?: string | null;
}

interface RawChangelogPage {
  values?: RawHistory[];
  isLast?: boolean;
  total?: number;
}

interface RawHistory {
  id?: string;
  created?: unknown;
  author?: { displayName?: string };
  items?: object[];
}

/**
 * An own string property, or null. A change item whose `toString` side is left out would
 * otherwise read as Object.prototype.toString (a function), which is also what makes
 * jira.js's schema check reject such a response.
 */
function ownString(item: object, key: string): string | null {
  if (!Object.hasOwn(item, key)) return null;
  const value = (item as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : null;
}

function isWanted(item: object, keep: Set<string> | null): boolean {
  if (keep === null) return true;
  return keep.has(ownString(item, 'fieldId') ?? ownString(item, 'field') ?? '');
}

/** A history in plain data; null when `keep` is given and none of its items is wanted. */
function toHistory(raw: RawHistory, keep: Set<string> | null = null): JiraHistory | null {
  const wanted = (raw.items ?? []).filter((item) => isWanted(item, keep));
  if (keep !== null && wanted.length === 0) return null;
  return {
    id: raw.id === undefined ? '' : String(raw.id),
    created: isoOf(raw.created),
    author: raw.author?.displayName ?? null,
    items: wanted.map((item): JiraChangeItem => ({
      field: ownString(item, 'field') ?? '',
      fieldId: ownString(item, 'fieldId'),
      from: ownString(item, 'from'),
      fromString: ownString(item, 'fromString'),
      to: ownString(item, 'to'),
      toString: ownString(item, 'toString'),
    })),
  };
}

/** A search hit or a single issue in plain data, keeping only the changelog items of `keep`. */
function toJiraIssue(issue: RawIssue, keep: Set<string> | null): JiraIssue {
  const sent = issue.changelog?.histories ?? [];
  const histories: JiraHistory[] = [];
  for (const raw of sent) {
    const plain = toHistory(raw, keep);
    if (plain) histories.push(plain);
  }
  return {
    id: String(issue.id ?? ''),
    key: String(issue.key ?? ''),
    fields: issue.fields ?? {},
    histories,
    historiesComplete: (issue.changelog?.total ?? sent.length) <= sent.length,
  };
}

export function createJiraReader(options: JiraReaderOptions): JiraReader {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy };
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const pageSize = options.pageSize ?? 100;
  const warn = options.onWarning ?? (() => {});
  let requests = 0;
  let retries = 0;
  let bulkChangelogs = true;
  const warned = new Set<string>();

  const transport = createClient({
    host: options.baseUrl,
    auth: { type: 'basic', email: options.email, apiToken: options.apiToken },
    onSchemaMismatch:
      options.onSchemaMismatch === 'throw'
        ? 'throw'
        : (report: SchemaMismatchReport) => {
            const first = report.issues[0];
            const what = `${report.endpoint} ${first ? `${first.path.replace(/\.\d+\./g, '[].')}: expected ${first.expected}` : ''}`;
            if (warned.has(what)) return;
            warned.add(what);
            warn(`Jira's answer to ${what} differs from jira.js's schema; read as sent`);
          },
  });
  // Counts every request actually sent (retries included) and bounds each one in time.
  const counted: Client = {
    sendRequest<T>(request: SendRequestOptions): Promise<T> {
      requests += 1;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RequestTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      const sent = transport.sendRequest(request as never) as Promise<T>;
      return Promise.race([sent, timeout]).finally(() => clearTimeout(timer));
    },
  };
  const jira: CloudClient = createCloudClient(counted);
  /**
   * The hot paths (search pages, changelogs) skip jira.js's zod validation: it costs more
   * CPU per page than the rest of the sync, and the mapping reads every value defensively
   * anyway (unknown shapes become reported problems, not crashes).
   */
  const raw = <T>(request: Omit<SendRequestOptions, 'schema'>): Promise<T> => counted.sendRequest<T>(request as never);

  async function read<T>(what: string, call: () => Promise<T>): Promise<T> {
    let attempts = 0;
    try {
      return await withRetry(
        (attempt) => {
          attempts = attempt;
          return call();
        },
        policy,
        {
          classify,
          sleep: options.sleep,
          random: options.random,
          onRetry: (failure, attempt, delayMs) => {
            retries += 1;
            options.onRetry?.(what, failure, attempt, delayMs);
          },
        },
      );
    } catch (error) {
      throw toJiraError(error, what, attempts);
    }
  }

  async function bulkFetch(ids: string[], fieldIds: string[], into: Map<string, JiraHistory[]>): Promise<void> {
    let nextPageToken: string | undefined;
    do {
      const token = nextPageToken;
      const page = await read('POST /rest/api/3/changelog/bulkfetch', () =>
        raw<RawBulkChangelogs>({
          url: '/rest/api/3/changelog/bulkfetch',
          method: 'POST',
          body: {
            issueIdsOrKeys: ids,
            ...(fieldIds.length > 0 ? { fieldIds: fieldIds.slice(0, 10) } : {}),
            maxResults: 1000,
            ...(token ? { nextPageToken: token } : {}),
          },
        }),
      );
      for (const log of page.issueChangeLogs ?? []) {
        const id = log.issueId ?? '';
        const list = into.get(id) ?? [];
        for (const history of log.changeHistories ?? []) {
          const plain = toHistory(history);
          if (plain) list.push(plain);
        }
        into.set(id, list);
      }
      nextPageToken = page.nextPageToken ?? undefined;
    } while (nextPageToken);
  }

  async function perIssue(issue: { id: string; key: string }, keep: Set<string> | null): Promise<JiraHistory[]> {
    const histories: JiraHistory[] = [];
    for (let startAt = 0; ;) {
      const page = await read(`GET /rest/api/3/issue/${issue.key}/changelog`, () =>
        raw<RawChangelogPage>({
          url: `/rest/api/3/issue/${encodeURIComponent(issue.key)}/changelog`,
          method: 'GET',
          searchParams: { startAt, maxResults: 100 },
        }),
      );
      if (!Array.isArray(page.values))
        throw toJiraError(new Error('no values in the changelog page'), 'GET changelog', 1);
      for (const history of page.values) {
        const plain = toHistory(history, keep);
        if (plain) histories.push(plain);
      }
      startAt += page.values.length;
      if (page.isLast === true || page.values.length === 0 || startAt >= (page.total ?? 0)) return histories;
    }
  }

  return {
    async fields(): Promise<JiraFieldInfo[]> {
      const list = await read('GET /rest/api/3/field', () => jira.issueFields.getFields());
      return list
        .filter((f) => typeof f.id === 'string')
        .map((f) => ({ id: f.id as string, name: f.name ?? (f.id as string), custom: f.custom ?? false }));
    },

    async myself(): Promise<JiraMyself> {
      const me = await read('GET /rest/api/3/myself', () => jira.myself.getCurrentUser());
      return { accountId: me.accountId ?? null, displayName: me.displayName ?? null, timeZone: me.timeZone ?? null };
    },

    async statuses(): Promise<JiraStatusInfo[]> {
      const list = await read('GET /rest/api/3/status', () => jira.workflowStatuses.getStatuses());
      return list
        .filter((s) => typeof s.id === 'string')
        .map((s) => ({ id: s.id as string, name: s.name ?? '', categoryKey: s.statusCategory?.key ?? '' }));
    },

    async search(request: JiraSearchRequest): Promise<JiraSearchPage> {
      const token = request.nextPageToken;
      const page = await read('POST /rest/api/3/search/jql', () =>
        raw<RawSearchPage>({
          url: '/rest/api/3/search/jql',
          method: 'POST',
          body: {
            jql: request.jql,
            fields: request.fields,
            ...(request.changelog === false ? {} : { expand: 'changelog' }),
            maxResults: request.maxResults ?? pageSize,
            ...(token ? { nextPageToken: token } : {}),
          },
        }),
      );
      if (!page || !Array.isArray(page.issues)) {
        throw new JiraError(
          "Jira's answer to POST /rest/api/3/search/jql has no `issues` list; is JIRA_BASE_URL a Jira Cloud site?",
          null,
        );
      }
      const keep = request.changelogFields ? new Set(request.changelogFields) : null;
      const issues = page.issues.map((issue) => toJiraIssue(issue, keep));
      const nextPageToken =
        typeof page.nextPageToken === 'string' && page.nextPageToken !== '' ? page.nextPageToken : null;
      // No token means no further page, whatever isLast says.
      return { issues, nextPageToken, isLast: page.isLast === true || nextPageToken === null };
    },

    async issue(id, fields, changelogFields): Promise<JiraIssue | null> {
      try {
        const issue = await read(`GET /rest/api/3/issue/${id}`, () =>
          raw<RawIssue>({
            url: `/rest/api/3/issue/${encodeURIComponent(id)}`,
            method: 'GET',
            searchParams: { fields: fields.join(','), expand: 'changelog' },
          }),
        );
        return toJiraIssue(issue, changelogFields ? new Set(changelogFields) : null);
      } catch (error) {
        if (error instanceof JiraError && error.status === 404) return null;
        throw error;
      }
    },

    async changelogs(issues, fieldIds): Promise<Map<string, JiraHistory[]>> {
      const result = new Map<string, JiraHistory[]>();
      if (issues.length === 0) return result;
      if (bulkChangelogs) {
        try {
          for (let i = 0; i < issues.length; i += 1000) {
            await bulkFetch(
              issues.slice(i, i + 1000).map((issue) => issue.id),
              fieldIds,
              result,
            );
          }
          return result;
        } catch (error) {
          // A site (or a compatible server) without the bulk endpoint: read per issue from now on.
          if (!(error instanceof JiraError && error.status === 404)) throw error;
          bulkChangelogs = false;
          result.clear();
        }
      }
      // A few at a time: a burst of per-issue reads is what Jira's burst limit answers with 429.
      const keep = fieldIds.length > 0 ? new Set(fieldIds) : null;
      let next = 0;
      const worker = async () => {
        while (next < issues.length) {
          const issue = issues[next++] as { id: string; key: string };
          result.set(issue.id, await perIssue(issue, keep));
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, issues.length) }, worker));
      return result;
    },

    stats: () => ({ requests, retries }),
    resetStats: () => {
      requests = 0;
      retries = 0;
    },
  };
}
