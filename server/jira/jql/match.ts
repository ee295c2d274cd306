/**
 * Does an issue, as Jira just returned it, fall under a JQL? Decided from the issue's own
 * fields, so a webhook delivery costs one read of the issue and no search (Jira's search
 * index lags behind its writes). Only the clauses a configured JQL usually holds are judged
 * here: project, issue type, status, status category, labels, resolution, priority,
 * components, parent, key/id and custom fields by id, with =, !=, IN, NOT IN, IS (NOT) EMPTY,
 * AND, OR, NOT. Anything else (functions, dates, text search, fields by display name)
 * makes `compileJqlMatcher` return null, and the caller asks Jira instead.
 */
import { compileWhere, type JqlClause } from './evaluate.js';
import { parseJql, type JqlValue } from './parser.js';

export type IssueMatcher = (issue: { id: string; key: string; fields: Record<string, unknown> }) => boolean;

export interface CompiledMatcher {
  match: IssueMatcher;
  /** REST field ids the matcher reads (to request them with the issue). */
  fields: string[];
}

class Unsupported extends Error {}

/** The comparable texts of a field value: ids, keys, names and values, lower-cased. */
function texts(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (typeof value === 'string') return [value.toLowerCase()];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value).toLowerCase()];
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return ['id', 'key', 'name', 'value', 'accountId']
      .map((k) => o[k])
      .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
      .map((v) => String(v).toLowerCase());
  }
  return [];
}

interface FieldReader {
  restField: string | null;
  read(issue: Parameters<IssueMatcher>[0]): string[];
}

function fieldReader(name: string): FieldReader {
  const lower = name.toLowerCase();
  const plain = (restField: string): FieldReader => ({ restField, read: (issue) => texts(issue.fields[restField]) });
  switch (lower) {
    case 'project':
      return plain('project');
    case 'issuetype':
    case 'type':
      return plain('issuetype');
    case 'status':
      return plain('status');
    case 'statuscategory': {
      const reader = (issue: Parameters<IssueMatcher>[0]) =>
        texts((issue.fields.status as { statusCategory?: unknown } | null | undefined)?.statusCategory);
      return { restField: 'status', read: reader };
    }
    case 'labels':
      return plain('labels');
    case 'resolution':
      return plain('resolution');
    case 'priority':
      return plain('priority');
    case 'component':
    case 'components':
      return plain('components');
    case 'parent':
      return plain('parent');
    case 'key':
    case 'issuekey':
    case 'issue':
    case 'id':
      return { restField: null, read: (issue) => [issue.key.toLowerCase(), issue.id.toLowerCase()] };
  }
  const custom = /^(?:cf\[(\d+)\]|customfield_(\d+))$/.exec(lower);
  if (custom) return plain(`customfield_${custom[1] ?? custom[2]}`);
  throw new Unsupported(name);
}

function literal(value: JqlValue): string {
  if (value.kind !== 'literal') throw new Unsupported('function');
  return value.text.toLowerCase();
}

function compileClause(clause: JqlClause, fields: Set<string>): IssueMatcher {
  const reader = fieldReader(clause.field);
  if (reader.restField !== null) fields.add(reader.restField);
  if (clause.operator === 'is' || clause.operator === 'is not') {
    const empty = clause.operator === 'is';
    return (issue) => (reader.read(issue).length === 0) === empty;
  }
  const wanted = new Set(clause.values.map(literal));
  const hit = (issue: Parameters<IssueMatcher>[0]) => reader.read(issue).some((t) => wanted.has(t));
  switch (clause.operator) {
    case '=':
    case 'in':
      return hit;
    // As in Jira, a negative clause does not match an issue whose field is empty.
    case '!=':
    case 'not in':
      return (issue) => reader.read(issue).length > 0 && !hit(issue);
    default:
      throw new Unsupported(clause.operator);
  }
}

/** A matcher for the JQL, or null when the JQL uses something only Jira can judge. */
export function compileJqlMatcher(jql: string): CompiledMatcher | null {
  try {
    const query = parseJql(jql);
    if (query.where === null) return { match: () => true, fields: [] };
    const fields = new Set<string>();
    const match = compileWhere(query.where, (clause) => compileClause(clause, fields));
    return { match, fields: [...fields] };
  } catch {
    return null;
  }
}
