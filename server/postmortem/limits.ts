/**
 * The documented limits of reading a post-mortem (docs: SECURITY.md), the same for
 * `POST /api/postmortems` and `npm run import`.
 *
 * Markdown parsers have inputs that cost far more than their size: 40 KB of `>` nests
 * 40 000 quotes (and overflows the stack), 160 KB of `[a](` or 100 KB of `*a` take
 * minutes, a 10 000-row table seconds. So reading is bounded twice:
 * 1. `checkDocumentLimits`, one linear pass over the lines before any parsing: size,
 *    link brackets, nesting depth, table rows and columns. Each refusal names its limit.
 * 2. The parse itself runs in a worker thread (read.ts) with PARSE_TIME_LIMIT_MS, so no
 *    other request waits on it, and whatever slips past the first pass is stopped there.
 * The action-item rows of a document are counted by the parser, before any ticket exists.
 */
import { LimitExceededError } from '../errors.js';

/** Bytes of the document (UTF-8). Also the body limit of POST /api/postmortems. */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
/** Containers (quotes, list items) nested in one another, counting indentation as lists. */
export const MAX_NESTING_DEPTH = 16;
/** Rows of one table, header and delimiter rows included. */
export const MAX_TABLE_ROWS = 300;
/** Columns of a table (cells of its widest row). */
export const MAX_TABLE_COLUMNS = 40;
/** `[` in one document: unclosed link brackets make the link parser quadratic. */
export const MAX_LINK_BRACKETS = 2000;
/** Action-item rows in one document: each may become a Jira ticket. */
export const MAX_ACTION_ITEMS = 100;
/** CPU time the parser may spend on one document (wall time where CPU time cannot be read). */
export const PARSE_TIME_LIMIT_MS = 1000;
/** However busy the machine, a parse never holds the worker longer than this. */
export const PARSE_WALL_LIMIT_MS = 4000;

const CONTAINER_MARKER = /^(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]*/;
const DELIMITER_ROW = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

/** The line without its container markers and their depth: `> > - x` is depth 3. */
function containers(line: string): { depth: number; rest: string } {
  let depth = 0;
  let rest = line;
  for (;;) {
    const indent = /^[ \t]*/.exec(rest)![0];
    // Indentation nests list content: four columns (a tab) per level, a generous reading.
    depth += Math.floor(indent.replace(/\t/g, '    ').length / 4);
    rest = rest.slice(indent.length);
    const marker = CONTAINER_MARKER.exec(rest);
    if (!marker) return { depth, rest };
    depth += 1;
    rest = rest.slice(marker[0].length);
    if (depth > MAX_NESTING_DEPTH) return { depth, rest };
  }
}

function pipes(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) === 124) count += 1;
  return count;
}

function refuse(limit: string, tooLarge: boolean, message: string): never {
  throw new LimitExceededError(
    limit,
    tooLarge,
    `The post-mortem is over the ${limit} limit: ${message} (docs: SECURITY.md lists the limits).`,
  );
}

/** Throws a LimitExceededError naming the first limit the document is over; linear time. */
export function checkDocumentLimits(markdown: string): void {
  const bytes = Buffer.byteLength(markdown, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    refuse('document size', true, `${Math.ceil(bytes / 1024)} KB, at most ${MAX_DOCUMENT_BYTES / 1024} KB`);
  }
  let brackets = 0;
  for (let i = 0; i < markdown.length; i += 1) if (markdown.charCodeAt(i) === 91) brackets += 1;
  if (brackets > MAX_LINK_BRACKETS) {
    refuse('link brackets', false, `${brackets} "[" characters, at most ${MAX_LINK_BRACKETS} (links and check boxes)`);
  }
  const lines = markdown.split(/\r\n|\r|\n/);
  let tableRows = 0;
  let tableStart = 0;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    const { depth, rest } = containers(line);
    if (depth > MAX_NESTING_DEPTH) {
      refuse('nesting depth', false, `line ${index + 1} nests quotes or lists more than ${MAX_NESTING_DEPTH} deep`);
    }
    if (rest.trim() === '') {
      tableRows = 0;
      continue;
    }
    if (tableRows > 0) {
      // Every non-blank line after a table's delimiter row is one of its rows.
      tableRows += 1;
      if (tableRows > MAX_TABLE_ROWS)
        refuse('table rows', false, `the table starting at line ${tableStart} has more than ${MAX_TABLE_ROWS} rows`);
    } else if (rest.includes('|') && DELIMITER_ROW.test(rest.trim())) {
      tableRows = 2;
      tableStart = index;
    }
    if (pipes(rest) > MAX_TABLE_COLUMNS + 1) {
      refuse('table columns', false, `line ${index + 1} has more than ${MAX_TABLE_COLUMNS} table cells`);
    }
  }
}

/** Called by the parser once it knows the action items, before any ticket is asked for. */
export function checkActionItemCount(count: number): void {
  if (count > MAX_ACTION_ITEMS) {
    refuse(
      'action items',
      false,
      `${count} action-item rows, at most ${MAX_ACTION_ITEMS} per document; split the follow-ups or track the rest in Jira directly`,
    );
  }
}
