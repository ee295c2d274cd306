/**
 * What the sync needs from Jira, in plain data. The jira.js implementation lives in
 * `jiraJsReader.ts`; tests can hand the sync any object of this shape.
 */

export interface JiraFieldInfo {
  id: string;
  name: string;
  custom: boolean;
}

export interface JiraMyself {
  accountId: string | null;
  displayName: string | null;
  /** The profile time zone JQL date literals are read in; null when Jira did not say. */
  timeZone: string | null;
}

export interface JiraStatusInfo {
  id: string;
  name: string;
  /** Status category key: `new`, `indeterminate`, `done` (or `undefined` in odd sites). */
  categoryKey: string;
}

export interface JiraChangeItem {
  field: string;
  fieldId: string | null;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface JiraHistory {
  id: string;
  /** ISO-8601 UTC instant. */
  created: string;
  author: string | null;
  items: JiraChangeItem[];
}

export interface JiraIssue {
  id: string;
  key: string;
  /** Raw field values, as Jira returns them. */
  fields: Record<string, unknown>;
  /**
   * Histories as far as Jira sent them (search: at most 40, newest first), keeping only
   * items of the requested changelog fields.
   */
  histories: JiraHistory[];
  /** False when the issue has more histories than Jira sent: the rest must be fetched. */
  historiesComplete: boolean;
}

export interface JiraSearchRequest {
  jql: string;
  fields: string[];
  /** Keep only changelog items of these field ids (all when absent). */
  changelogFields?: string[];
  nextPageToken?: string | null;
  maxResults?: number;
  /** false: no changelog (an id listing); default true. */
  changelog?: boolean;
}

export interface JiraSearchPage {
  issues: JiraIssue[];
  nextPageToken: string | null;
  isLast: boolean;
}

export interface JiraRequestStats {
  requests: number;
  retries: number;
}

export interface JiraReader {
  fields(): Promise<JiraFieldInfo[]>;
  myself(): Promise<JiraMyself>;
  statuses(): Promise<JiraStatusInfo[]>;
  /** One page of the enhanced JQL search (POST), with `expand=changelog`. */
  search(request: JiraSearchRequest): Promise<JiraSearchPage>;
  /**
   * One issue as `GET /rest/api/3/issue/{id}` gives it now (not the eventually consistent
   * search index), with `expand=changelog`; null when Jira says it does not exist (404).
   */
  issue(id: string, fields: string[], changelogFields?: string[]): Promise<JiraIssue | null>;
  /**
   * The whole changelog of each issue (oldest first), restricted to `fieldIds` when
   * given. Keyed by issue id.
   */
  changelogs(issues: Array<{ id: string; key: string }>, fieldIds: string[]): Promise<Map<string, JiraHistory[]>>;
  /** Requests sent and retries made since creation (or the last reset). */
  stats(): JiraRequestStats;
  resetStats(): void;
}
