/**
 * Jira issues to incidents and action items (README, "Configuration", and
 * docs/jira.md, "How the field mapping works"). Pure: everything an issue needs beyond itself (resolved
 * field ids, status categories, which keys are incidents) comes in through arguments.
 */
import {
  DETECTION_CATEGORIES,
  SEVERITIES,
  type ActionItem,
  type DetectionCategory,
  type FieldReadProblem,
  type Incident,
  type IsoInstant,
  type Severity,
  type StatusCategory,
  type TimelineEvent,
} from '../domain/types.js';
import type { JiraHistory, JiraIssue } from '../jira/JiraReader.js';
import type { MappedField, ResolvedFields } from './fieldMapping.js';
import { readDate, readInstant, readText, readTextList, type Read } from './fieldValues.js';

export interface MappingContext {
  /** TIMEZONE: dates without a time are 00:00 there. */
  timezone: string;
  fieldIds: ResolvedFields;
  severityMap: Record<string, string>;
  detectionMap: Record<string, string>;
  /** Category of a status by id (else by name); null when unknown. */
  statusCategory(id: string | null, name: string | null): StatusCategory | null;
  /** Browse link of an issue key. */
  browseUrl(key: string): string;
}

/** Fields every issue is read with. */
const COMMON_FIELDS = ['summary', 'status', 'created', 'updated', 'resolutiondate'];
export const ACTION_ITEM_FIELDS = [...COMMON_FIELDS, 'assignee', 'duedate', 'labels', 'parent', 'issuelinks'];
/** Changelog fields the sync reads (status for time points, assignee for the timeline). */
export const CHANGELOG_FIELD_IDS = ['status', 'assignee'];

/** Search `fields` for incidents: the common ones plus every mapped field, nothing else. */
export function incidentFields(fieldIds: ResolvedFields): string[] {
  const mapped = Object.values(fieldIds).filter((id): id is string => id !== null);
  return [...new Set([...COMMON_FIELDS, ...mapped])];
}

export function toStatusCategory(key: unknown): StatusCategory | null {
  if (key === 'new' || key === 'indeterminate' || key === 'done') return key;
  return null;
}

/** The issue's current status: name, id and category. */
export function currentStatus(fields: Record<string, unknown>): {
  id: string | null;
  name: string;
  category: StatusCategory | null;
} {
  const status = fields.status as
    { id?: unknown; name?: unknown; statusCategory?: { key?: unknown } } | null | undefined;
  if (!status || typeof status !== 'object') return { id: null, name: '', category: null };
  return {
    id: typeof status.id === 'string' ? status.id : null,
    name: typeof status.name === 'string' ? status.name : '',
    category: toStatusCategory(status.statusCategory?.key),
  };
}

function isStatusItem(item: { field: string; fieldId: string | null }): boolean {
  return item.fieldId === 'status' || (item.fieldId === null && item.field.toLowerCase() === 'status');
}

/** Histories oldest first (Jira's search sends them newest first; other endpoints oldest first). */
export function oldestFirst(histories: JiraHistory[]): JiraHistory[] {
  return histories
    .filter((h) => h.created !== '')
    .sort((a, b) =>
      a.created < b.created ? -1 : a.created > b.created ? 1 : Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : 1),
    );
}

export interface ChangelogPoints {
  /** First move out of category To Do. */
  leftToDoAt: IsoInstant | null;
  /** First move from outside category Done into it (even if reopened later). */
  firstDoneAt: IsoInstant | null;
  timeline: TimelineEvent[];
}

export function readChangelog(histories: JiraHistory[], ctx: Pick<MappingContext, 'statusCategory'>): ChangelogPoints {
  let leftToDoAt: IsoInstant | null = null;
  let firstDoneAt: IsoInstant | null = null;
  const timeline: TimelineEvent[] = [];
  for (const history of oldestFirst(histories)) {
    for (const item of history.items) {
      if (isStatusItem(item)) {
        const from = ctx.statusCategory(item.from, item.fromString);
        const to = ctx.statusCategory(item.to, item.toString);
        if (leftToDoAt === null && from === 'new' && to !== null && to !== 'new') leftToDoAt = history.created;
        if (firstDoneAt === null && from !== null && from !== 'done' && to === 'done') firstDoneAt = history.created;
        timeline.push({
          at: history.created,
          event: `Status: ${item.fromString ?? item.from ?? '(none)'} → ${item.toString ?? item.to ?? '(none)'}`,
          owner: history.author,
          source: 'jira',
        });
      } else if (item.fieldId === 'assignee' || (item.fieldId === null && item.field === 'assignee')) {
        timeline.push({
          at: history.created,
          event: item.toString ? `Assigned to ${item.toString}` : 'Unassigned',
          owner: history.author,
          source: 'jira',
        });
      }
    }
  }
  return { leftToDoAt, firstDoneAt, timeline };
}

/** Collects read problems and turns failed reads into missing values. */
class Reader {
  readonly problems: FieldReadProblem[] = [];
  take<T>(field: string, jiraField: string, read: Read<T>): T | null {
    if (read.ok) return read.value;
    this.problems.push({ field, reason: jiraField === field ? read.reason : `${jiraField}: ${read.reason}` });
    return null;
  }
}

/** created and updated are never missing on a real issue; fall back on each other if unreadable. */
function readStamps(issue: JiraIssue, reader: Reader, timezone: string): { createdAt: string; updatedAt: string } {
  const created = reader.take('created', 'created', readInstant(issue.fields.created, timezone));
  const updated = reader.take('updated', 'updated', readInstant(issue.fields.updated, timezone));
  const epoch = new Date(0).toISOString();
  return { createdAt: created ?? updated ?? epoch, updatedAt: updated ?? created ?? epoch };
}

function readStatus(issue: JiraIssue, reader: Reader, ctx: MappingContext): { name: string; category: StatusCategory } {
  const status = currentStatus(issue.fields);
  const category = status.category ?? ctx.statusCategory(status.id, status.name || null);
  if (category === null) {
    reader.problems.push({ field: 'status', reason: `no status category for status "${status.name || status.id}"` });
  }
  // Unknown category: neither open-and-new nor done; "in progress" is the least wrong reading.
  return { name: status.name, category: category ?? 'indeterminate' };
}

function mappedInstant(
  issue: JiraIssue,
  reader: Reader,
  ctx: MappingContext,
  point: MappedField,
): { mapped: boolean; value: IsoInstant | null } {
  const id = ctx.fieldIds[point];
  if (id === null) return { mapped: false, value: null };
  return { mapped: true, value: reader.take(point, id, readInstant(issue.fields[id], ctx.timezone)) };
}

function mappedText(issue: JiraIssue, reader: Reader, ctx: MappingContext, field: MappedField): string | null {
  const id = ctx.fieldIds[field];
  if (id === null) return null;
  return reader.take(field, id, readText(issue.fields[id]));
}

export function mapSeverity(text: string | null, severityMap: Record<string, string>): Severity | null {
  if (text === null || !Object.hasOwn(severityMap, text)) return null;
  const mapped = severityMap[text];
  return (SEVERITIES as readonly string[]).includes(mapped as string) ? (mapped as Severity) : null;
}

export function mapDetection(text: string | null, detectionMap: Record<string, string>): DetectionCategory {
  if (text === null || !Object.hasOwn(detectionMap, text)) return 'unknown';
  const mapped = detectionMap[text];
  return (DETECTION_CATEGORIES as readonly string[]).includes(mapped as string)
    ? (mapped as DetectionCategory)
    : 'unknown';
}

export function toIncident(issue: JiraIssue, ctx: MappingContext): Incident {
  const reader = new Reader();
  const { createdAt, updatedAt } = readStamps(issue, reader, ctx.timezone);
  const status = readStatus(issue, reader, ctx);
  const changelog = readChangelog(issue.histories, ctx);

  const started = mappedInstant(issue, reader, ctx, 'startedAt');
  const detected = mappedInstant(issue, reader, ctx, 'detectedAt');
  const acknowledged = mappedInstant(issue, reader, ctx, 'acknowledgedAt');
  const ended = mappedInstant(issue, reader, ctx, 'endedAt');

  const startedAt = started.mapped ? started.value : createdAt;
  const detectedAt = detected.mapped ? detected.value : createdAt;
  const acknowledgedAt = acknowledged.mapped ? acknowledged.value : changelog.leftToDoAt;
  const resolvedAt = readIncidentResolvedAt(issue, reader, ctx, status.category, changelog.firstDoneAt);
  const endedAt = ended.mapped ? ended.value : resolvedAt;

  const servicesId = ctx.fieldIds.services;
  const services =
    servicesId === null ? [] : (reader.take('services', servicesId, readTextList(issue.fields[servicesId])) ?? []);
  const detectionMethod = mappedText(issue, reader, ctx, 'detectionMethod');

  return {
    key: issue.key,
    jiraId: issue.id,
    source: 'jira',
    summary: typeof issue.fields.summary === 'string' ? issue.fields.summary : '',
    url: ctx.browseUrl(issue.key),
    status: status.name,
    statusCategory: status.category,
    severity: mapSeverity(mappedText(issue, reader, ctx, 'severity'), ctx.severityMap),
    services: [...new Set(services)],
    detectionMethod,
    detection: mapDetection(detectionMethod, ctx.detectionMap),
    commander: mappedText(issue, reader, ctx, 'commander'),
    createdAt,
    updatedAt,
    startedAt,
    detectedAt,
    acknowledgedAt,
    resolvedAt,
    endedAt,
    placeAt: startedAt ?? createdAt,
    timeline: changelog.timeline,
    readProblems: reader.problems,
  };
}

/** Incident resolvedAt: the mapped field; else `resolutiondate`; else the first move into Done if done now. */
function readIncidentResolvedAt(
  issue: JiraIssue,
  reader: Reader,
  ctx: MappingContext,
  category: StatusCategory,
  firstDoneAt: IsoInstant | null,
): IsoInstant | null {
  const mapped = mappedInstant(issue, reader, ctx, 'resolvedAt');
  if (mapped.mapped) return mapped.value;
  const raw = issue.fields.resolutiondate;
  if (raw !== null && raw !== undefined && raw !== '') {
    return reader.take('resolvedAt', 'resolutiondate', readInstant(raw, ctx.timezone));
  }
  return category === 'done' ? firstDoneAt : null;
}

/**
 * The incident an action item belongs to: its parent when that is an incident, else the
 * first issue link (either direction, any type) to an incident, in Jira's order.
 */
export function owningIncident(fields: Record<string, unknown>, isIncident: (key: string) => boolean): string | null {
  const parentKey = (fields.parent as { key?: unknown } | null | undefined)?.key;
  if (typeof parentKey === 'string' && isIncident(parentKey)) return parentKey;
  const links = Array.isArray(fields.issuelinks) ? fields.issuelinks : [];
  for (const link of links as Array<{ inwardIssue?: { key?: unknown }; outwardIssue?: { key?: unknown } }>) {
    const key = link?.outwardIssue?.key ?? link?.inwardIssue?.key;
    if (typeof key === 'string' && isIncident(key)) return key;
  }
  return null;
}

/** Every key an action item could belong to (parent and linked issues), to look up in the store. */
export function candidateIncidentKeys(fields: Record<string, unknown>): string[] {
  const keys: string[] = [];
  const parentKey = (fields.parent as { key?: unknown } | null | undefined)?.key;
  if (typeof parentKey === 'string') keys.push(parentKey);
  const links = Array.isArray(fields.issuelinks) ? fields.issuelinks : [];
  for (const link of links as Array<{ inwardIssue?: { key?: unknown }; outwardIssue?: { key?: unknown } }>) {
    for (const key of [link?.outwardIssue?.key, link?.inwardIssue?.key]) if (typeof key === 'string') keys.push(key);
  }
  return keys;
}

export function toActionItem(
  issue: JiraIssue,
  ctx: MappingContext,
  isIncident: (key: string) => boolean,
  documentRef: string | null = null,
): ActionItem {
  const reader = new Reader();
  const { createdAt, updatedAt } = readStamps(issue, reader, ctx.timezone);
  const status = readStatus(issue, reader, ctx);
  let resolvedAt: IsoInstant | null = null;
  if (status.category === 'done') {
    const raw = issue.fields.resolutiondate;
    resolvedAt =
      raw !== null && raw !== undefined && raw !== ''
        ? reader.take('resolvedAt', 'resolutiondate', readInstant(raw, ctx.timezone))
        : readChangelog(issue.histories, ctx).firstDoneAt;
  }
  const labels = reader.take('labels', 'labels', readTextList(issue.fields.labels)) ?? [];
  return {
    key: issue.key,
    jiraId: issue.id,
    summary: typeof issue.fields.summary === 'string' ? issue.fields.summary : '',
    incidentKey: owningIncident(issue.fields, isIncident),
    owner: reader.take('owner', 'assignee', readText(issue.fields.assignee)),
    status: status.name,
    statusCategory: status.category,
    jiraDueDate: reader.take('dueDate', 'duedate', readDate(issue.fields.duedate)),
    createdAt,
    updatedAt,
    resolvedAt,
    url: ctx.browseUrl(issue.key),
    labels,
    documentRef,
    readProblems: reader.problems,
  };
}
