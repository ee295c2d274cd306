/**
 * `/rest/api/3/search/jql` (GET and POST): a JQL query is compiled and its matching issue
 * ids kept as a snapshot, which the page tokens walk, as Jira Cloud's enhanced search
 * pages by token only. The removed `/rest/api/3/search` answers 410 as Jira does.
 */
import { randomUUID } from 'node:crypto';
import { compileJql } from './jql.js';
import { fieldNames, fieldSchemas, renderIssue, resolveFieldSelection } from './render.js';
import {
  decodeToken,
  encodeToken,
  intParam,
  jiraError,
  listParam,
  type RouteDeps,
  type RouteRequest,
  type RouteResult,
} from './routeKit.js';

export const SEARCH_CHANGELOG_LIMIT = 40;
export const SEARCH_MAX_RESULTS = 100;

interface Snapshot {
  jql: string;
  ids: Int32Array;
}

/** Search snapshots by token id. A token may be re-sent (a retried page), so tokens are not single-use. */
export class SnapshotCache {
  private readonly snapshots = new Map<string, Snapshot>();
  constructor(private readonly capacity = 200) {}

  put(snapshot: Snapshot): string {
    const id = randomUUID().replace(/-/g, '').slice(0, 16);
    this.snapshots.set(id, snapshot);
    if (this.snapshots.size > this.capacity) {
      const oldest = this.snapshots.keys().next().value;
      if (oldest !== undefined) this.snapshots.delete(oldest);
    }
    return id;
  }

  get(id: string): Snapshot | undefined {
    return this.snapshots.get(id);
  }
}

interface SearchInput {
  jql: string | undefined;
  nextPageToken: string | undefined;
  maxResults: number | undefined;
  fields: string[] | undefined;
  expand: string | undefined;
  properties: string[] | undefined;
}

/** Checks a POST /search/jql body against SearchAndReconcileRequestBean. */
function readSearchBody(body: unknown): SearchInput | RouteResult {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return jiraError(400, ['The request body must be a JSON object.']);
  }
  const b = body as Record<string, unknown>;
  const allowed = new Set([
    'jql',
    'nextPageToken',
    'maxResults',
    'fields',
    'expand',
    'properties',
    'fieldsByKeys',
    'reconcileIssues',
  ]);
  for (const key of Object.keys(b)) {
    if (!allowed.has(key))
      return jiraError(400, [`Unrecognized field "${key}". Known fields: ${[...allowed].join(', ')}.`]);
  }
  const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (b.jql !== undefined && typeof b.jql !== 'string') return jiraError(400, ["'jql' must be a string."]);
  if (b.nextPageToken !== undefined && b.nextPageToken !== null && typeof b.nextPageToken !== 'string')
    return jiraError(400, ["'nextPageToken' must be a string."]);
  if (b.maxResults !== undefined && !Number.isInteger(b.maxResults))
    return jiraError(400, ["'maxResults' must be an integer."]);
  if (b.fields !== undefined && !isStringArray(b.fields))
    return jiraError(400, ["'fields' must be an array of strings."]);
  if (b.expand !== undefined && typeof b.expand !== 'string')
    return jiraError(400, ['\'expand\' must be a comma-separated string, such as "changelog,names".']);
  if (b.properties !== undefined && !isStringArray(b.properties))
    return jiraError(400, ["'properties' must be an array of strings."]);
  return {
    jql: b.jql as string | undefined,
    nextPageToken: (b.nextPageToken ?? undefined) as string | undefined,
    maxResults: b.maxResults as number | undefined,
    fields: b.fields as string[] | undefined,
    expand: b.expand as string | undefined,
    properties: b.properties as string[] | undefined,
  };
}

function readSearchQuery(query: URLSearchParams): SearchInput | RouteResult {
  const maxResults = intParam(query, 'maxResults');
  if (maxResults === 'invalid') return jiraError(400, ["'maxResults' must be an integer."]);
  return {
    jql: query.get('jql') ?? undefined,
    nextPageToken: query.get('nextPageToken') ?? undefined,
    maxResults,
    fields: listParam(query, 'fields'),
    expand: listParam(query, 'expand')?.join(','),
    properties: listParam(query, 'properties'),
  };
}

export function searchRoutes(deps: RouteDeps) {
  const { store, render } = deps;
  const snapshots = new SnapshotCache();

  function search(input: SearchInput): RouteResult {
    if (input.maxResults !== undefined && input.maxResults < 0)
      return jiraError(400, ["'maxResults' must not be negative."]);
    const pageSize = Math.min(SEARCH_MAX_RESULTS, Math.max(1, input.maxResults ?? 50));
    const jql = input.jql ?? '';
    let snapshotId: string;
    let offset = 0;
    let ids: Int32Array;
    if (input.nextPageToken) {
      const token = decodeToken(input.nextPageToken);
      const snapshot = token && typeof token.s === 'string' ? snapshots.get(token.s) : undefined;
      if (!token || !snapshot || typeof token.o !== 'number') {
        return jiraError(400, ['The provided next page token is invalid or expired.']);
      }
      if (snapshot.jql !== jql) return jiraError(400, ['The next page token was issued for a different JQL query.']);
      snapshotId = token.s as string;
      offset = token.o;
      ids = snapshot.ids;
    } else {
      const compiled = compileJql(jql, {
        store,
        zone: render.zone,
        nowMs: deps.clock(),
        currentUserId: deps.apiUser.accountId,
      });
      const matching = store.issues.filter(compiled.matches);
      matching.sort(compiled.compare);
      ids = Int32Array.from(matching, (issue) => issue.id);
      snapshotId = ids.length > pageSize ? snapshots.put({ jql, ids }) : '';
    }
    const expand = new Set(
      (input.expand ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    );
    const fieldIds = resolveFieldSelection(input.fields, 'id');
    const options = {
      fieldIds,
      changelogLimit: expand.has('changelog') ? SEARCH_CHANGELOG_LIMIT : null,
      names: false,
      schema: false,
      properties: input.properties ?? [],
    };
    const issues: Record<string, unknown>[] = [];
    const end = Math.min(ids.length, offset + pageSize);
    for (let i = offset; i < end; i++) {
      const issue = store.getById(ids[i] as number);
      if (issue) issues.push(renderIssue(render, issue, options));
    }
    const isLast = end >= ids.length;
    const body: Record<string, unknown> = { issues };
    if (!isLast) body.nextPageToken = encodeToken({ s: snapshotId, o: end });
    body.isLast = isLast;
    if (expand.has('names')) body.names = fieldNames(fieldIds);
    if (expand.has('schema')) body.schema = fieldSchemas(fieldIds);
    return { status: 200, body };
  }

  return {
    searchGet: (req: RouteRequest): RouteResult => {
      const input = readSearchQuery(req.query);
      return 'status' in input ? input : search(input);
    },
    searchPost: (req: RouteRequest): RouteResult => {
      const input = readSearchBody(req.body);
      return 'status' in input ? input : search(input);
    },
    removedSearch: (): RouteResult =>
      jiraError(410, [
        'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
      ]),
  };
}
