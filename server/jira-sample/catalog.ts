/**
 * The sample site's fixed configuration: projects, issue types, workflows' statuses,
 * priorities, resolutions, link types and custom fields, shaped the way Jira Cloud
 * describes them. Custom field ids follow Jira's numbering (`customfield_10040`).
 */

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface StatusDef {
  id: string;
  name: string;
  category: StatusCategoryKey;
}

export const STATUS_CATEGORIES: Record<
  StatusCategoryKey,
  { id: number; key: StatusCategoryKey; colorName: string; name: string }
> = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

export const STATUSES: StatusDef[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10001', name: 'Done', category: 'done' },
  { id: '10002', name: "Won't Do", category: 'done' },
  { id: '10003', name: 'Open', category: 'new' },
  { id: '10004', name: 'Investigating', category: 'indeterminate' },
  { id: '10005', name: 'Mitigated', category: 'indeterminate' },
  { id: '10006', name: 'Resolved', category: 'done' },
  { id: '6', name: 'Closed', category: 'done' },
  { id: '10007', name: 'In Review', category: 'indeterminate' },
];

export function statusByName(name: string): StatusDef | undefined {
  const lower = name.toLowerCase();
  return STATUSES.find((s) => s.name.toLowerCase() === lower || s.id === name);
}

export interface IssueTypeDef {
  id: string;
  name: string;
  subtask: boolean;
  hierarchyLevel: number;
  description: string;
}

export const ISSUE_TYPES: IssueTypeDef[] = [
  { id: '10100', name: 'Incident', subtask: false, hierarchyLevel: 0, description: 'A service disruption.' },
  { id: '10101', name: 'Task', subtask: false, hierarchyLevel: 0, description: 'A task that needs to be done.' },
  {
    id: '10102',
    name: 'Sub-task',
    subtask: true,
    hierarchyLevel: -1,
    description: 'A small piece of work that is part of a larger task.',
  },
  {
    id: '10103',
    name: 'Problem',
    subtask: false,
    hierarchyLevel: 0,
    description: 'The cause of one or more incidents.',
  },
  {
    id: '10104',
    name: 'Bug',
    subtask: false,
    hierarchyLevel: 0,
    description: 'A problem that impairs a product or service.',
  },
  { id: '10105', name: 'Story', subtask: false, hierarchyLevel: 0, description: 'A user-facing piece of work.' },
];

export function issueTypeByName(name: string): IssueTypeDef | undefined {
  const lower = name.toLowerCase();
  return ISSUE_TYPES.find((t) => t.name.toLowerCase() === lower || t.id === name);
}

export interface ProjectDef {
  id: string;
  key: string;
  name: string;
  issueTypes: string[];
}

export const PROJECTS: ProjectDef[] = [
  { id: '10010', key: 'OPS', name: 'Operations', issueTypes: ['Incident', 'Problem', 'Task', 'Sub-task'] },
  { id: '10011', key: 'REL', name: 'Reliability Engineering', issueTypes: ['Task', 'Bug', 'Story', 'Sub-task'] },
];

export function projectByKeyOrId(value: string): ProjectDef | undefined {
  const upper = value.toUpperCase();
  return PROJECTS.find((p) => p.key === upper || p.id === value || p.name.toUpperCase() === upper);
}

export interface PriorityDef {
  id: string;
  name: string;
  rank: number;
}

export const PRIORITIES: PriorityDef[] = [
  { id: '1', name: 'Highest', rank: 1 },
  { id: '2', name: 'High', rank: 2 },
  { id: '3', name: 'Medium', rank: 3 },
  { id: '4', name: 'Low', rank: 4 },
  { id: '5', name: 'Lowest', rank: 5 },
];

export interface ResolutionDef {
  id: string;
  name: string;
  description: string;
}

export const RESOLUTIONS: ResolutionDef[] = [
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  { id: '10001', name: "Won't Do", description: "This issue won't be actioned." },
  { id: '10002', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
];

export interface LinkTypeDef {
  id: string;
  name: string;
  inward: string;
  outward: string;
}

export const LINK_TYPES: LinkTypeDef[] = [
  { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
  { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
  { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
  { id: '10004', name: 'Problem/Incident', inward: 'is caused by', outward: 'causes' },
  { id: '10005', name: 'Post-Incident Reviews', inward: 'is reviewed by', outward: 'reviews' },
];

export type CustomFieldKind = 'select' | 'multiselect' | 'datetime' | 'user' | 'number' | 'date' | 'text';

export interface CustomFieldDef {
  id: string;
  customId: number;
  name: string;
  kind: CustomFieldKind;
  options?: { id: string; value: string }[];
}

const CUSTOM_TYPE_URI: Record<CustomFieldKind, string> = {
  select: 'com.atlassian.jira.plugin.system.customfieldtypes:select',
  multiselect: 'com.atlassian.jira.plugin.system.customfieldtypes:multiselect',
  datetime: 'com.atlassian.jira.plugin.system.customfieldtypes:datetime',
  user: 'com.atlassian.jira.plugin.system.customfieldtypes:userpicker',
  number: 'com.atlassian.jira.plugin.system.customfieldtypes:float',
  date: 'com.atlassian.jira.plugin.system.customfieldtypes:datepicker',
  text: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield',
};

/** Mapped ones land in the demo config's `severityMap`; the last two do not, on purpose. */
export const SEVERITY_VALUES = ['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4', 'SEV-5', 'Sev 2 (legacy)'];
export const SERVICES = [
  'checkout',
  'payments',
  'search',
  'auth',
  'notifications',
  'inventory',
  'api-gateway',
  'data-pipeline',
];
/** The first five are keys of the default detectionMap; the rest are not. */
export const DETECTION_METHODS = [
  'Monitoring alert',
  'Automated alert',
  'Customer report',
  'Support ticket',
  'Internal report',
  'Synthetic check',
  'Other',
];

const options = (values: string[], firstId: number): { id: string; value: string }[] =>
  values.map((value, index) => ({ id: String(firstId + index), value }));

export const CUSTOM_FIELDS: CustomFieldDef[] = [
  { id: 'customfield_10015', customId: 10015, name: 'Start date', kind: 'date' },
  { id: 'customfield_10016', customId: 10016, name: 'Story point estimate', kind: 'number' },
  {
    id: 'customfield_10040',
    customId: 10040,
    name: 'Severity',
    kind: 'select',
    options: options(SEVERITY_VALUES, 10200),
  },
  {
    id: 'customfield_10041',
    customId: 10041,
    name: 'Affected services',
    kind: 'multiselect',
    options: options(SERVICES, 10300),
  },
  { id: 'customfield_10042', customId: 10042, name: 'Impact start', kind: 'datetime' },
  { id: 'customfield_10043', customId: 10043, name: 'Impact end', kind: 'datetime' },
  { id: 'customfield_10044', customId: 10044, name: 'Detected at', kind: 'datetime' },
  {
    id: 'customfield_10045',
    customId: 10045,
    name: 'Detection method',
    kind: 'select',
    options: options(DETECTION_METHODS, 10400),
  },
  { id: 'customfield_10046', customId: 10046, name: 'Incident commander', kind: 'user' },
  { id: 'customfield_10047', customId: 10047, name: 'Root cause category', kind: 'text' },
];

export const FIELD_IDS = {
  severity: 'customfield_10040',
  services: 'customfield_10041',
  impactStart: 'customfield_10042',
  impactEnd: 'customfield_10043',
  detectedAt: 'customfield_10044',
  detectionMethod: 'customfield_10045',
  commander: 'customfield_10046',
  rootCause: 'customfield_10047',
} as const;

export function customFieldById(id: string): CustomFieldDef | undefined {
  return CUSTOM_FIELDS.find((f) => f.id === id);
}

export interface SystemFieldDef {
  id: string;
  name: string;
  schema?: { type: string; system: string; items?: string };
  clauseNames: string[];
  orderable: boolean;
  searchable: boolean;
}

export const SYSTEM_FIELDS: SystemFieldDef[] = [
  {
    id: 'summary',
    name: 'Summary',
    schema: { type: 'string', system: 'summary' },
    clauseNames: ['summary'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'description',
    name: 'Description',
    schema: { type: 'string', system: 'description' },
    clauseNames: ['description'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'status',
    name: 'Status',
    schema: { type: 'status', system: 'status' },
    clauseNames: ['status'],
    orderable: false,
    searchable: true,
  },
  {
    id: 'issuetype',
    name: 'Issue Type',
    schema: { type: 'issuetype', system: 'issuetype' },
    clauseNames: ['issuetype', 'type'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'project',
    name: 'Project',
    schema: { type: 'project', system: 'project' },
    clauseNames: ['project'],
    orderable: false,
    searchable: true,
  },
  {
    id: 'priority',
    name: 'Priority',
    schema: { type: 'priority', system: 'priority' },
    clauseNames: ['priority'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'labels',
    name: 'Labels',
    schema: { type: 'array', items: 'string', system: 'labels' },
    clauseNames: ['labels'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'created',
    name: 'Created',
    schema: { type: 'datetime', system: 'created' },
    clauseNames: ['created', 'createdDate'],
    orderable: false,
    searchable: true,
  },
  {
    id: 'updated',
    name: 'Updated',
    schema: { type: 'datetime', system: 'updated' },
    clauseNames: ['updated', 'updatedDate'],
    orderable: false,
    searchable: true,
  },
  {
    id: 'resolutiondate',
    name: 'Resolved',
    schema: { type: 'datetime', system: 'resolutiondate' },
    clauseNames: ['resolutiondate', 'resolved'],
    orderable: false,
    searchable: true,
  },
  {
    id: 'resolution',
    name: 'Resolution',
    schema: { type: 'resolution', system: 'resolution' },
    clauseNames: ['resolution'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'duedate',
    name: 'Due date',
    schema: { type: 'date', system: 'duedate' },
    clauseNames: ['duedate', 'due'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'assignee',
    name: 'Assignee',
    schema: { type: 'user', system: 'assignee' },
    clauseNames: ['assignee'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'reporter',
    name: 'Reporter',
    schema: { type: 'user', system: 'reporter' },
    clauseNames: ['reporter'],
    orderable: true,
    searchable: true,
  },
  {
    id: 'issuelinks',
    name: 'Linked Issues',
    schema: { type: 'array', items: 'issuelinks', system: 'issuelinks' },
    clauseNames: [],
    orderable: true,
    searchable: true,
  },
  { id: 'parent', name: 'Parent', clauseNames: ['parent'], orderable: false, searchable: false },
  {
    id: 'subtasks',
    name: 'Sub-tasks',
    schema: { type: 'array', items: 'issuelinks', system: 'subtasks' },
    clauseNames: ['subtasks'],
    orderable: false,
    searchable: true,
  },
  {
    id: 'components',
    name: 'Components',
    schema: { type: 'array', items: 'component', system: 'components' },
    clauseNames: ['component'],
    orderable: true,
    searchable: true,
  },
  { id: 'issuekey', name: 'Key', clauseNames: ['id', 'issue', 'issuekey', 'key'], orderable: false, searchable: false },
  {
    id: 'statusCategory',
    name: 'Status Category',
    schema: { type: 'statusCategory', system: 'statusCategory' },
    clauseNames: ['statusCategory'],
    orderable: false,
    searchable: true,
  },
];

/** `GET /rest/api/3/field`: system fields then custom fields, as FieldDetails. */
export function fieldDetailsList(): Record<string, unknown>[] {
  const system = SYSTEM_FIELDS.map((f) => ({
    id: f.id,
    key: f.id,
    name: f.name,
    custom: false,
    orderable: f.orderable,
    navigable: true,
    searchable: f.searchable,
    clauseNames: f.clauseNames,
    ...(f.schema ? { schema: f.schema } : {}),
  }));
  const custom = CUSTOM_FIELDS.map((f) => ({
    id: f.id,
    key: f.id,
    name: f.name,
    untranslatedName: f.name,
    custom: true,
    orderable: true,
    navigable: true,
    searchable: true,
    clauseNames: [`cf[${f.customId}]`, f.name],
    schema: customFieldSchema(f),
  }));
  // FieldDetails does not declare untranslatedName; keep the published shape.
  return [...system, ...custom.map(({ untranslatedName: _u, ...rest }) => rest)];
}

export function customFieldSchema(f: CustomFieldDef): Record<string, unknown> {
  const type =
    f.kind === 'select' ? 'option' : f.kind === 'multiselect' ? 'array' : f.kind === 'text' ? 'string' : f.kind;
  return {
    type,
    ...(f.kind === 'multiselect' ? { items: 'option' } : {}),
    custom: CUSTOM_TYPE_URI[f.kind],
    customId: f.customId,
  };
}
