/**
 * What cannot be read in a post-mortem is collected with its line and table row while the
 * whole document is read, and reported at once in one `PostmortemParseError`.
 */
import { InputError } from '../errors.js';

export interface ParseProblem {
  line: number;
  /** `action items row 2`, `timeline row 3`, or null for a line outside a table. */
  row: string | null;
  message: string;
}

/** Collects a problem; the readers report, the parser throws once at the end. */
export type ReportProblem = (line: number, message: string, row?: string | null) => void;

/** Everything wrong with a document, each with its line; a 400 / non-zero exit. */
export class PostmortemParseError extends InputError {
  readonly problems: ParseProblem[];
  constructor(problems: ParseProblem[]) {
    const lines = problems.map((p) => `line ${p.line}${p.row ? ` (${p.row})` : ''}: ${p.message}`);
    super(`The post-mortem cannot be imported:\n${lines.join('\n')}`, problems[0] ? `line ${problems[0].line}` : null);
    this.problems = problems;
  }
}
