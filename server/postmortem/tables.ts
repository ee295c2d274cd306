/**
 * The tables of a post-mortem: a timeline or action items, told apart by their columns
 * (and, when the columns could be either, by the section they sit in), read row by row.
 */
import type { Table } from 'mdast';
import type { IsoDate, IsoInstant, PostmortemActionRow, TimelineEvent } from '../domain/types.js';
import { checkActionItemCount } from './limits.js';
import { lineOf, linksIn, textOf, type Section } from './outline.js';
import type { ReportProblem } from './problems.js';
import { cleanText, isJiraKey, isPlaceholder, parseCalendarDate, parseMoment } from './values.js';
import { ACTION_COLUMNS, normaliseHeading, TIMELINE_COLUMNS, type ColumnRule } from './vocabulary.js';

type Row = Table['children'][number];

function columnsOf<K extends string>(table: Table, rules: Array<ColumnRule<K>>): Map<K, number> {
  const columns = new Map<K, number>();
  const header = table.children[0];
  header?.children.forEach((cell, index) => {
    const name = normaliseHeading(textOf(cell))
      .replace(/\(.*?\)/g, '')
      .trim();
    const rule = rules.find((r) => !columns.has(r.kind) && r.pattern.test(name));
    if (rule) columns.set(rule.kind, index);
  });
  return columns;
}

function cell(row: Row, index: number | undefined): string {
  if (index === undefined) return '';
  const c = row.children[index];
  return c ? textOf(c).replace(/\s+/g, ' ').trim() : '';
}

function cellLinks(row: Row, index: number | undefined): Array<{ text: string; url: string }> {
  if (index === undefined) return [];
  const c = row.children[index];
  return c ? linksIn(c) : [];
}

function isTimelineTable(table: Table): boolean {
  const columns = columnsOf(table, TIMELINE_COLUMNS);
  return columns.has('at') && columns.has('event');
}

function isActionTable(table: Table): boolean {
  const columns = columnsOf(table, ACTION_COLUMNS);
  return columns.has('description') && (columns.has('owner') || columns.has('dueDate') || columns.has('status'));
}

/**
 * "Due date | Description | Owner" also looks like "time | event | owner": the section
 * decides, else a due-date or status column, which timelines do not have.
 */
function readsAsActionItems(table: Table, section: Section): boolean {
  const actionColumns = columnsOf(table, ACTION_COLUMNS);
  const plannedWork =
    actionColumns.has('status') ||
    /due|deadline/.test(normaliseHeading(cell(table.children[0]!, actionColumns.get('dueDate'))));
  return (
    isActionTable(table) &&
    (section.kind === 'actionItems' || !isTimelineTable(table) || (section.kind !== 'timeline' && plannedWork))
  );
}

export interface TablesRead {
  timeline: TimelineEvent[];
  actionItems: PostmortemActionRow[];
}

/** Every table of the document, by its columns, in whichever section it sits. */
export function readTables(
  sections: Section[],
  into: TablesRead,
  options: { zone: string; startedAt: IsoInstant | null; problem: ReportProblem; warnings: string[] },
): void {
  const tables = sections.flatMap((section) =>
    section.nodes.filter((n): n is Table => n.type === 'table').map((table) => ({ table, section })),
  );
  for (const { table, section } of tables) {
    if (readsAsActionItems(table, section)) {
      into.actionItems.push(...readActionTable(table, options.problem));
      checkActionItemCount(into.actionItems.length);
    } else if (isTimelineTable(table)) {
      into.timeline.push(...readTimelineTable(table, options.zone, options.startedAt, options.problem));
    } else {
      options.warnings.push(
        `line ${lineOf(table)}: a table whose columns are neither a timeline nor action items; ignored`,
      );
    }
  }
}

const JIRA_BROWSE = /\/browse\/([A-Z][A-Z0-9_]+-[1-9]\d*)\b/;

/** The key a reference names: `TEAMA-30`, or a link to `.../browse/TEAMA-30`. */
function jiraKeyIn(text: string, links: Array<{ text: string; url: string }>): string | null {
  if (isJiraKey(text)) return text.trim();
  for (const link of links) {
    const match = JIRA_BROWSE.exec(link.url);
    if (match?.[1]) return match[1];
  }
  return null;
}

function readTimelineTable(
  table: Table,
  zone: string,
  startedAt: IsoInstant | null,
  problem: ReportProblem,
): TimelineEvent[] {
  const columns = columnsOf(table, TIMELINE_COLUMNS);
  const events: TimelineEvent[] = [];
  let baseDate: IsoDate | null = startedAt?.slice(0, 10) ?? null;
  let previous: IsoInstant | null = null;
  table.children.slice(1).forEach((row, index) => {
    const rowName = `timeline row ${index + 1}`;
    const atText = cell(row, columns.get('at'));
    const event = cleanText(cell(row, columns.get('event')));
    const owner = cleanText(cell(row, columns.get('owner')));
    if (event === null && owner === null && isPlaceholder(atText)) return;
    if (event === null) {
      problem(lineOf(row), 'The event is empty; describe what happened or delete the row', rowName);
      return;
    }
    const parsed = parseMoment(atText, zone, baseDate);
    if (parsed === undefined) {
      problem(
        lineOf(row),
        baseDate === null && /^\d{1,2}:\d{2}/.test(atText.trim())
          ? `The time "${atText}" has no date and the summary gives no start date; write "2026-11-03 14:05"`
          : `The timestamp "${atText}" is not a date and time; write it like "2026-11-03 14:05" (UTC) or "Nov 3, 2026 14:05"`,
        rowName,
      );
      return;
    }
    let at = parsed?.instant ?? null;
    if (parsed && !parsed.hasDate && previous && at! < previous) {
      // A time of day earlier than the previous row's: the incident ran past midnight.
      at = new Date(Date.parse(at!) + 86_400_000).toISOString();
    }
    if (at) {
      previous = at;
      if (parsed?.hasDate) baseDate = at.slice(0, 10);
    }
    events.push({ at, event, owner, source: 'document' });
  });
  return events;
}

function readActionTable(table: Table, problem: ReportProblem): PostmortemActionRow[] {
  const columns = columnsOf(table, ACTION_COLUMNS);
  const rows: PostmortemActionRow[] = [];
  table.children.slice(1).forEach((row, index) => {
    const rowName = `action items row ${index + 1}`;
    const refText = cleanText(cell(row, columns.get('ref')));
    const jiraText = cleanText(cell(row, columns.get('jiraKey')));
    const description = cleanText(cell(row, columns.get('description')));
    const owner = cleanText(cell(row, columns.get('owner')));
    const dueText = cell(row, columns.get('dueDate'));
    const status = cleanText(cell(row, columns.get('status')));
    if (refText === null && jiraText === null && description === null && owner === null && isPlaceholder(dueText))
      return;
    if (description === null) {
      problem(
        lineOf(row),
        'The description is empty; every action item needs one (it becomes the ticket summary)',
        rowName,
      );
      return;
    }
    const dueDate = parseCalendarDate(dueText);
    if (dueDate === undefined) {
      problem(
        lineOf(row),
        `The due date "${dueText}" is not a date; write it like 2026-11-03 or "Nov 3, 2026"`,
        rowName,
      );
      return;
    }
    let jiraKey: string | null = null;
    if (jiraText !== null) {
      jiraKey = jiraKeyIn(jiraText, cellLinks(row, columns.get('jiraKey')));
      if (jiraKey === null) {
        problem(lineOf(row), `The Jira column "${jiraText}" is not an issue key such as TEAMA-30`, rowName);
        return;
      }
    }
    const refKey = refText === null ? null : jiraKeyIn(refText, cellLinks(row, columns.get('ref')));
    rows.push({ ref: refKey ?? refText, jiraKey, description, owner, dueDate, status });
  });
  return rows;
}
