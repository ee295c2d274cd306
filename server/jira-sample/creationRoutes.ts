/**
 * Creating issues (`POST /rest/api/3/issue`, `POST /rest/api/3/issue/bulk`): an
 * IssueUpdateDetails body is checked field by field and its errors collected by field,
 * in Jira Cloud's words.
 */
import { CUSTOM_FIELDS, issueTypeByName, projectByKeyOrId } from './catalog.js';
import { SampleDataError } from './model.js';
import type { AdfDoc, CustomValue, NewIssueInput, SampleIssue } from './model.js';
import { jiraError, type RouteDeps, type RouteRequest, type RouteResult } from './routeKit.js';

export function creationRoutes(deps: RouteDeps) {
  const { store, render } = deps;

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

  return { createIssue, createIssues };
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
