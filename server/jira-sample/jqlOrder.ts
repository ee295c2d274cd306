/**
 * ORDER BY in the sample Jira's search: a comparator per field, as Jira Cloud orders
 * (empty values last; keys by project, then number).
 */
import type { JqlOrder } from '../jira/jql/parser.js';
import type { JqlContext } from './jql.js';
import { fieldMissing } from './jqlErrors.js';
import type { SampleIssue } from './model.js';

export type Comparator = (a: SampleIssue, b: SampleIssue) => number;

function nullsLast<T>(read: (issue: SampleIssue) => T | null, compare: (a: T, b: T) => number): Comparator {
  return (a, b) => {
    const x = read(a);
    const y = read(b);
    if (x === null) return y === null ? 0 : 1;
    if (y === null) return -1;
    return compare(x, y);
  };
}

const numeric = (x: number, y: number): number => x - y;
const textual = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
const keyOrder: Comparator = (a, b) =>
  textual(a.project.key, b.project.key) || numeric(Number(a.key.split('-')[1]), Number(b.key.split('-')[1]));

export function comparatorFor(order: JqlOrder, ctx: JqlContext): Comparator {
  const field = order.field.toLowerCase();
  let base: Comparator;
  switch (field) {
    case 'key':
    case 'issuekey':
      base = keyOrder;
      break;
    case 'id':
      base = (a, b) => a.id - b.id;
      break;
    case 'created':
    case 'createddate':
      base = (a, b) => a.created - b.created;
      break;
    case 'updated':
    case 'updateddate':
      base = (a, b) => a.updated - b.updated;
      break;
    case 'resolved':
    case 'resolutiondate':
      base = nullsLast((i) => i.resolutionDate, numeric);
      break;
    case 'due':
    case 'duedate':
      base = nullsLast((i) => i.dueDate, textual);
      break;
    case 'priority':
      base = nullsLast((i) => i.priority?.rank ?? null, numeric);
      break;
    case 'status':
      base = (a, b) => textual(a.status.name, b.status.name);
      break;
    case 'summary':
      base = (a, b) => textual(a.summary, b.summary);
      break;
    case 'project':
      base = (a, b) => textual(a.project.key, b.project.key);
      break;
    case 'issuetype':
    case 'type':
      base = (a, b) => textual(a.issueType.name, b.issueType.name);
      break;
    case 'assignee':
      base = nullsLast((i) => ctx.store.user(i.assigneeId)?.displayName ?? null, textual);
      break;
    default:
      throw fieldMissing(order.field);
  }
  return order.direction === 'desc' ? (a, b) => -base(a, b) : base;
}
