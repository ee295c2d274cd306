/**
 * The JQL lexer: words (field names, keywords, unquoted values, `cf[10010]`), quoted
 * strings, operators, parentheses and commas, each with its position for Jira's error
 * wording ("(line 1, character N)").
 */

export class JqlError extends Error {}

export type TokenType = 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma' | 'end';
export interface Token {
  type: TokenType;
  text: string;
  pos: number;
}

const WORD_STOP = /[\s()=,!<>~"']/;

/** Where a token is, as Jira says it. */
export function where(pos: number): string {
  return `(line 1, character ${pos + 1})`;
}

export function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const ch = jql.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '(') tokens.push({ type: 'lparen', text: ch, pos: i++ });
    else if (ch === ')') tokens.push({ type: 'rparen', text: ch, pos: i++ });
    else if (ch === ',') tokens.push({ type: 'comma', text: ch, pos: i++ });
    else if (ch === '"' || ch === "'") {
      i++;
      let text = '';
      while (i < jql.length && jql.charAt(i) !== ch) {
        if (jql.charAt(i) === '\\' && i + 1 < jql.length) i++;
        text += jql.charAt(i);
        i++;
      }
      if (i >= jql.length)
        throw new JqlError(
          `Error in the JQL Query: The quoted string '${text}' has not been completed. ${where(start)}`,
        );
      i++;
      tokens.push({ type: 'string', text, pos: start });
    } else if ('=!<>~'.includes(ch)) {
      const two = jql.slice(i, i + 2);
      const op = ['!=', '>=', '<=', '!~'].includes(two) ? two : ch;
      if (op === '!')
        throw new JqlError(`Error in the JQL Query: The character '!' is a reserved JQL character. ${where(start)}`);
      i += op.length;
      tokens.push({ type: 'op', text: op, pos: start });
    } else {
      let depth = 0;
      while (i < jql.length) {
        const c = jql.charAt(i);
        if (c === '[') depth++;
        else if (c === ']') depth--;
        else if (depth === 0 && WORD_STOP.test(c)) break;
        i++;
      }
      tokens.push({ type: 'word', text: jql.slice(start, i), pos: start });
    }
  }
  tokens.push({ type: 'end', text: '', pos: jql.length });
  return tokens;
}
