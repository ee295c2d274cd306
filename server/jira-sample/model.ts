/**
 * The sample Jira's in-memory issue store. Times are epoch milliseconds here and are only
 * formatted on the way out, so seeding 60,000 issues stays cheap. Every write bumps
 * `updated` and appends a changelog history, the way Jira does, so a poller sees it.
 */
import {
  LINK_TYPES,
  PRIORITIES,
  RESOLUTIONS,
  customFieldById,
  issueTypeByName,
  projectByKeyOrId,
  statusByName,
} from './catalog.js';
import type { IssueTypeDef, LinkTypeDef, PriorityDef, ProjectDef, ResolutionDef, StatusDef } from './catalog.js';

export interface SampleUser {
  accountId: string;
  displayName: string;
  emailAddress: string;
  active: boolean;
  timeZone: string;
}

export interface ChangeItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface History {
  id: number;
  created: number;
  authorId: string;
  items: ChangeItem[];
}

export interface IssueLink {
  id: number;
  type: LinkTypeDef;
  inwardId: number;
  outwardId: number;
}

/** An ADF document (Atlassian Document Format). */
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: unknown[];
}

/** Raw custom field values: option id, option ids, epoch ms, accountId, number, date or text. */
export type CustomValue = string | string[] | number | null;

/**
 * What the data API accepts for a custom field: the raw form, or the friendlier one a test
 * would write (an option's text such as "SEV-1", a Date or ISO string for a date-time).
 */
export type CustomInput = CustomValue | Date;

/** Turns friendly custom field input into the stored raw form; unknown option text is refused. */
export function normalizeCustom(fieldId: string, value: CustomInput): CustomValue {
  const def = customFieldById(fieldId);
  if (!def)
    throw new SampleDataError(
      `Field '${fieldId}' cannot be set. It is not on the appropriate screen, or unknown.`,
      400,
      fieldId,
    );
  if (value === null) return null;
  const optionId = (text: string): string => {
    const option = def.options?.find((o) => o.id === text || o.value === text);
    if (!option) throw new SampleDataError(`Option '${text}' is not valid for ${def.name}.`, 400, fieldId);
    return option.id;
  };
  if (def.kind === 'select') return optionId(String(value));
  if (def.kind === 'multiselect') return (Array.isArray(value) ? value : [String(value)]).map(optionId);
  if (def.kind === 'datetime') {
    const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
    if (typeof ms !== 'number' || Number.isNaN(ms))
      throw new SampleDataError(`'${String(value)}' is not a date-time for ${def.name}.`, 400, fieldId);
    return ms;
  }
  return value instanceof Date ? value.toISOString() : value;
}

export interface SampleIssue {
  id: number;
  key: string;
  project: ProjectDef;
  issueType: IssueTypeDef;
  summary: string;
  description: AdfDoc | null;
  status: StatusDef;
  resolution: ResolutionDef | null;
  resolutionDate: number | null;
  priority: PriorityDef | null;
  labels: string[];
  created: number;
  updated: number;
  dueDate: string | null;
  assigneeId: string | null;
  reporterId: string | null;
  parentId: number | null;
  childIds: number[];
  linkIds: number[];
  custom: Record<string, CustomValue>;
  /** Oldest first; ids increase with time. */
  histories: History[];
  /** Entity properties; null until the first one is set (most issues never get one). */
  properties: Map<string, unknown> | null;
  /** Bumped on every change; the renderer caches per version. */
  version: number;
}

export function adfParagraph(text: string): AdfDoc {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

export interface NewIssueInput {
  projectKey: string;
  issueType: string;
  summary: string;
  description?: AdfDoc | null;
  labels?: string[];
  priority?: string | null;
  dueDate?: string | null;
  assigneeId?: string | null;
  reporterId?: string | null;
  parentKey?: string | null;
  /** By field id; option text, Date and ISO strings are accepted (see CustomInput). */
  custom?: Record<string, CustomInput>;
  status?: string;
  created?: Date | number;
  properties?: Record<string, unknown>;
}

export interface IssueChanges {
  summary?: string;
  labels?: string[];
  dueDate?: string | null;
  assigneeId?: string | null;
  priority?: string | null;
  /** Custom field values by field id: option id or text, option list, Date/ISO/epoch ms, accountId. */
  custom?: Record<string, CustomInput>;
}

export class SampleDataError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

const toMs = (value: Date | number | undefined, fallback: number): number =>
  value === undefined ? fallback : typeof value === 'number' ? value : value.getTime();

/** A write, as Jira would announce it to its webhooks. */
export type SampleChange =
  | { event: 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted'; issue: SampleIssue }
  | { event: 'issuelink_created'; link: IssueLink };

export class IssueStore {
  readonly issues: SampleIssue[] = [];
  /** Told of every write after it is made (demo mode forwards them as signed webhook deliveries). */
  onChange: ((change: SampleChange) => void) | null = null;
  private readonly byKey = new Map<string, SampleIssue>();
  private readonly byId = new Map<number, SampleIssue>();
  readonly links = new Map<number, IssueLink>();
  readonly users: SampleUser[] = [];
  private readonly usersById = new Map<string, SampleUser>();
  private readonly nextNumber = new Map<string, number>();
  private nextIssueId = 10_000;
  private nextLinkId = 20_000;
  private nextHistoryId = 100_000;
  /** Bumped on every write so cached search snapshots know they are stale. */
  generation = 0;

  constructor(
    readonly clock: () => number,
    readonly apiUserId: string,
  ) {}

  addUser(user: SampleUser): void {
    this.users.push(user);
    this.usersById.set(user.accountId, user);
  }

  user(accountId: string | null): SampleUser | undefined {
    return accountId === null ? undefined : this.usersById.get(accountId);
  }

  get(keyOrId: string): SampleIssue | undefined {
    if (/^\d+$/.test(keyOrId)) return this.byId.get(Number(keyOrId));
    return this.byKey.get(keyOrId.toUpperCase());
  }

  getById(id: number): SampleIssue | undefined {
    return this.byId.get(id);
  }

  require(keyOrId: string): SampleIssue {
    const issue = this.get(keyOrId);
    if (!issue) throw new SampleDataError('Issue does not exist or you do not have permission to see it.', 404);
    return issue;
  }

  projectIssueCount(projectKey: string): number {
    return (this.nextNumber.get(projectKey) ?? 1) - 1;
  }

  /** Inserts an issue exactly as given (the seed uses this); no changelog is written. */
  insert(
    issue: Omit<SampleIssue, 'id' | 'key' | 'version' | 'childIds' | 'linkIds' | 'properties'> & {
      properties?: Map<string, unknown> | null;
    },
  ): SampleIssue {
    const number = this.nextNumber.get(issue.project.key) ?? 1;
    this.nextNumber.set(issue.project.key, number + 1);
    // Spelled out rather than spread: this runs 60,000 times for the benchmark seed.
    const full: SampleIssue = {
      id: this.nextIssueId++,
      key: `${issue.project.key}-${number}`,
      project: issue.project,
      issueType: issue.issueType,
      summary: issue.summary,
      description: issue.description,
      status: issue.status,
      resolution: issue.resolution,
      resolutionDate: issue.resolutionDate,
      priority: issue.priority,
      labels: issue.labels,
      created: issue.created,
      updated: issue.updated,
      dueDate: issue.dueDate,
      assigneeId: issue.assigneeId,
      reporterId: issue.reporterId,
      parentId: issue.parentId,
      childIds: [],
      linkIds: [],
      custom: issue.custom,
      histories: issue.histories,
      properties: issue.properties ?? null,
      version: 0,
    };
    this.issues.push(full);
    this.byKey.set(full.key, full);
    this.byId.set(full.id, full);
    if (full.parentId !== null) this.byId.get(full.parentId)?.childIds.push(full.id);
    this.generation++;
    return full;
  }

  newHistoryId(): number {
    return this.nextHistoryId++;
  }

  /** Creates an issue the way `POST /rest/api/3/issue` does: status To Do, created = updated = now. */
  create(input: NewIssueInput): SampleIssue {
    const project = projectByKeyOrId(input.projectKey);
    if (!project) throw new SampleDataError('Specify a valid project ID or key', 400, 'project');
    const issueType = issueTypeByName(input.issueType);
    if (!issueType || !project.issueTypes.includes(issueType.name)) {
      throw new SampleDataError('Specify a valid issue type', 400, 'issuetype');
    }
    let parentId: number | null = null;
    if (input.parentKey) {
      const parent = this.get(input.parentKey);
      if (!parent) throw new SampleDataError(`Could not find issue by id or key.`, 400, 'parent');
      parentId = parent.id;
    }
    if (issueType.subtask && parentId === null) {
      throw new SampleDataError('Given parent issue does not belong to appropriate hierarchy.', 400, 'parent');
    }
    const priority = input.priority === undefined ? (PRIORITIES[2] ?? null) : priorityByName(input.priority);
    const status = input.status ? statusByName(input.status) : statusByName('To Do');
    if (!status) throw new SampleDataError(`Status '${input.status}' does not exist.`, 400, 'status');
    const now = toMs(input.created, this.clock());
    const issue = this.insert({
      project,
      issueType,
      summary: input.summary,
      description: input.description ?? null,
      status,
      resolution: null,
      resolutionDate: null,
      priority,
      labels: [...(input.labels ?? [])],
      created: now,
      updated: now,
      dueDate: input.dueDate ?? null,
      assigneeId: input.assigneeId ?? null,
      reporterId: input.reporterId ?? this.apiUserId,
      parentId,
      custom: Object.fromEntries(
        Object.entries(input.custom ?? {}).map(([id, value]) => [id, normalizeCustom(id, value)]),
      ),
      histories: [],
      properties:
        input.properties && Object.keys(input.properties).length > 0 ? new Map(Object.entries(input.properties)) : null,
    });
    this.onChange?.({ event: 'jira:issue_created', issue });
    return issue;
  }

  /** Deletes an issue as Jira does: its links go, its subtasks lose their parent. */
  remove(keyOrId: string): SampleIssue {
    const issue = this.require(keyOrId);
    for (const linkId of issue.linkIds) {
      const link = this.links.get(linkId);
      if (!link) continue;
      this.links.delete(linkId);
      const other = this.byId.get(link.inwardId === issue.id ? link.outwardId : link.inwardId);
      if (other && other !== issue) {
        other.linkIds = other.linkIds.filter((id) => id !== linkId);
        other.version++;
      }
    }
    for (const childId of issue.childIds) {
      const child = this.byId.get(childId);
      if (child) child.parentId = null;
    }
    if (issue.parentId !== null) {
      const parent = this.byId.get(issue.parentId);
      if (parent) parent.childIds = parent.childIds.filter((id) => id !== issue.id);
    }
    this.issues.splice(this.issues.indexOf(issue), 1);
    this.byKey.delete(issue.key);
    this.byId.delete(issue.id);
    this.generation++;
    this.onChange?.({ event: 'jira:issue_deleted', issue });
    return issue;
  }

  private touch(issue: SampleIssue, at: number, items: ChangeItem[], authorId?: string): void {
    if (items.length > 0) {
      issue.histories.push({ id: this.nextHistoryId++, created: at, authorId: authorId ?? this.apiUserId, items });
    }
    issue.updated = Math.max(issue.updated, at);
    issue.version++;
    // Links, parents and subtasks embed this issue's summary and status: refresh them too.
    for (const linkId of issue.linkIds) {
      const link = this.links.get(linkId);
      if (!link) continue;
      const otherId = link.inwardId === issue.id ? link.outwardId : link.inwardId;
      const other = this.byId.get(otherId);
      if (other) other.version++;
    }
    if (issue.parentId !== null) {
      const parent = this.byId.get(issue.parentId);
      if (parent) parent.version++;
    }
    for (const childId of issue.childIds) {
      const child = this.byId.get(childId);
      if (child) child.version++;
    }
    this.generation++;
    this.onChange?.({ event: 'jira:issue_updated', issue });
  }

  /** Edits fields, bumps `updated` and appends one changelog history with an item per changed field. */
  update(keyOrId: string, changes: IssueChanges, at?: Date | number, authorId?: string): SampleIssue {
    const issue = this.require(keyOrId);
    const when = toMs(at, this.clock());
    const items: ChangeItem[] = [];
    if (changes.summary !== undefined && changes.summary !== issue.summary) {
      items.push({
        field: 'summary',
        fieldtype: 'jira',
        fieldId: 'summary',
        from: null,
        fromString: issue.summary,
        to: null,
        toString: changes.summary,
      });
      issue.summary = changes.summary;
    }
    if (changes.labels !== undefined) {
      items.push({
        field: 'labels',
        fieldtype: 'jira',
        fieldId: 'labels',
        from: null,
        fromString: issue.labels.join(' '),
        to: null,
        toString: changes.labels.join(' '),
      });
      issue.labels = [...changes.labels];
    }
    if (changes.dueDate !== undefined && changes.dueDate !== issue.dueDate) {
      items.push({
        field: 'duedate',
        fieldtype: 'jira',
        fieldId: 'duedate',
        from: issue.dueDate,
        fromString: issue.dueDate,
        to: changes.dueDate,
        toString: changes.dueDate,
      });
      issue.dueDate = changes.dueDate;
    }
    if (changes.assigneeId !== undefined && changes.assigneeId !== issue.assigneeId) {
      items.push({
        field: 'assignee',
        fieldtype: 'jira',
        fieldId: 'assignee',
        from: issue.assigneeId,
        fromString: this.user(issue.assigneeId)?.displayName ?? null,
        to: changes.assigneeId,
        toString: this.user(changes.assigneeId)?.displayName ?? null,
      });
      issue.assigneeId = changes.assigneeId;
    }
    if (changes.priority !== undefined) {
      const next = priorityByName(changes.priority);
      items.push({
        field: 'priority',
        fieldtype: 'jira',
        fieldId: 'priority',
        from: issue.priority?.id ?? null,
        fromString: issue.priority?.name ?? null,
        to: next?.id ?? null,
        toString: next?.name ?? null,
      });
      issue.priority = next;
    }
    for (const [fieldId, input] of Object.entries(changes.custom ?? {})) {
      const value = normalizeCustom(fieldId, input);
      const def = customFieldById(fieldId);
      if (!def) continue;
      items.push({
        field: def.name,
        fieldtype: 'custom',
        fieldId,
        from: null,
        fromString: describeCustom(fieldId, issue.custom[fieldId] ?? null),
        to: null,
        toString: describeCustom(fieldId, value),
      });
      issue.custom[fieldId] = value;
    }
    this.touch(issue, when, items, authorId);
    return issue;
  }

  /**
   * Moves an issue to a status. Entering category Done sets resolution and resolutiondate
   * unless `setResolution` is false (workflows without a resolution screen do that);
   * leaving Done clears them.
   */
  transition(
    keyOrId: string,
    statusName: string,
    options: { at?: Date | number; resolution?: string; setResolution?: boolean; authorId?: string } = {},
  ): SampleIssue {
    const issue = this.require(keyOrId);
    const target = statusByName(statusName);
    if (!target) throw new SampleDataError(`Status '${statusName}' does not exist.`, 400, 'status');
    const when = toMs(options.at, this.clock());
    const items: ChangeItem[] = [
      {
        field: 'status',
        fieldtype: 'jira',
        fieldId: 'status',
        from: issue.status.id,
        fromString: issue.status.name,
        to: target.id,
        toString: target.name,
      },
    ];
    const wasDone = issue.status.category === 'done';
    const isDone = target.category === 'done';
    if (isDone && !wasDone && options.setResolution !== false) {
      const resolution = resolutionByName(options.resolution ?? (target.name === "Won't Do" ? "Won't Do" : 'Done'));
      items.push({
        field: 'resolution',
        fieldtype: 'jira',
        fieldId: 'resolution',
        from: null,
        fromString: null,
        to: resolution.id,
        toString: resolution.name,
      });
      issue.resolution = resolution;
      issue.resolutionDate = when;
    } else if (!isDone && wasDone && issue.resolution) {
      items.push({
        field: 'resolution',
        fieldtype: 'jira',
        fieldId: 'resolution',
        from: issue.resolution.id,
        fromString: issue.resolution.name,
        to: null,
        toString: null,
      });
      issue.resolution = null;
      issue.resolutionDate = null;
    }
    issue.status = target;
    this.touch(issue, when, items, options.authorId);
    return issue;
  }

  /** Links two issues; a duplicate link "succeeds" without adding a second one, as in Jira. */
  link(inwardKey: string, outwardKey: string, typeName: string, at?: Date | number): IssueLink {
    const type = LINK_TYPES.find((t) => t.name.toLowerCase() === typeName.toLowerCase() || t.id === typeName);
    if (!type) throw new SampleDataError(`No issue link type with name '${typeName}' found.`, 404);
    const inward = this.require(inwardKey);
    const outward = this.require(outwardKey);
    for (const linkId of inward.linkIds) {
      const existing = this.links.get(linkId);
      if (
        existing &&
        existing.type.id === type.id &&
        existing.inwardId === inward.id &&
        existing.outwardId === outward.id
      )
        return existing;
    }
    const link = this.addLinkRaw(type, inward, outward);
    const when = toMs(at, this.clock());
    this.touch(inward, when, [
      {
        field: 'Link',
        fieldtype: 'jira',
        from: null,
        fromString: null,
        to: outward.key,
        toString: `This issue ${type.outward} ${outward.key}`,
      },
    ]);
    this.touch(outward, when, [
      {
        field: 'Link',
        fieldtype: 'jira',
        from: null,
        fromString: null,
        to: inward.key,
        toString: `This issue ${type.inward} ${inward.key}`,
      },
    ]);
    this.onChange?.({ event: 'issuelink_created', link });
    return link;
  }

  /** Adds a link without touching either issue (the seed writes history itself). */
  addLinkRaw(type: LinkTypeDef, inward: SampleIssue, outward: SampleIssue): IssueLink {
    const link: IssueLink = { id: this.nextLinkId++, type, inwardId: inward.id, outwardId: outward.id };
    this.links.set(link.id, link);
    inward.linkIds.push(link.id);
    if (outward !== inward) outward.linkIds.push(link.id);
    inward.version++;
    outward.version++;
    this.generation++;
    return link;
  }

  /** Sets an entity property; returns true when it was new. Jira does not bump `updated` for this. */
  setProperty(keyOrId: string, propertyKey: string, value: unknown): boolean {
    const issue = this.require(keyOrId);
    issue.properties ??= new Map();
    const isNew = !issue.properties.has(propertyKey);
    issue.properties.set(propertyKey, value);
    issue.version++;
    this.generation++;
    return isNew;
  }
}

export function priorityByName(name: string | null): PriorityDef | null {
  if (name === null) return null;
  const priority = PRIORITIES.find((p) => p.name.toLowerCase() === name.toLowerCase() || p.id === name);
  if (!priority) throw new SampleDataError(`The priority selected is invalid.`, 400, 'priority');
  return priority;
}

function resolutionByName(name: string): ResolutionDef {
  const resolution = RESOLUTIONS.find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (!resolution) throw new SampleDataError(`Resolution '${name}' does not exist.`, 400, 'resolution');
  return resolution;
}

function describeCustom(fieldId: string, value: CustomValue): string | null {
  if (value === null) return null;
  const def = customFieldById(fieldId);
  const optionValue = (id: string): string => def?.options?.find((o) => o.id === id)?.value ?? id;
  if (Array.isArray(value)) return value.map(optionValue).join(',');
  if (def?.kind === 'select') return optionValue(String(value));
  if (def?.kind === 'datetime' && typeof value === 'number') return new Date(value).toISOString();
  return String(value);
}
