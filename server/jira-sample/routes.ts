/**
 * Route handlers of the sample Jira, one per Jira Cloud REST v3 operation the product
 * uses. A handler returns `{ status, body }` instead of writing the response, so the
 * server can inject a fault after the work is done (the "fail after doing" mode).
 */
import { randomUUID } from 'node:crypto';
import { CUSTOM_FIELDS, LINK_TYPES, STATUSES, fieldDetailsList, issueTypeByName, projectByKeyOrId } from './catalog.js';
import { compileJql } from './jql.js';
import { SampleDataError } from './model.js';
import type { AdfDoc, IssueStore, CustomValue, NewIssueInput, SampleIssue, SampleUser } from './model.js';
import {
  fieldNames,
  fieldSchemas,
  renderHistory,
  renderIssue,
  renderStatus,
  renderUser,
  resolveFieldSelection,
} from './render.js';
import type { RenderContext } from './render.js';

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  url: URL;
}

export interface RouteDeps {
  store: IssueStore;
  render: RenderContext;
  apiUser: SampleUser;
  clock: () => number;
}

/** Jira's error body. */
export function jiraError(status: number, messages: string[], errors: Record<string, string> = {}): RouteResult {
  return { status, body: { errorMessages: messages, errors } };
}

export const SEARCH_CHANGELOG_LIMIT = 40;
export const ISSUE_CHANGELOG_LIMIT = 100;
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

function encodeToken(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken(token: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
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

function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name);
  return values.length === 0
    ? undefined
    : values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean);
}

function intParam(query: URLSearchParams, name: string): number | undefined | 'invalid' {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  return /^-?\d+$/.test(raw) ? Number(raw) : 'invalid';
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

export function createRoutes(deps: RouteDeps) {
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

  function issueOr404(keyOrId: string): SampleIssue | RouteResult {
    const issue = store.get(keyOrId);
    return issue ?? jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
  }

  const isResult = (value: unknown): value is RouteResult =>
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    typeof (value as { status: unknown }).status === 'number';

  function getIssue(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const expand = new Set((listParam(req.query, 'expand') ?? []).map((e) => e.trim()));
    const fieldIds = resolveFieldSelection(listParam(req.query, 'fields'), 'all');
    return {
      status: 200,
      body: renderIssue(render, issue, {
        fieldIds,
        changelogLimit: expand.has('changelog') ? ISSUE_CHANGELOG_LIMIT : null,
        names: expand.has('names'),
        schema: expand.has('schema'),
        properties: listParam(req.query, 'properties') ?? [],
      }),
    };
  }

  function getChangelog(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const startAtParam = intParam(req.query, 'startAt');
    const maxParam = intParam(req.query, 'maxResults');
    if (startAtParam === 'invalid' || maxParam === 'invalid')
      return jiraError(400, ["'startAt' and 'maxResults' must be integers."]);
    const startAt = Math.max(0, startAtParam ?? 0);
    const maxResults = Math.min(100, Math.max(1, maxParam ?? 100));
    const total = issue.histories.length;
    const values = issue.histories.slice(startAt, startAt + maxResults).map((h) => renderHistory(render, h));
    const isLast = startAt + maxResults >= total;
    const self = `${render.baseUrl}/rest/api/3/issue/${issue.key}/changelog?maxResults=${maxResults}&startAt=${startAt}`;
    const body: Record<string, unknown> = { self, maxResults, startAt, total, isLast, values };
    if (!isLast)
      body.nextPage = `${render.baseUrl}/rest/api/3/issue/${issue.key}/changelog?maxResults=${maxResults}&startAt=${startAt + maxResults}`;
    return { status: 200, body };
  }

  function bulkChangelog(req: RouteRequest): RouteResult {
    const b = req.body as Record<string, unknown> | undefined;
    if (!b || typeof b !== 'object') return jiraError(400, ['The request body must be a JSON object.']);
    const keys = b.issueIdsOrKeys;
    if (!Array.isArray(keys) || keys.length < 1 || keys.length > 1000 || !keys.every((k) => typeof k === 'string')) {
      return jiraError(400, ['issueIdsOrKeys must list between 1 and 1000 issue ids or keys.'], {
        issueIdsOrKeys: 'between 1 and 1000 strings',
      });
    }
    const fieldIds = b.fieldIds;
    if (
      fieldIds !== undefined &&
      (!Array.isArray(fieldIds) || fieldIds.length > 10 || !fieldIds.every((f) => typeof f === 'string'))
    ) {
      return jiraError(400, ['fieldIds may list at most 10 field ids.'], { fieldIds: 'at most 10 strings' });
    }
    const max = b.maxResults === undefined ? 1000 : b.maxResults;
    if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 10000)
      return jiraError(400, ['maxResults must be between 1 and 10000.']);
    let position = { i: 0, h: 0 };
    if (b.nextPageToken !== undefined && b.nextPageToken !== null) {
      const token = typeof b.nextPageToken === 'string' ? decodeToken(b.nextPageToken) : null;
      if (!token || typeof token.i !== 'number' || typeof token.h !== 'number')
        return jiraError(400, ['The provided next page token is invalid or expired.']);
      position = { i: token.i, h: token.h };
    }
    const wanted = fieldIds === undefined || fieldIds.length === 0 ? null : new Set(fieldIds as string[]);
    const issueChangeLogs: { issueId: string; changeHistories: Record<string, unknown>[] }[] = [];
    let budget = max as number;
    let i = position.i;
    let h = position.h;
    while (i < keys.length && budget > 0) {
      const issue = store.get(keys[i] as string);
      if (!issue) {
        i++;
        h = 0;
        continue;
      }
      const histories: Record<string, unknown>[] = [];
      for (; h < issue.histories.length && budget > 0; h++) {
        const history = issue.histories[h];
        if (!history) continue;
        const filtered = wanted
          ? {
              ...history,
              items: history.items.filter((item) => item.fieldId !== undefined && wanted.has(item.fieldId)),
            }
          : history;
        if (filtered.items.length === 0) continue;
        histories.push(renderHistory(render, filtered));
        budget--;
      }
      if (histories.length > 0) issueChangeLogs.push({ issueId: String(issue.id), changeHistories: histories });
      if (h >= issue.histories.length) {
        i++;
        h = 0;
      }
    }
    const body: Record<string, unknown> = { issueChangeLogs };
    if (i < keys.length) body.nextPageToken = encodeToken({ i, h });
    return { status: 200, body };
  }

  /** Reads one IssueUpdateDetails (create) into a NewIssueInput, collecting errors by field like Jira. */
  function readCreate(body: unknown): {
    input?: NewIssueInput;
    errors: Record<string, string>;
    messages: string[];
    properties: { key: string; value: unknown }[];
  } {
    const errors: Record<string, string> = {};
    const messages: string[] = [];
    const properties: { key: string; value: unknown }[] = [];
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return { errors, messages: ['The request body must be a JSON object.'], properties };
    const b = body as Record<string, unknown>;
    const fields = (b.fields ?? {}) as Record<string, unknown>;
    if (typeof fields !== 'object' || Array.isArray(fields))
      return { errors, messages: ["'fields' must be an object."], properties };
    const ref = (
      value: unknown,
    ): { key?: string; id?: string; name?: string; value?: string; accountId?: string } | null =>
      value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : null;

    const projectRef = ref(fields.project);
    const project = projectRef ? projectByKeyOrId(projectRef.key ?? projectRef.id ?? '') : undefined;
    if (!project) errors.project = 'Specify a valid project ID or key';
    const typeRef = ref(fields.issuetype);
    const issueType = typeRef ? issueTypeByName(typeRef.name ?? typeRef.id ?? '') : undefined;
    if (!issueType || (project && !project.issueTypes.includes(issueType.name)))
      errors.issuetype = 'Specify an issue type';
    if (typeof fields.summary !== 'string' || fields.summary.trim() === '')
      errors.summary = 'You must specify a summary of the issue.';
    else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    const description = fields.description;
    if (description === undefined || description === null) errors.description = 'Description is required.';
    else if (!isAdf(description))
      errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    let labels: string[] = [];
    if (fields.labels !== undefined) {
      if (!Array.isArray(fields.labels) || !fields.labels.every((l) => typeof l === 'string'))
        errors.labels = 'Labels must be an array of strings.';
      else {
        labels = fields.labels as string[];
        const spaced = labels.find((l) => /\s/.test(l));
        if (spaced !== undefined) errors.labels = `The label '${spaced}' contains spaces which is invalid.`;
      }
    }
    let dueDate: string | null = null;
    if (fields.duedate !== undefined && fields.duedate !== null) {
      if (
        typeof fields.duedate !== 'string' ||
        !/^\d{4}-\d{2}-\d{2}$/.test(fields.duedate) ||
        Number.isNaN(Date.parse(fields.duedate))
      ) {
        errors.duedate = "Error parsing date string: the format is 'yyyy-MM-dd'.";
      } else dueDate = fields.duedate;
    }
    const userField = (name: string): string | null | undefined => {
      const value = fields[name];
      if (value === undefined) return undefined;
      if (value === null) return null;
      const r = ref(value);
      const user = r?.accountId ? store.user(r.accountId) : undefined;
      if (!user) {
        errors[name] = `Specify a valid value for ${name}`;
        return undefined;
      }
      return user.accountId;
    };
    const assigneeId = userField('assignee');
    const reporterId = userField('reporter');
    let priority: string | null | undefined;
    if (fields.priority !== undefined) {
      const r = ref(fields.priority);
      priority = r?.name ?? r?.id ?? null;
    }
    const parentRef = ref(fields.parent);
    const parentKey = parentRef ? (parentRef.key ?? parentRef.id ?? null) : null;
    if (parentRef && parentKey && !store.get(parentKey)) errors.parent = `Could not find issue by id or key.`;
    const custom: Record<string, CustomValue> = {};
    const known = new Set([
      'project',
      'issuetype',
      'summary',
      'description',
      'labels',
      'duedate',
      'assignee',
      'reporter',
      'priority',
      'parent',
    ]);
    for (const [name, value] of Object.entries(fields)) {
      if (known.has(name)) continue;
      const def = CUSTOM_FIELDS.find((f) => f.id === name);
      if (!def) {
        errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
        continue;
      }
      const parsed = readCustomValue(def, value);
      if (parsed === undefined) errors[name] = `Specify a valid value for ${def.name}`;
      else custom[name] = parsed;
    }
    if (b.properties !== undefined) {
      if (
        !Array.isArray(b.properties) ||
        !b.properties.every((p) => p && typeof p === 'object' && typeof (p as { key?: unknown }).key === 'string')
      ) {
        messages.push("'properties' must be an array of { key, value }.");
      } else properties.push(...(b.properties as { key: string; value: unknown }[]));
    }
    if (Object.keys(errors).length > 0 || messages.length > 0 || !project || !issueType)
      return { errors, messages, properties };
    return {
      errors,
      messages,
      properties,
      input: {
        projectKey: project.key,
        issueType: issueType.name,
        summary: fields.summary as string,
        description: description as AdfDoc,
        labels,
        dueDate,
        ...(assigneeId !== undefined ? { assigneeId } : {}),
        ...(reporterId !== undefined ? { reporterId } : {}),
        ...(priority !== undefined ? { priority } : {}),
        parentKey,
        custom,
        properties: Object.fromEntries(properties.map((p) => [p.key, p.value])),
      },
    };
  }

  function createOne(body: unknown): {
    created?: SampleIssue;
    error?: { status: number; errors: Record<string, string>; messages: string[] };
  } {
    const read = readCreate(body);
    if (!read.input) return { error: { status: 400, errors: read.errors, messages: read.messages } };
    try {
      return { created: store.create(read.input) };
    } catch (error) {
      if (error instanceof SampleDataError) {
        return {
          error: {
            status: error.status,
            errors: error.field ? { [error.field]: error.message } : {},
            messages: error.field ? [] : [error.message],
          },
        };
      }
      throw error;
    }
  }

  const createdBody = (issue: SampleIssue) => ({
    id: String(issue.id),
    key: issue.key,
    self: `${render.baseUrl}/rest/api/3/issue/${issue.id}`,
  });

  function createIssue(req: RouteRequest): RouteResult {
    const result = createOne(req.body);
    if (result.error) return jiraError(result.error.status, result.error.messages, result.error.errors);
    return { status: 201, body: createdBody(result.created as SampleIssue) };
  }

  function createIssues(req: RouteRequest): RouteResult {
    const b = req.body as { issueUpdates?: unknown } | undefined;
    if (!b || !Array.isArray(b.issueUpdates))
      return jiraError(400, ["'issueUpdates' must be an array of issues to create."]);
    if (b.issueUpdates.length > 50) return jiraError(400, ['You can create at most 50 issues in one request.']);
    const issues: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    b.issueUpdates.forEach((update, index) => {
      const result = createOne(update);
      if (result.created) issues.push(createdBody(result.created));
      else if (result.error) {
        errors.push({
          status: result.error.status,
          elementErrors: { errorMessages: result.error.messages, errors: result.error.errors },
          failedElementNumber: index,
        });
      }
    });
    return { status: issues.length > 0 || b.issueUpdates.length === 0 ? 201 : 400, body: { issues, errors } };
  }

  function linkIssues(req: RouteRequest): RouteResult {
    const b = req.body as Record<string, Record<string, string> | undefined> | undefined;
    if (!b || typeof b !== 'object') return jiraError(400, ['The request body must be a JSON object.']);
    const errors: Record<string, string> = {};
    const side = (name: 'inwardIssue' | 'outwardIssue'): string | undefined => {
      const value = b[name];
      const keyOrId = value && typeof value === 'object' ? (value.key ?? value.id) : undefined;
      if (typeof keyOrId !== 'string') errors[name] = `The ${name} with a key or id is required.`;
      return typeof keyOrId === 'string' ? keyOrId : undefined;
    };
    const inward = side('inwardIssue');
    const outward = side('outwardIssue');
    const typeRef = b.type;
    if (
      !typeRef ||
      typeof typeRef !== 'object' ||
      (typeof typeRef.name !== 'string' && typeof typeRef.id !== 'string')
    ) {
      errors.type = 'The issue link type with a name or id is required.';
    }
    if (Object.keys(errors).length > 0 || !inward || !outward || !typeRef) return jiraError(400, [], errors);
    const type = LINK_TYPES.find((t) =>
      typeRef.id !== undefined ? t.id === typeRef.id : t.name.toLowerCase() === String(typeRef.name).toLowerCase(),
    );
    if (!type) return jiraError(404, [`No issue link type with name '${typeRef.name ?? typeRef.id}' found.`]);
    if (!store.get(inward) || !store.get(outward)) return jiraError(404, ['Issue Does Not Exist']);
    store.link(inward, outward, type.id);
    return { status: 201 };
  }

  /**
   * `POST /rest/api/3/issue/{key}/transitions` with `{ transition: { id } }`. The sample's
   * workflow lets every status reach every other, and a transition's id is its target
   * status's id (as `GET .../transitions` on a simple Jira workflow often shows).
   */
  function transitionIssue(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const b = req.body as { transition?: { id?: unknown } } | undefined;
    const id = b?.transition?.id;
    if (typeof id !== 'string') return jiraError(400, [], { transition: "The transition with an 'id' is required." });
    const target = STATUSES.find((st) => st.id === id);
    if (!target) return jiraError(400, [], { transition: `Transition id '${id}' is not valid for this issue.` });
    store.transition(issue.key, target.name);
    return { status: 204 };
  }

  function linkTypes(): RouteResult {
    return {
      status: 200,
      body: {
        issueLinkTypes: LINK_TYPES.map((t) => ({ ...t, self: `${render.baseUrl}/rest/api/3/issueLinkType/${t.id}` })),
      },
    };
  }

  function linkType(req: RouteRequest): RouteResult {
    const type = LINK_TYPES.find((t) => t.id === req.params.issueLinkTypeId);
    if (!type) return jiraError(404, [`No issue link type with id '${req.params.issueLinkTypeId}' found.`]);
    return { status: 200, body: { ...type, self: `${render.baseUrl}/rest/api/3/issueLinkType/${type.id}` } };
  }

  function getProperty(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const key = req.params.propertyKey ?? '';
    if (!issue.properties?.has(key)) return jiraError(404, [`The property with key '${key}' does not exist.`]);
    return { status: 200, body: { key, value: issue.properties?.get(key) } };
  }

  function setProperty(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const key = req.params.propertyKey ?? '';
    if (key.length > 255) return jiraError(400, ['The property key cannot be longer than 255 characters.']);
    if (req.body === undefined) return jiraError(400, ['The property value must be valid JSON.']);
    if (JSON.stringify(req.body).length > 32_768)
      return jiraError(400, ['The property value cannot be longer than 32768 bytes.']);
    const isNew = store.setProperty(issue.key, key, req.body);
    return { status: isNew ? 201 : 200 };
  }

  function findUsers(req: RouteRequest): RouteResult {
    const query = req.query.get('query');
    const accountId = req.query.get('accountId');
    if (!query && !accountId)
      return jiraError(400, ["One of 'query' or 'accountId' query parameters must be provided."]);
    const startAt = Math.max(0, Number(req.query.get('startAt') ?? 0) || 0);
    const maxResults = Math.min(1000, Math.max(1, Number(req.query.get('maxResults') ?? 50) || 50));
    const needle = (query ?? '').toLowerCase();
    const matches = store.users.filter((u) => {
      if (accountId) return u.accountId === accountId;
      const words = u.displayName.toLowerCase().split(/\s+/);
      return (
        words.some((w) => w.startsWith(needle)) ||
        u.displayName.toLowerCase().startsWith(needle) ||
        u.emailAddress.toLowerCase().startsWith(needle)
      );
    });
    return { status: 200, body: matches.slice(startAt, startAt + maxResults).map((u) => renderUser(render, u)) };
  }

  function myself(): RouteResult {
    const user = renderUser(render, deps.apiUser) ?? {};
    return {
      status: 200,
      body: {
        ...user,
        timeZone: render.zone,
        locale: 'en_US',
        groups: { size: 3, items: [] },
        applicationRoles: { size: 1, items: [] },
        expand: 'groups,applicationRoles',
      },
    };
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
    fields: (): RouteResult => ({ status: 200, body: fieldDetailsList() }),
    // Added by the sync: changelog moves name statuses by id only; their categories come from here.
    statuses: (): RouteResult => ({ status: 200, body: STATUSES.map((s) => renderStatus(render, s)) }),
    myself,
    getIssue,
    getChangelog,
    bulkChangelog,
    createIssue,
    createIssues,
    linkIssues,
    transitionIssue,
    linkTypes,
    linkType,
    getProperty,
    setProperty,
    findUsers,
  };
}

function isAdf(value: unknown): value is AdfDoc {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const doc = value as Record<string, unknown>;
  return doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content);
}

function readCustomValue(def: (typeof CUSTOM_FIELDS)[number], value: unknown): CustomValue | undefined {
  if (value === null) return null;
  const optionId = (v: unknown): string | undefined => {
    if (!v || typeof v !== 'object') return undefined;
    const o = v as { id?: string; value?: string };
    return def.options?.find((opt) => opt.id === o.id || opt.value === o.value)?.id;
  };
  switch (def.kind) {
    case 'select':
      return optionId(value);
    case 'multiselect': {
      if (!Array.isArray(value)) return undefined;
      const ids = value.map(optionId);
      return ids.every((id): id is string => id !== undefined) ? ids : undefined;
    }
    case 'datetime': {
      if (typeof value !== 'string') return undefined;
      const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      return Number.isNaN(ms) ? undefined : ms;
    }
    case 'user': {
      const accountId = value && typeof value === 'object' ? (value as { accountId?: string }).accountId : undefined;
      return typeof accountId === 'string' ? accountId : undefined;
    }
    case 'number':
      return typeof value === 'number' ? value : undefined;
    default:
      return typeof value === 'string' ? value : undefined;
  }
}
