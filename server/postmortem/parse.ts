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
 *
 * This module puts the reading together: outline.ts walks the syntax tree, vocabulary.ts
 * says what headings, labels and columns mean, fields.ts maps each field to its property,
 * tables.ts reads the timeline and action-item tables.
 */
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import type { Postmortem, PostmortemLink } from '../domain/types.js';
import { emptyPostmortem } from '../domain/postmortem.js';
import { readFields, type FieldContext } from './fields.js';
import { labelledValues, linksIn, splitSections, textOf, type Section } from './outline.js';
import { PostmortemParseError, type ParseProblem, type ReportProblem } from './problems.js';
import { readTables } from './tables.js';
import { cleanText, isJiraKey } from './values.js';

export { PostmortemParseError, type ParseProblem } from './problems.js';

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

/** `# Post-mortem: Checkout outage` → `Checkout outage`; a bare "Post-mortem" is no title. */
function titleOf(heading: string | null): string | null {
  const title = cleanText(heading?.replace(/^.*?(?:post[- ]?mortem|incident report|pir)[^:]*:\s*/i, '') ?? null);
  return title && /^post[- ]?mortem( report)?$/i.test(title) ? null : title;
}

export function parsePostmortem(markdown: string, options: ParseOptions): ParsedPostmortem {
  const zone = options.zone ?? 'UTC';
  const problems: ParseProblem[] = [];
  const warnings: string[] = [];
  const problem: ReportProblem = (line, message, row = null) => {
    problems.push({ line, row, message });
  };

  const root = unified().use(remarkParse).use(remarkGfm).parse(markdown);
  const { title, sections } = splitSections(root);
  const postmortem: Postmortem = { ...emptyPostmortem('', options.now.toISOString()), title: titleOf(title) };

  const context: FieldContext = { postmortem, zone, problem, warnings, lines: { incidentId: null, end: 0 } };
  readFields(
    sections.flatMap((section) => labelledValues(section)),
    context,
  );
  readTables(sections, postmortem, { zone, startedAt: postmortem.summary.startedAt, problem, warnings });
  for (const section of sections.filter((sec) => sec.kind === 'links')) postmortem.links.push(...readLinks(section));
  identifyIncident(postmortem, context.lines.incidentId, problem);

  if (problems.length > 0) throw new PostmortemParseError(problems);
  return { postmortem, warnings };
}

/** The incident this document is about: its Incident ID line, required. */
function identifyIncident(postmortem: Postmortem, incidentIdLine: number | null, problem: ReportProblem): void {
  const incidentId = postmortem.summary.incidentId;
  if (incidentId !== null) {
    postmortem.incidentKey = incidentKeyOf(incidentId);
    return;
  }
  problem(
    incidentIdLine ?? 1,
    incidentIdLine === null
      ? 'No "Incident ID" line; add "**Incident ID:** OPS-123" (the Jira key, or your own incident id) to the Incident Summary'
      : 'The Incident ID is empty; write the Jira key (OPS-123) or your own incident id',
  );
}

/** `OPS-42`, `[OPS-42](…)`, `OPS-42 (PagerDuty #456)` → `OPS-42`; `INC-2026-11-03, PD #9` → `INC-2026-11-03`. */
export function incidentKeyOf(incidentId: string): string {
  const jiraKey = /\b[A-Z][A-Z0-9_]+-[1-9]\d*\b(?!-)/.exec(incidentId);
  if (jiraKey && isJiraKey(jiraKey[0])) return jiraKey[0];
  return incidentId.split(/[,(;]/)[0]!.trim().replace(/\s+/g, '-');
}

/** The supporting links section: each list item or paragraph, with its URL when it has one. */
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
