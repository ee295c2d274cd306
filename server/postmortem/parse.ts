/**
 * A filled-in post-mortem (the template in docs/postmortem-template.md; docs/import.md) → `Postmortem`.
 *
 * The markdown is parsed into a syntax tree (unified + remark-parse + remark-gfm, so
 * tables are real tables), and fields are found by what their labels and headings mean,
 * not by their exact wording or position: real documents renumber and reword headings,
 * drop the bold, add or reorder table columns, leave placeholders in. A placeholder counts
 * as empty. What cannot be read (a date that is not a date, a severity outside P0-P4, an
 * action item without a description) is collected with its line and table row, and all of
 * it is reported at once in one `PostmortemParseError`.
 */
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import type { Heading, List, ListItem, Nodes, Paragraph, PhrasingContent, Root, RootContent, Table } from 'mdast';
import type {
  IsoDate,
  IsoInstant,
  Postmortem,
  PostmortemActionRow,
  PostmortemLink,
  TimelineEvent,
} from '../domain/types.js';
import { emptyPostmortem } from '../domain/postmortem.js';
import { InputError } from '../errors.js';
import { checkActionItemCount } from './limits.js';
import {
  cleanText,
  isJiraKey,
  isPlaceholder,
  parseCalendarDate,
  parseDuration,
  parseMoment,
  parseSeverity,
  splitList,
} from './values.js';

export interface ParseProblem {
  line: number;
  /** `action items row 2`, `timeline row 3`, or null for a line outside a table. */
  row: string | null;
  message: string;
}

/** Everything wrong with a document, each with its line; a 400 / non-zero exit. */
export class PostmortemParseError extends InputError {
  readonly problems: ParseProblem[];
  constructor(problems: ParseProblem[]) {
    const lines = problems.map((p) => `line ${p.line}${p.row ? ` (${p.row})` : ''}: ${p.message}`);
    super(`The post-mortem cannot be imported:\n${lines.join('\n')}`, problems[0] ? `line ${problems[0].line}` : null);
    this.problems = problems;
  }
}

export interface ParseOptions {
  /** When the import happens (`importedAt`). */
  now: Date;
  /** Zone of times written without an offset; the template's columns say UTC. */
  zone?: string;
}

export interface ParsedPostmortem {
  postmortem: Postmortem;
  /** Things that were ignored (a label or table the parser does not know), for the dry run. */
  warnings: string[];
}

type SectionKind =
  'summary' | 'detection' | 'timeline' | 'rootCause' | 'resolution' | 'lessons' | 'actionItems' | 'links';

const SECTION_PATTERNS: Array<[SectionKind, RegExp]> = [
  ['actionItems', /\baction|follow[- ]?ups?\b|next steps|\btasks?\b|\btodos?\b/],
  ['timeline', /timeline|chronolog|sequence of events|response/],
  ['rootCause', /root cause|cause analysis|\brca\b|five whys|5 whys|why did/],
  ['detection', /detect/],
  ['resolution', /resolution|remediation|mitigation|recovery|how (?:it|we) (?:was )?fixed/],
  ['lessons', /lesson|learn|retrospective|went well|takeaways/],
  ['links', /support|links?\b|references?|resources|appendix|related/],
  ['summary', /summary|overview|incident details|about the incident/],
];

type FieldKind =
  | 'incidentId'
  | 'dateRange'
  | 'startedAt'
  | 'endedAt'
  | 'duration'
  | 'services'
  | 'severity'
  | 'impact'
  | 'commander'
  | 'responders'
  | 'detectionMethod'
  | 'timeToDetect'
  | 'detectionEffective'
  | 'timeToAcknowledge'
  | 'timeToResolve'
  | 'immediateCause'
  | 'contributingFactors'
  | 'fiveWhys'
  | 'resolutionHow'
  | 'resolutionEffective'
  | 'wentWell'
  | 'couldBeBetter';

/** Label meaning, most specific first ("time to detect" before "how was it detected"). */
const FIELD_PATTERNS: Array<[FieldKind, RegExp, SectionKind[]?]> = [
  ['timeToDetect', /time to detect|\bmttd\b|\bttd\b|detection time/],
  ['timeToAcknowledge', /time to ack|\bmtta\b|\btta\b|acknowledg(?:e|ement) time/],
  ['timeToResolve', /time to (?:resolve|resolution|recover|restore|mitigate)|\bmttr\b|\bttr\b|resolution time/],
  ['detectionEffective', /detection.*effective|effective.*detect/],
  ['resolutionEffective', /resolution.*effective|effective.*resol|fix.*effective/],
  ['detectionEffective', /effective/, ['detection']],
  ['resolutionEffective', /effective/, ['resolution']],
  ['incidentId', /incident (?:id|key|number|#|no)|^(?:id|key|jira(?: key| issue)?|ticket)$/],
  ['duration', /duration|how long|total time/],
  ['startedAt', /^(?:start(?:ed)?|began|start time|started at|impact start)\b/],
  ['endedAt', /^(?:end(?:ed)?|end time|ended at|impact end|resolved at)\b/],
  ['dateRange', /\bdate\b|\bwhen\b|^time\b|time window|period/],
  ['services', /service|component|systems? affected|affected systems?/],
  ['severity', /severity|priority|^sev\b/],
  ['impact', /impact/],
  ['commander', /commander|incident (?:lead|manager|owner)|^ic$/],
  ['responders', /responder|participant|involved|people|teams?$/],
  ['detectionMethod', /detect/],
  ['fiveWhys', /\bwhys?\b|fishbone/],
  ['contributingFactors', /contribut|factors/],
  ['immediateCause', /cause|trigger/],
  ['resolutionHow', /resolv|resolution|remediat|mitigat|fix/],
  ['wentWell', /went well|what worked|positives?|good/],
  ['couldBeBetter', /better|improve|went (?:wrong|poorly|badly)|didn.?t go well|could have gone/],
];

function normaliseHeading(text: string): string {
  return text
    .toLowerCase()
    .replace(/^\s*(?:section\s+)?(?:\d+(?:\.\d+)*|[ivx]+)[.):-]?\s+/, '')
    .replace(/[*_`:]/g, '')
    .trim();
}

function sectionOf(text: string): SectionKind | null {
  const normal = normaliseHeading(text);
  return SECTION_PATTERNS.find(([, pattern]) => pattern.test(normal))?.[0] ?? null;
}

function fieldOf(label: string, section: SectionKind | null): FieldKind | null {
  const normal = normaliseHeading(label).replace(/[?()]/g, ' ').replace(/\s+/g, ' ').trim();
  for (const [field, pattern, sections] of FIELD_PATTERNS) {
    if (sections && (!section || !sections.includes(section))) continue;
    if (pattern.test(normal)) return field;
  }
  return null;
}

/** Plain text of a node, the way a reader sees it (inline code without its backticks). */
function textOf(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string' && node.type !== 'html') return node.value;
  if (node.type === 'break') return ' ';
  if ('children' in node) {
    const separator = node.type === 'list' || node.type === 'listItem' || node.type === 'root' ? '\n' : '';
    return (node.children as Nodes[]).map(textOf).join(separator);
  }
  return '';
}

function lineOf(node: Nodes): number {
  return node.position?.start.line ?? 0;
}

function linksIn(node: Nodes): Array<{ text: string; url: string }> {
  if (node.type === 'link') return [{ text: textOf(node).trim(), url: node.url }];
  if ('children' in node) return (node.children as Nodes[]).flatMap(linksIn);
  return [];
}

/** One `label: value` the document states, wherever and however it was written. */
interface LabelledValue {
  label: string;
  /** Inline text after the label (may be empty). */
  text: string;
  /** Items of a list nested under it, or paragraphs under a sub-heading. */
  items: string[];
  line: number;
  section: SectionKind | null;
}

/** Splits `**Label:** value`, `**Label**: value`, `Label: value`, `**Question?** answer`. */
function splitLabel(paragraph: Paragraph): { label: string; text: string } | null {
  const [first, ...rest] = paragraph.children;
  if (!first) return null;
  if (first.type === 'strong' || first.type === 'emphasis') {
    const label = textOf(first)
      .trim()
      .replace(/[:：]$/, '')
      .trim();
    const text = rest
      .map((child: PhrasingContent) => textOf(child))
      .join('')
      .replace(/^\s*[:：-]?\s*/, '');
    return label ? { label, text } : null;
  }
  const whole = textOf(paragraph);
  const match = /^([^:?\n]{2,80}?)(\?|:)\s+([\s\S]*)$/.exec(whole) ?? /^([^:?\n]{2,80}?)(\?|:)\s*$/.exec(whole);
  if (!match) return null;
  // A label is short words, not a sentence that happens to contain a colon.
  if (match[2] === ':' && /\d{1,2}$/.test(match[1]!)) return null;
  return { label: match[1]!.trim() + (match[2] === '?' ? '?' : ''), text: (match[3] ?? '').trim() };
}

/** A paragraph's source lines, each as a paragraph of its own (soft line breaks split). */
function paragraphLines(paragraph: Paragraph): Paragraph[] {
  const start = lineOf(paragraph);
  const lines: Paragraph[] = [
    {
      type: 'paragraph',
      children: [],
      position: { start: { line: start, column: 1 }, end: { line: start, column: 1 } },
    },
  ];
  for (const child of paragraph.children) {
    if (child.type === 'break') {
      const line = start + lines.length;
      lines.push({
        type: 'paragraph',
        children: [],
        position: { start: { line, column: 1 }, end: { line, column: 1 } },
      });
      continue;
    }
    if (child.type !== 'text' || !child.value.includes('\n')) {
      lines[lines.length - 1]!.children.push(child);
      continue;
    }
    child.value.split('\n').forEach((piece, index) => {
      if (index > 0) {
        const line = start + lines.length;
        lines.push({
          type: 'paragraph',
          children: [],
          position: { start: { line, column: 1 }, end: { line, column: 1 } },
        });
      }
      if (piece !== '') lines[lines.length - 1]!.children.push({ type: 'text', value: piece });
    });
  }
  return lines.filter((line) => line.children.length > 0);
}

function listItemTexts(list: List): string[] {
  return list.children.map((item) => textOf(item).replace(/\s+/g, ' ').trim());
}

interface Section {
  kind: SectionKind | null;
  heading: string;
  line: number;
  nodes: RootContent[];
}

function splitSections(root: Root): { title: string | null; titleLine: number; sections: Section[] } {
  let title: string | null = null;
  let titleLine = 1;
  const sections: Section[] = [{ kind: null, heading: '', line: 1, nodes: [] }];
  for (const node of root.children) {
    if (node.type === 'heading') {
      const text = textOf(node).trim();
      if (node.depth === 1 && title === null && !sectionOf(text)) {
        title = text;
        titleLine = lineOf(node);
        continue;
      }
      const kind = sectionOf(text);
      const current = sections[sections.length - 1]!;
      // A sub-heading that names no section (`### Immediate cause`) belongs to the section it is in.
      if (kind !== null || node.depth <= 2 || current.kind === null) {
        sections.push({ kind, heading: text, line: lineOf(node), nodes: [] });
        continue;
      }
    }
    sections[sections.length - 1]!.nodes.push(node);
  }
  return { title, titleLine, sections };
}

function labelledValues(section: Section): LabelledValue[] {
  const values: LabelledValue[] = [];
  const nodes = section.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.type === 'list') {
      for (const item of node.children) values.push(...fromListItem(item, section.kind));
    } else if (node.type === 'paragraph') {
      // `**Start**: …` and `**End**: …` on consecutive lines are one paragraph: read it line by line.
      const lines = paragraphLines(node);
      lines.forEach((line, index) => {
        const split = splitLabel(line);
        if (!split) return;
        const next = nodes[i + 1];
        const last = index === lines.length - 1;
        const items = last && next?.type === 'list' && !split.text.trim() ? listItemTexts(next) : [];
        if (items.length > 0) i++;
        values.push({ ...split, items, line: lineOf(line), section: section.kind });
      });
    } else if (node.type === 'heading') {
      // `### Immediate cause` followed by paragraphs or a list: the heading is the label.
      const items: string[] = [];
      while (nodes[i + 1] && nodes[i + 1]!.type !== 'heading' && nodes[i + 1]!.type !== 'table') {
        const content = nodes[++i]!;
        if (content.type === 'list') items.push(...listItemTexts(content));
        else items.push(textOf(content).replace(/\s+/g, ' ').trim());
      }
      values.push({
        label: textOf(node as Heading).trim(),
        text: '',
        items,
        line: lineOf(node),
        section: section.kind,
      });
    }
  }
  // A section whose heading is itself the field (`## Lessons Learned` with a plain list).
  if (values.length === 0 && section.kind !== null && section.kind !== 'links') {
    const texts = section.nodes.filter((n) => n.type === 'paragraph' || n.type === 'list');
    if (texts.length > 0) {
      const items = texts.flatMap((n) =>
        n.type === 'list' ? listItemTexts(n) : [textOf(n).replace(/\s+/g, ' ').trim()],
      );
      values.push({ label: section.heading, text: '', items, line: lineOf(texts[0]!), section: section.kind });
    }
  }
  return values;
}

function fromListItem(item: ListItem, section: SectionKind | null): LabelledValue[] {
  const [first, ...rest] = item.children;
  if (first?.type !== 'paragraph') return [];
  const split = splitLabel(first);
  if (!split) return [];
  const items = rest.flatMap((child) =>
    child.type === 'list' ? listItemTexts(child) : [textOf(child).replace(/\s+/g, ' ').trim()],
  );
  return [{ ...split, items, line: lineOf(item), section }];
}

interface ColumnRule<K extends string> {
  kind: K;
  pattern: RegExp;
}

const TIMELINE_COLUMNS: Array<ColumnRule<'at' | 'event' | 'owner'>> = [
  { kind: 'at', pattern: /time|when|date|^at$/ },
  { kind: 'owner', pattern: /owner|who|\bby\b|actor|person|responder/ },
  { kind: 'event', pattern: /event|description|action|what|details?|activity|note/ },
];

const ACTION_COLUMNS: Array<ColumnRule<'jiraKey' | 'ref' | 'description' | 'owner' | 'dueDate' | 'status'>> = [
  { kind: 'jiraKey', pattern: /jira|ticket|issue/ },
  { kind: 'dueDate', pattern: /due|deadline|target|eta|by when|date/ },
  { kind: 'owner', pattern: /owner|assignee|responsible|who|assigned/ },
  { kind: 'status', pattern: /status|state|progress/ },
  { kind: 'ref', pattern: /^(?:id|#|no\.?|number|ref|reference|key|item id|action id)$|\bid\b/ },
  { kind: 'description', pattern: /desc|action|task|summary|what|item|title/ },
];

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

function cell(row: Table['children'][number], index: number | undefined): string {
  if (index === undefined) return '';
  const c = row.children[index];
  return c ? textOf(c).replace(/\s+/g, ' ').trim() : '';
}

function cellLinks(row: Table['children'][number], index: number | undefined): Array<{ text: string; url: string }> {
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

export function parsePostmortem(markdown: string, options: ParseOptions): ParsedPostmortem {
  const zone = options.zone ?? 'UTC';
  const problems: ParseProblem[] = [];
  const warnings: string[] = [];
  const problem = (line: number, message: string, row: string | null = null): void => {
    problems.push({ line, row, message });
  };

  const root = unified().use(remarkParse).use(remarkGfm).parse(markdown);
  const { title: rawTitle, sections } = splitSections(root);

  const postmortem: Postmortem = {
    ...emptyPostmortem('', options.now.toISOString()),
    title: cleanText(rawTitle?.replace(/^.*?(?:post[- ]?mortem|incident report|pir)[^:]*:\s*/i, '') ?? null),
  };
  if (postmortem.title && /^post[- ]?mortem( report)?$/i.test(postmortem.title)) postmortem.title = null;

  let incidentIdLine: number | null = null;
  let endLine = 0;
  const fields = sections.flatMap((section) => labelledValues(section));

  const duration = (value: LabelledValue, what: string): number | null => {
    const text = value.text || value.items.join(' ');
    const seconds = parseDuration(text);
    if (seconds === undefined) {
      problem(
        value.line,
        `${what} "${text}" is not a duration; write it like "2 hours 15 minutes", "2h15m" or "135 min"`,
      );
      return null;
    }
    return seconds;
  };
  const moment = (text: string, line: number, what: string, baseDate: IsoDate | null = null): IsoInstant | null => {
    const parsed = parseMoment(text, zone, baseDate);
    if (parsed === undefined) {
      problem(
        line,
        `${what} "${text.trim()}" is not a date and time; write it like "2026-11-03 14:05" (UTC) or "Nov 3, 2026 14:05"`,
      );
      return null;
    }
    return parsed?.instant ?? null;
  };
  const textValue = (value: LabelledValue): string | null =>
    cleanText([value.text, ...value.items].filter(Boolean).join('; '));
  const listValue = (value: LabelledValue, separators: 'names' | 'prose' = 'prose'): string[] =>
    value.items.length > 0
      ? value.items
          .map((item) => cleanText(item.replace(/^\d+[.)]\s*/, '')))
          .filter((item): item is string => item !== null)
      : splitList(cleanText(value.text), separators);

  for (const value of fields) {
    const field = fieldOf(value.label, value.section);
    if (field === null) {
      if (value.section !== 'links')
        warnings.push(`line ${value.line}: the label "${value.label}" is not a template field; ignored`);
      continue;
    }
    const s = postmortem.summary;
    switch (field) {
      case 'incidentId':
        incidentIdLine = value.line;
        s.incidentId = textValue(value);
        break;
      case 'dateRange': {
        const text = value.text || value.items.join(' ');
        const parts = text.split(/\s+(?:-|–|—|to|until)\s+/);
        const start = moment(parts[0] ?? '', value.line, 'The start');
        if (start) s.startedAt = start;
        if (parts[1] !== undefined) {
          const end = moment(parts.slice(1).join(' - '), value.line, 'The end', start ? start.slice(0, 10) : null);
          if (end) {
            s.endedAt = end;
            endLine = value.line;
          }
        }
        break;
      }
      case 'startedAt':
        s.startedAt = moment(value.text, value.line, 'The start') ?? s.startedAt;
        break;
      case 'endedAt':
        s.endedAt = moment(value.text, value.line, 'The end', s.startedAt?.slice(0, 10) ?? null) ?? s.endedAt;
        endLine = value.line;
        break;
      case 'duration':
        s.durationSeconds = duration(value, 'The duration');
        break;
      case 'services':
        s.services = listValue(value, 'names');
        break;
      case 'severity': {
        const severity = parseSeverity(value.text);
        if (severity === undefined)
          problem(
            value.line,
            `Severity "${value.text.trim()}" is not one of P0-P4 (SEV1 and "P1 - High" are read too)`,
          );
        else s.severity = severity;
        break;
      }
      case 'impact':
        s.impact = textValue(value);
        break;
      case 'commander':
        s.commander = textValue(value);
        break;
      case 'responders':
        s.responders = listValue(value, 'names');
        break;
      case 'detectionMethod':
        postmortem.detection.method = textValue(value);
        break;
      case 'timeToDetect':
        postmortem.detection.timeToDetectSeconds = duration(value, 'Time to detect');
        break;
      case 'detectionEffective':
        postmortem.detection.effective = textValue(value);
        break;
      case 'timeToAcknowledge':
        postmortem.timeToAcknowledgeSeconds = duration(value, 'Time to acknowledge');
        break;
      case 'timeToResolve':
        postmortem.timeToResolveSeconds = duration(value, 'Time to resolve');
        break;
      case 'immediateCause':
        postmortem.rootCause.immediateCause = textValue(value);
        break;
      case 'contributingFactors':
        postmortem.rootCause.contributingFactors = listValue(value);
        break;
      case 'fiveWhys':
        postmortem.rootCause.fiveWhys = listValue(value);
        break;
      case 'resolutionHow':
        postmortem.resolution.how = textValue(value);
        break;
      case 'resolutionEffective':
        postmortem.resolution.effective = textValue(value);
        break;
      case 'wentWell':
        postmortem.lessons.wentWell = listValue(value);
        break;
      case 'couldBeBetter':
        postmortem.lessons.couldBeBetter = listValue(value);
        break;
    }
  }

  const s = postmortem.summary;
  if (s.startedAt && s.endedAt && s.endedAt < s.startedAt) {
    problem(endLine, `The end (${s.endedAt}) is before the start (${s.startedAt})`);
  }

  // Tables: by their columns, in whichever section they sit.
  const tables = sections.flatMap((section) =>
    section.nodes.filter((n): n is Table => n.type === 'table').map((table) => ({ table, section })),
  );
  for (const { table, section } of tables) {
    // "Due date | Description | Owner" also looks like "time | event | owner": the section
    // decides, else a due-date or status column, which timelines do not have.
    const actionColumns = columnsOf(table, ACTION_COLUMNS);
    const plannedWork =
      actionColumns.has('status') ||
      /due|deadline/.test(normaliseHeading(cell(table.children[0]!, actionColumns.get('dueDate'))));
    const asAction =
      isActionTable(table) &&
      (section.kind === 'actionItems' || !isTimelineTable(table) || (section.kind !== 'timeline' && plannedWork));
    if (asAction) {
      postmortem.actionItems.push(...readActionTable(table, problem));
      checkActionItemCount(postmortem.actionItems.length);
    } else if (isTimelineTable(table)) {
      postmortem.timeline.push(...readTimelineTable(table, zone, s.startedAt, problem));
    } else {
      warnings.push(`line ${lineOf(table)}: a table whose columns are neither a timeline nor action items; ignored`);
    }
  }

  for (const section of sections.filter((sec) => sec.kind === 'links')) postmortem.links.push(...readLinks(section));

  // The incident this document is about.
  if (s.incidentId === null) {
    problem(
      incidentIdLine ?? 1,
      incidentIdLine === null
        ? 'No "Incident ID" line; add "**Incident ID:** OPS-123" (the Jira key, or your own incident id) to the Incident Summary'
        : 'The Incident ID is empty; write the Jira key (OPS-123) or your own incident id',
    );
  } else {
    postmortem.incidentKey = incidentKeyOf(s.incidentId);
  }

  if (problems.length > 0) throw new PostmortemParseError(problems);
  return { postmortem, warnings };
}

/** `OPS-42`, `[OPS-42](…)`, `OPS-42 (PagerDuty #456)` → `OPS-42`; `INC-2026-11-03, PD #9` → `INC-2026-11-03`. */
export function incidentKeyOf(incidentId: string): string {
  const jiraKey = /\b[A-Z][A-Z0-9_]+-[1-9]\d*\b(?!-)/.exec(incidentId);
  if (jiraKey && isJiraKey(jiraKey[0])) return jiraKey[0];
  return incidentId.split(/[,(;]/)[0]!.trim().replace(/\s+/g, '-');
}

function readTimelineTable(
  table: Table,
  zone: string,
  startedAt: IsoInstant | null,
  problem: (line: number, message: string, row: string | null) => void,
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

function readActionTable(
  table: Table,
  problem: (line: number, message: string, row: string | null) => void,
): PostmortemActionRow[] {
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

function readLinks(section: Section): PostmortemLink[] {
  const links: PostmortemLink[] = [];
  for (const node of section.nodes) {
    const items = node.type === 'list' ? node.children : node.type === 'paragraph' ? [node] : [];
    for (const item of items) {
      const found = linksIn(item);
      const text = cleanText(textOf(item).replace(/\s+/g, ' '));
      if (found.length === 0) {
        if (text !== null) links.push({ label: text, url: null });
        continue;
      }
      for (const link of found) {
        const label = found.length === 1 && text !== null ? text : link.text || link.url;
        links.push({ label, url: link.url });
      }
    }
  }
  return links;
}
