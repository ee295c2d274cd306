/**
 * The sample Jira's JQL search: a parsed query (server/jira/jql/) compiled into a predicate
 * over sample issues and a comparator for ORDER BY, evaluated the way Jira Cloud does:
 * absolute date literals read in the API user's time zone with minute precision, values
 * that name nothing (a project, an issue key) refused with Jira's own wording.
 */
import {
  CUSTOM_FIELDS,
  ISSUE_TYPES,
  PRIORITIES,
  RESOLUTIONS,
  STATUSES,
  STATUS_CATEGORIES,
  projectByKeyOrId,
} from './catalog.js';
import type { CustomFieldDef } from './catalog.js';
import { parseJqlDate, zoneOffsetMinutes } from './format.js';
import type { IssueStore, SampleIssue } from './model.js';
import { JqlError } from '../jira/jql/lexer.js';
import { compileWhere, type JqlClause } from '../jira/jql/evaluate.js';
import { parseJql, type JqlOperator, type JqlValue } from '../jira/jql/parser.js';
import { fieldMissing, operatorNotSupported, valueMissing } from './jqlErrors.js';
import { comparatorFor, type Comparator } from './jqlOrder.js';

export interface JqlContext {
  store: IssueStore;
  /** The API user's zone: absolute date literals are read in it. */
  zone: string;
  nowMs: number;
  currentUserId: string;
}

type Predicate = (issue: SampleIssue) => boolean;

/** A value as text; only `currentUser()` and date functions are evaluated, elsewhere a function is refused. */
function literalText(value: JqlValue, ctx: JqlContext, field: string): string {
  if (value.kind === 'literal') return value.text;
  if (value.kind === 'function' && value.name.toLowerCase() === 'currentuser') return ctx.currentUserId;
  if (value.kind === 'function')
    throw new JqlError(`Unable to find JQL function '${value.name}(${value.args.join(', ')})'.`);
  throw new JqlError(`The field '${field}' does not accept EMPTY with this operator.`);
}

const DAY_MS = 86_400_000;

function startOfDay(ms: number, zone: string): number {
  const offset = zoneOffsetMinutes(ms, zone) * 60_000;
  const local = Math.floor((ms + offset) / DAY_MS) * DAY_MS;
  return local - zoneOffsetMinutes(local - offset, zone) * 60_000;
}

function dateValue(value: JqlValue, ctx: JqlContext, field: string): number {
  if (value.kind === 'function') {
    const name = value.name.toLowerCase();
    const shift = value.args[0] ? parseJqlDate(value.args[0], ctx.zone, 0) : 0;
    if (shift === null) throw new JqlError(`Unable to find JQL function '${value.name}(${value.args.join(', ')})'.`);
    if (name === 'now') return ctx.nowMs;
    if (name === 'startofday') return startOfDay(ctx.nowMs + shift, ctx.zone);
    if (name === 'endofday') return startOfDay(ctx.nowMs + shift, ctx.zone) + DAY_MS - 1;
    throw new JqlError(`Unable to find JQL function '${value.name}(${value.args.join(', ')})'.`);
  }
  if (value.kind === 'empty') throw new JqlError(`The field '${field}' does not accept EMPTY with this operator.`);
  const ms = parseJqlDate(value.text, ctx.zone, ctx.nowMs);
  if (ms === null) {
    throw new JqlError(
      `Date value '${value.text}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
    );
  }
  return ms;
}

/** Equality-style operators over a set of matching keys. */
function membership(
  operator: JqlOperator,
  field: string,
  values: JqlValue[],
  resolve: (text: string) => string,
  read: (issue: SampleIssue) => string | null,
  ctx: JqlContext,
): Predicate {
  if (operator === 'is') return (issue) => read(issue) === null;
  if (operator === 'is not') return (issue) => read(issue) !== null;
  if (!['=', '!=', 'in', 'not in'].includes(operator)) throw operatorNotSupported(operator, field);
  const includesEmpty = values.some((v) => v.kind === 'empty');
  const wanted = new Set(values.filter((v) => v.kind !== 'empty').map((v) => resolve(literalText(v, ctx, field))));
  const negate = operator === '!=' || operator === 'not in';
  return (issue) => {
    const actual = read(issue);
    // As in Jira, a negated clause never matches an empty value.
    if (actual === null) return negate ? false : includesEmpty;
    return negate ? !wanted.has(actual) : wanted.has(actual);
  };
}

function compareDates(
  operator: JqlOperator,
  field: string,
  values: JqlValue[],
  read: (issue: SampleIssue) => number | null,
  ctx: JqlContext,
): Predicate {
  if (operator === 'is') return (issue) => read(issue) === null;
  if (operator === 'is not') return (issue) => read(issue) !== null;
  if (operator === 'in' || operator === 'not in') {
    const instants = new Set(values.map((v) => Math.floor(dateValue(v, ctx, field) / 60_000)));
    return (issue) => {
      const ms = read(issue);
      return ms !== null && instants.has(Math.floor(ms / 60_000)) === (operator === 'in');
    };
  }
  const first = values[0];
  if (!first) throw new JqlError(`Error in the JQL Query: a value is missing for the field '${field}'.`);
  const bound = dateValue(first, ctx, field);
  switch (operator) {
    case '>=':
      return (issue) => {
        const ms = read(issue);
        return ms !== null && ms >= bound;
      };
    case '>':
      return (issue) => {
        const ms = read(issue);
        return ms !== null && ms > bound;
      };
    case '<=':
      return (issue) => {
        const ms = read(issue);
        return ms !== null && ms <= bound;
      };
    case '<':
      return (issue) => {
        const ms = read(issue);
        return ms !== null && ms < bound;
      };
    case '=':
      return (issue) => {
        const ms = read(issue);
        return ms !== null && Math.floor(ms / 60_000) === Math.floor(bound / 60_000);
      };
    case '!=':
      return (issue) => {
        const ms = read(issue);
        return ms !== null && Math.floor(ms / 60_000) !== Math.floor(bound / 60_000);
      };
    default:
      throw operatorNotSupported(operator, field);
  }
}

function dueDateMs(issue: SampleIssue, zone: string): number | null {
  if (issue.dueDate === null) return null;
  return parseJqlDate(issue.dueDate, zone, 0);
}

function customFieldFor(name: string): CustomFieldDef | undefined {
  const cf = /^cf\[(\d+)\]$/i.exec(name) ?? /^customfield_(\d+)$/i.exec(name);
  if (cf) return CUSTOM_FIELDS.find((f) => f.customId === Number(cf[1]));
  return CUSTOM_FIELDS.find((f) => f.name.toLowerCase() === name.toLowerCase());
}

function propertyPath(field: string): { key: string; path: string[] } | null {
  const match = /^issue\.property\[([^\]]+)\](?:\.(.+))?$/i.exec(field);
  if (!match || !match[1]) return null;
  return { key: match[1].trim().replace(/^["']|["']$/g, ''), path: match[2] ? match[2].split('.') : [] };
}

function readProperty(issue: SampleIssue, key: string, path: string[]): string | null {
  let value: unknown = issue.properties?.get(key);
  for (const step of path) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[step];
  }
  if (value === undefined || value === null) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function compileClause(clause: JqlClause, ctx: JqlContext): Predicate {
  const { operator, values } = clause;
  const field = clause.field;
  const name = field.toLowerCase();
  const store = ctx.store;

  const property = propertyPath(field);
  if (property) {
    return membership(
      operator,
      field,
      values,
      (t) => t,
      (issue) => readProperty(issue, property.key, property.path),
      ctx,
    );
  }

  switch (name) {
    case 'project':
      return membership(
        operator,
        'project',
        values,
        (text) => {
          const project = projectByKeyOrId(text);
          if (!project) throw valueMissing(text, 'project');
          return project.key;
        },
        (issue) => issue.project.key,
        ctx,
      );
    case 'key':
    case 'issuekey':
    case 'id':
    case 'issue':
      return membership(
        operator,
        name,
        values,
        (text) => {
          const issue = store.get(text);
          if (!issue) throw new JqlError(`An issue with key '${text}' does not exist for field '${name}'.`);
          return issue.key;
        },
        (issue) => issue.key,
        ctx,
      );
    case 'parent':
      return membership(
        operator,
        'parent',
        values,
        (text) => {
          const issue = store.get(text);
          if (!issue) throw new JqlError(`An issue with key '${text}' does not exist for field 'parent'.`);
          return issue.key;
        },
        (issue) => (issue.parentId === null ? null : (store.getById(issue.parentId)?.key ?? null)),
        ctx,
      );
    case 'issuetype':
    case 'type':
      return membership(
        operator,
        'issuetype',
        values,
        (text) => {
          const type = ISSUE_TYPES.find((t) => t.name.toLowerCase() === text.toLowerCase() || t.id === text);
          if (!type) throw valueMissing(text, 'issuetype');
          return type.id;
        },
        (issue) => issue.issueType.id,
        ctx,
      );
    case 'status':
      return membership(
        operator,
        'status',
        values,
        (text) => {
          const status = STATUSES.find((s) => s.name.toLowerCase() === text.toLowerCase() || s.id === text);
          if (!status) throw valueMissing(text, 'status');
          return status.id;
        },
        (issue) => issue.status.id,
        ctx,
      );
    case 'statuscategory':
      return membership(
        operator,
        'statusCategory',
        values,
        (text) => {
          const category = Object.values(STATUS_CATEGORIES).find(
            (c) => c.name.toLowerCase() === text.toLowerCase() || c.key === text.toLowerCase() || String(c.id) === text,
          );
          if (!category) throw valueMissing(text, 'statusCategory');
          return category.key;
        },
        (issue) => issue.status.category,
        ctx,
      );
    case 'priority':
      return membership(
        operator,
        'priority',
        values,
        (text) => {
          const priority = PRIORITIES.find((p) => p.name.toLowerCase() === text.toLowerCase() || p.id === text);
          if (!priority) throw valueMissing(text, 'priority');
          return priority.id;
        },
        (issue) => issue.priority?.id ?? null,
        ctx,
      );
    case 'resolution':
      return membership(
        operator,
        'resolution',
        values,
        (text) => {
          if (text.toLowerCase() === 'unresolved') return '__unresolved__';
          const resolution = RESOLUTIONS.find((r) => r.name.toLowerCase() === text.toLowerCase() || r.id === text);
          if (!resolution) throw valueMissing(text, 'resolution');
          return resolution.id;
        },
        (issue) =>
          issue.resolution ? issue.resolution.id : operator === 'is' || operator === 'is not' ? null : '__unresolved__',
        ctx,
      );
    case 'assignee':
    case 'reporter':
      return membership(
        operator,
        name,
        values,
        (text) => {
          const user = store.users.find(
            (u) => u.accountId === text || u.emailAddress.toLowerCase() === text.toLowerCase(),
          );
          if (!user) throw valueMissing(text, name);
          return user.accountId;
        },
        (issue) => (name === 'assignee' ? issue.assigneeId : issue.reporterId),
        ctx,
      );
    case 'labels': {
      if (operator === 'is') return (issue) => issue.labels.length === 0;
      if (operator === 'is not') return (issue) => issue.labels.length > 0;
      if (!['=', '!=', 'in', 'not in'].includes(operator)) throw operatorNotSupported(operator, 'labels');
      const wanted = values.map((v) => literalText(v, ctx, 'labels'));
      if (operator === '=' || operator === 'in') return (issue) => wanted.some((w) => issue.labels.includes(w));
      // As in Jira, `labels != x` does not match issues that have no labels at all.
      return (issue) => issue.labels.length > 0 && !wanted.some((w) => issue.labels.includes(w));
    }
    case 'created':
    case 'createddate':
      return compareDates(operator, 'created', values, (issue) => issue.created, ctx);
    case 'updated':
    case 'updateddate':
      return compareDates(operator, 'updated', values, (issue) => issue.updated, ctx);
    case 'resolved':
    case 'resolutiondate':
      return compareDates(operator, 'resolved', values, (issue) => issue.resolutionDate, ctx);
    case 'due':
    case 'duedate':
      return compareDates(operator, 'due', values, (issue) => dueDateMs(issue, ctx.zone), ctx);
    case 'summary':
    case 'text': {
      if (operator !== '~' && operator !== '!~') throw operatorNotSupported(operator, name);
      const needle = literalText(values[0] ?? { kind: 'empty' }, ctx, name)
        .toLowerCase()
        .replace(/\*/g, '');
      return (issue) => issue.summary.toLowerCase().includes(needle) === (operator === '~');
    }
    default:
      break;
  }

  const custom = customFieldFor(field);
  if (custom) {
    if (custom.kind === 'datetime') {
      return compareDates(
        operator,
        custom.name,
        values,
        (issue) => {
          const raw = issue.custom[custom.id];
          return typeof raw === 'number' ? raw : null;
        },
        ctx,
      );
    }
    const optionId = (text: string): string => {
      const option = custom.options?.find((o) => o.value.toLowerCase() === text.toLowerCase() || o.id === text);
      if (!option) throw valueMissing(text, custom.name);
      return option.id;
    };
    if (custom.kind === 'multiselect') {
      if (operator === 'is')
        return (issue) => !Array.isArray(issue.custom[custom.id]) || (issue.custom[custom.id] as string[]).length === 0;
      if (operator === 'is not')
        return (issue) => Array.isArray(issue.custom[custom.id]) && (issue.custom[custom.id] as string[]).length > 0;
      if (!['=', '!=', 'in', 'not in'].includes(operator)) throw operatorNotSupported(operator, custom.name);
      const wanted = values.map((v) => optionId(literalText(v, ctx, custom.name)));
      const positive = operator === '=' || operator === 'in';
      return (issue) => {
        const actual = issue.custom[custom.id];
        const has = Array.isArray(actual) && wanted.some((w) => actual.includes(w));
        return positive ? has : Array.isArray(actual) && actual.length > 0 && !has;
      };
    }
    const resolve = custom.kind === 'select' ? optionId : (text: string) => text;
    return membership(
      operator,
      custom.name,
      values,
      resolve,
      (issue) => {
        const raw = issue.custom[custom.id];
        return raw === undefined || raw === null ? null : String(raw);
      },
      ctx,
    );
  }
  throw fieldMissing(field);
}

export interface CompiledJql {
  matches: Predicate;
  compare: Comparator;
}

/** Parses and compiles a JQL query; throws JqlError with Jira's wording when it cannot. */
export function compileJql(jql: string, ctx: JqlContext): CompiledJql {
  const query = parseJql(jql);
  if (!query.where) {
    throw new JqlError('Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
  }
  if (query.orderBy.length > 7) {
    throw new JqlError(`The ORDER BY clause can contain at most 7 fields; this query has ${query.orderBy.length}.`);
  }
  const matches = compileWhere<SampleIssue>(query.where, (clause) => compileClause(clause, ctx));
  // Without ORDER BY, Jira orders by created, newest first; ties fall back to id for stable pages.
  const orders =
    query.orderBy.length > 0
      ? query.orderBy.map((o) => comparatorFor(o, ctx))
      : [comparatorFor({ field: 'created', direction: 'desc' }, ctx)];
  const compare: Comparator = (a, b) => {
    for (const order of orders) {
      const result = order(a, b);
      if (result !== 0) return result;
    }
    return a.id - b.id;
  };
  return { matches, compare };
}
