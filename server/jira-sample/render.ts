/**
 * Turns stored issues into Jira Cloud REST v3 JSON: IssueBean, Changelog, User. Rendered
 * field maps are cached per issue version, so paging through tens of thousands of issues
 * costs little more than serialising them.
 */
import { CUSTOM_FIELDS, STATUS_CATEGORIES, customFieldSchema, SYSTEM_FIELDS } from './catalog.js';
import type { IssueTypeDef, PriorityDef, ProjectDef, ResolutionDef, StatusDef } from './catalog.js';
import { formatJiraDateTime } from './format.js';
import type { History, IssueStore, SampleIssue, SampleUser } from './model.js';

export interface RenderContext {
  baseUrl: string;
  /** Zone of system timestamps (the API user's zone). */
  zone: string;
  /** Zone custom date-time values were entered in; they keep its offset. */
  customFieldZone: string;
  store: IssueStore;
}

/** Fields `*navigable`/`*all` expand to, in the order Jira tends to return them. */
export const ALL_FIELD_IDS: string[] = [
  'summary',
  'status',
  'issuetype',
  'project',
  'priority',
  'labels',
  'created',
  'updated',
  'resolutiondate',
  'resolution',
  'duedate',
  'assignee',
  'reporter',
  'description',
  'issuelinks',
  'parent',
  'subtasks',
  'components',
  ...CUSTOM_FIELDS.map((f) => f.id),
];

const KNOWN_FIELD_IDS = new Set(ALL_FIELD_IDS);

export const EXPAND_VALUE = 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations';

const userCache = new WeakMap<SampleUser, { baseUrl: string; rendered: Record<string, unknown> }>();

/** A user as Jira renders it; users never change, so each is rendered once per server. */
export function renderUser(ctx: RenderContext, user: SampleUser | undefined): Record<string, unknown> | null {
  if (!user) return null;
  const cached = userCache.get(user);
  if (cached && cached.baseUrl === ctx.baseUrl) return cached.rendered;
  const rendered = {
    self: `${ctx.baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
    accountId: user.accountId,
    emailAddress: user.emailAddress,
    avatarUrls: avatarUrls(user.accountId),
    displayName: user.displayName,
    active: user.active,
    timeZone: user.timeZone,
    accountType: 'atlassian',
  };
  userCache.set(user, { baseUrl: ctx.baseUrl, rendered });
  return rendered;
}

function avatarUrls(seed: string): Record<string, string> {
  const base = `https://avatar-management.services.atlassian.com/default/${encodeURIComponent(seed.slice(-6))}`;
  return { '48x48': `${base}/48`, '24x24': `${base}/24`, '16x16': `${base}/16`, '32x32': `${base}/32` };
}

export function renderStatus(ctx: RenderContext, status: StatusDef): Record<string, unknown> {
  const category = STATUS_CATEGORIES[status.category];
  return {
    self: `${ctx.baseUrl}/rest/api/3/status/${status.id}`,
    description: '',
    iconUrl: `${ctx.baseUrl}/images/icons/statuses/generic.png`,
    name: status.name,
    id: status.id,
    statusCategory: {
      self: `${ctx.baseUrl}/rest/api/3/statuscategory/${category.id}`,
      id: category.id,
      key: category.key,
      colorName: category.colorName,
      name: category.name,
    },
  };
}

export function renderIssueType(ctx: RenderContext, type: IssueTypeDef): Record<string, unknown> {
  return {
    self: `${ctx.baseUrl}/rest/api/3/issuetype/${type.id}`,
    id: type.id,
    description: type.description,
    iconUrl: `${ctx.baseUrl}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${type.id}?size=medium`,
    name: type.name,
    subtask: type.subtask,
    avatarId: Number(type.id),
    hierarchyLevel: type.hierarchyLevel,
  };
}

function renderProject(ctx: RenderContext, project: ProjectDef): Record<string, unknown> {
  return {
    self: `${ctx.baseUrl}/rest/api/3/project/${project.id}`,
    id: project.id,
    key: project.key,
    name: project.name,
    projectTypeKey: project.key === 'OPS' ? 'service_desk' : 'software',
    simplified: false,
    avatarUrls: avatarUrls(project.key),
  };
}

function renderPriority(ctx: RenderContext, priority: PriorityDef | null): Record<string, unknown> | null {
  if (!priority) return null;
  return {
    self: `${ctx.baseUrl}/rest/api/3/priority/${priority.id}`,
    iconUrl: `${ctx.baseUrl}/images/icons/priorities/${priority.name.toLowerCase()}.svg`,
    name: priority.name,
    id: priority.id,
  };
}

function renderResolution(ctx: RenderContext, resolution: ResolutionDef | null): Record<string, unknown> | null {
  if (!resolution) return null;
  return {
    self: `${ctx.baseUrl}/rest/api/3/resolution/${resolution.id}`,
    id: resolution.id,
    description: resolution.description,
    name: resolution.name,
  };
}

/** The small issue summary Jira nests in links, parents and subtasks. */
function renderIssueRef(ctx: RenderContext, issue: SampleIssue): Record<string, unknown> {
  return {
    id: String(issue.id),
    key: issue.key,
    self: `${ctx.baseUrl}/rest/api/3/issue/${issue.id}`,
    fields: {
      summary: issue.summary,
      status: renderStatus(ctx, issue.status),
      priority: renderPriority(ctx, issue.priority),
      issuetype: renderIssueType(ctx, issue.issueType),
    },
  };
}

function renderLinks(ctx: RenderContext, issue: SampleIssue): Record<string, unknown>[] {
  const links: Record<string, unknown>[] = [];
  for (const linkId of issue.linkIds) {
    const link = ctx.store.links.get(linkId);
    if (!link) continue;
    const type = {
      id: link.type.id,
      name: link.type.name,
      inward: link.type.inward,
      outward: link.type.outward,
      self: `${ctx.baseUrl}/rest/api/3/issueLinkType/${link.type.id}`,
    };
    const base = { id: String(link.id), self: `${ctx.baseUrl}/rest/api/3/issueLink/${link.id}`, type };
    // Each side lists the other issue under the role that issue plays in the link.
    if (link.inwardId === issue.id) {
      const other = ctx.store.getById(link.outwardId);
      if (other) links.push({ ...base, outwardIssue: renderIssueRef(ctx, other) });
    }
    if (link.outwardId === issue.id) {
      const other = ctx.store.getById(link.inwardId);
      if (other) links.push({ ...base, inwardIssue: renderIssueRef(ctx, other) });
    }
  }
  return links;
}

function renderCustomValue(ctx: RenderContext, fieldId: string, issue: SampleIssue): unknown {
  const def = CUSTOM_FIELDS.find((f) => f.id === fieldId);
  const raw = issue.custom[fieldId];
  if (!def || raw === undefined || raw === null) return null;
  const option = (id: string): Record<string, unknown> => ({
    self: `${ctx.baseUrl}/rest/api/3/customFieldOption/${id}`,
    value: def.options?.find((o) => o.id === id)?.value ?? id,
    id,
  });
  switch (def.kind) {
    case 'select':
      return option(String(raw));
    case 'multiselect':
      return Array.isArray(raw) ? raw.map(option) : [option(String(raw))];
    case 'datetime':
      return typeof raw === 'number' ? formatJiraDateTime(raw, ctx.customFieldZone) : raw;
    case 'user':
      return renderUser(ctx, ctx.store.user(String(raw))) ?? null;
    default:
      return raw;
  }
}

/** Whether an issue carries custom fields at all (as null when empty): the OPS screens have them. */
function hasCustomFields(issue: SampleIssue): boolean {
  return issue.project.key === 'OPS' || Object.keys(issue.custom).length > 0;
}

const ABSENT = Symbol('absent');

/** One field's value as Jira renders it, or ABSENT when the issue does not have that field. */
function renderField(ctx: RenderContext, issue: SampleIssue, fieldId: string): unknown {
  switch (fieldId) {
    case 'summary':
      return issue.summary;
    case 'status':
      return renderStatus(ctx, issue.status);
    case 'issuetype':
      return renderIssueType(ctx, issue.issueType);
    case 'project':
      return renderProject(ctx, issue.project);
    case 'priority':
      return renderPriority(ctx, issue.priority);
    case 'labels':
      return issue.labels;
    case 'created':
      return formatJiraDateTime(issue.created, ctx.zone);
    case 'updated':
      return formatJiraDateTime(issue.updated, ctx.zone);
    case 'resolutiondate':
      return issue.resolutionDate === null ? null : formatJiraDateTime(issue.resolutionDate, ctx.zone);
    case 'resolution':
      return renderResolution(ctx, issue.resolution);
    case 'duedate':
      return issue.dueDate;
    case 'assignee':
      return renderUser(ctx, ctx.store.user(issue.assigneeId));
    case 'reporter':
      return renderUser(ctx, ctx.store.user(issue.reporterId));
    case 'description':
      return issue.description;
    case 'issuelinks':
      return renderLinks(ctx, issue);
    case 'subtasks':
      return issue.childIds.flatMap((id) => {
        const child = ctx.store.getById(id);
        return child ? [renderIssueRef(ctx, child)] : [];
      });
    case 'components':
      return [];
    case 'parent': {
      const parent = issue.parentId === null ? undefined : ctx.store.getById(issue.parentId);
      return parent ? renderIssueRef(ctx, parent) : ABSENT;
    }
    default:
      return fieldId.startsWith('customfield_') && hasCustomFields(issue)
        ? renderCustomValue(ctx, fieldId, issue)
        : ABSENT;
  }
}

/** Rendered field values per issue, filled field by field and dropped when the issue (or a neighbour) changes. */
const fieldCache = new WeakMap<SampleIssue, { version: number; fields: Map<string, unknown> }>();

function cachedField(ctx: RenderContext, issue: SampleIssue, fieldId: string): unknown {
  let entry = fieldCache.get(issue);
  if (!entry || entry.version !== issue.version) {
    entry = { version: issue.version, fields: new Map() };
    fieldCache.set(issue, entry);
  }
  if (entry.fields.has(fieldId)) return entry.fields.get(fieldId);
  const value = renderField(ctx, issue, fieldId);
  entry.fields.set(fieldId, value);
  return value;
}

/**
 * Which fields a request asked for: `*all`, `*navigable`, ids, `-id` exclusions; Jira's
 * default for search is `id` only (no fields object at all).
 */
export function resolveFieldSelection(requested: string[] | undefined, fallback: 'id' | 'all'): string[] {
  const tokens = (requested ?? [])
    .flatMap((f) => f.split(','))
    .map((f) => f.trim())
    .filter(Boolean);
  if (tokens.length === 0) return fallback === 'all' ? [...ALL_FIELD_IDS] : [];
  const selected = new Set<string>();
  const excluded = new Set<string>();
  for (const token of tokens) {
    if (token === '*all' || token === '*navigable') ALL_FIELD_IDS.forEach((f) => selected.add(f));
    else if (token.startsWith('-')) excluded.add(token.slice(1));
    else if (token === 'id' || token === 'key') continue;
    else if (KNOWN_FIELD_IDS.has(token)) selected.add(token);
  }
  return [...selected].filter((f) => !excluded.has(f));
}

export interface RenderOptions {
  fieldIds: string[];
  changelogLimit: number | null;
  names: boolean;
  schema: boolean;
  properties: string[];
}

const historyCache = new WeakMap<History, Record<string, unknown>>();

/** A changelog history; histories never change once written, so each is rendered once. */
export function renderHistory(ctx: RenderContext, history: History): Record<string, unknown> {
  const cached = historyCache.get(history);
  if (cached) return cached;
  const rendered = {
    id: String(history.id),
    author: renderUser(ctx, ctx.store.user(history.authorId)) ?? undefined,
    created: formatJiraDateTime(history.created, ctx.zone),
    // Jira Cloud sends null for an empty side of a change (jira.js models them as nullish). Leaving
    // `toString` out instead would let readers find Object.prototype.toString there.
    items: history.items.map((item) => ({
      field: item.field,
      fieldtype: item.fieldtype,
      ...(item.fieldId !== undefined ? { fieldId: item.fieldId } : {}),
      from: item.from,
      fromString: item.fromString,
      to: item.to,
      toString: item.toString,
    })),
  };
  historyCache.set(history, rendered);
  return rendered;
}

export function fieldNames(fieldIds: string[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const id of fieldIds) {
    const name = SYSTEM_FIELDS.find((f) => f.id === id)?.name ?? CUSTOM_FIELDS.find((f) => f.id === id)?.name;
    if (name) names[id] = name;
  }
  return names;
}

export function fieldSchemas(fieldIds: string[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const id of fieldIds) {
    const system = SYSTEM_FIELDS.find((f) => f.id === id);
    if (system?.schema) schemas[id] = system.schema;
    const custom = CUSTOM_FIELDS.find((f) => f.id === id);
    if (custom) schemas[id] = customFieldSchema(custom);
  }
  return schemas;
}

export function renderIssue(ctx: RenderContext, issue: SampleIssue, options: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    expand: EXPAND_VALUE,
    id: String(issue.id),
    self: `${ctx.baseUrl}/rest/api/3/issue/${issue.id}`,
    key: issue.key,
  };
  if (options.fieldIds.length > 0) {
    const fields: Record<string, unknown> = {};
    for (const id of options.fieldIds) {
      const value = cachedField(ctx, issue, id);
      if (value !== ABSENT) fields[id] = value;
    }
    out.fields = fields;
  }
  if (options.properties.length > 0) {
    const properties: Record<string, unknown> = {};
    for (const key of options.properties) if (issue.properties?.has(key)) properties[key] = issue.properties.get(key);
    out.properties = properties;
  }
  if (options.changelogLimit !== null) {
    const total = issue.histories.length;
    const newest: Record<string, unknown>[] = [];
    for (let i = total - 1; i >= 0 && newest.length < options.changelogLimit; i--) {
      const history = issue.histories[i];
      if (history) newest.push(renderHistory(ctx, history));
    }
    out.changelog = { startAt: 0, maxResults: newest.length, total, histories: newest };
  }
  if (options.names) out.names = fieldNames(options.fieldIds);
  if (options.schema) out.schema = fieldSchemas(options.fieldIds);
  return out;
}
