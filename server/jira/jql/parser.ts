/**
 * The JQL syntax the product sends and reads: `AND`, `OR`, `NOT`, parentheses, clauses
 * `field operator value(s)` and `ORDER BY`, keywords case-insensitive, refused with Jira
 * Cloud's own wording. The tree it builds is judged by the webhook matcher (match.ts) and
 * by the sample Jira's search.
 */
import { JqlError, tokenize, where, type Token } from './lexer.js';

export type JqlValue =
  | { kind: 'literal'; text: string; quoted: boolean }
  | { kind: 'function'; name: string; args: string[] }
  | { kind: 'empty' };

export type JqlOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~' | 'in' | 'not in' | 'is' | 'is not';

export type JqlExpr =
  | { kind: 'and'; parts: JqlExpr[] }
  | { kind: 'or'; parts: JqlExpr[] }
  | { kind: 'not'; expr: JqlExpr }
  | { kind: 'clause'; field: string; operator: JqlOperator; values: JqlValue[]; pos: number };

export interface JqlOrder {
  field: string;
  direction: 'asc' | 'desc';
}

export interface JqlQuery {
  where: JqlExpr | null;
  orderBy: JqlOrder[];
}

const OPERATOR_LIST = "'=', '!=', '~', '!~', '<', '>', '<=', '>=', 'IN', 'NOT IN', 'IS' and 'IS NOT'";
const RESERVED = new Set(['and', 'or', 'not', 'empty', 'null', 'order', 'by', 'in', 'is', 'asc', 'desc']);

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.index] ?? { type: 'end', text: '', pos: 0 };
  }
  private next(): Token {
    const token = this.peek();
    this.index++;
    return token;
  }
  private isWord(text: string, offset = 0): boolean {
    const token = this.tokens[this.index + offset];
    return token?.type === 'word' && token.text.toLowerCase() === text;
  }

  parseQuery(): JqlQuery {
    let whereExpr: JqlExpr | null = null;
    if (this.peek().type !== 'end' && !(this.isWord('order') && this.isWord('by', 1))) whereExpr = this.parseOr();
    const orderBy: JqlOrder[] = [];
    if (this.isWord('order')) {
      this.next();
      if (!this.isWord('by'))
        throw new JqlError(
          `Error in the JQL Query: Expecting 'by' but got '${this.peek().text}'. ${where(this.peek().pos)}`,
        );
      this.next();
      do {
        if (this.peek().type === 'comma') this.next();
        const field = this.next();
        if (field.type !== 'word' && field.type !== 'string') {
          throw new JqlError(
            `Error in the JQL Query: Expecting a field name but got '${field.text}'. ${where(field.pos)}`,
          );
        }
        let direction: 'asc' | 'desc' = 'asc';
        if (this.isWord('asc') || this.isWord('desc')) direction = this.next().text.toLowerCase() as 'asc' | 'desc';
        orderBy.push({ field: field.text, direction });
      } while (this.peek().type === 'comma');
    }
    const rest = this.peek();
    if (rest.type !== 'end') {
      throw new JqlError(
        `Error in the JQL Query: Expecting either 'OR' or 'AND' but got '${rest.text}'. ${where(rest.pos)}`,
      );
    }
    return { where: whereExpr, orderBy };
  }

  private parseOr(): JqlExpr {
    const parts = [this.parseAnd()];
    while (this.isWord('or')) {
      this.next();
      parts.push(this.parseAnd());
    }
    return parts.length === 1 ? (parts[0] as JqlExpr) : { kind: 'or', parts };
  }

  private parseAnd(): JqlExpr {
    const parts = [this.parseNot()];
    while (this.isWord('and')) {
      this.next();
      parts.push(this.parseNot());
    }
    return parts.length === 1 ? (parts[0] as JqlExpr) : { kind: 'and', parts };
  }

  private parseNot(): JqlExpr {
    if (this.isWord('not')) {
      this.next();
      return { kind: 'not', expr: this.parseNot() };
    }
    if (this.peek().type === 'lparen') {
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (close.type !== 'rparen')
        throw new JqlError(`Error in the JQL Query: Expecting ')' but got '${close.text}'. ${where(close.pos)}`);
      return inner;
    }
    return this.parseClause();
  }

  private parseClause(): JqlExpr {
    const field = this.next();
    if (
      (field.type !== 'word' && field.type !== 'string') ||
      (field.type === 'word' && RESERVED.has(field.text.toLowerCase()))
    ) {
      const shown = field.type === 'end' ? 'end of query' : `'${field.text}'`;
      throw new JqlError(`Error in the JQL Query: Expecting a field name but got ${shown}. ${where(field.pos)}`);
    }
    const opToken = this.next();
    let operator: JqlOperator;
    if (opToken.type === 'op') operator = opToken.text as JqlOperator;
    else if (opToken.type === 'word' && opToken.text.toLowerCase() === 'in') operator = 'in';
    else if (opToken.type === 'word' && opToken.text.toLowerCase() === 'not' && this.isWord('in')) {
      this.next();
      operator = 'not in';
    } else if (opToken.type === 'word' && opToken.text.toLowerCase() === 'is') {
      if (this.isWord('not')) {
        this.next();
        operator = 'is not';
      } else operator = 'is';
    } else if (opToken.type === 'word' && ['was', 'changed'].includes(opToken.text.toLowerCase())) {
      throw new JqlError(
        `Error in the JQL Query: The operator '${opToken.text.toUpperCase()}' is not supported by this server. ${where(opToken.pos)}`,
      );
    } else {
      const shown = opToken.type === 'end' ? 'end of query' : `'${opToken.text}'`;
      throw new JqlError(
        `Error in the JQL Query: Expecting operator but got ${shown}. The valid operators are ${OPERATOR_LIST}. ${where(opToken.pos)}`,
      );
    }
    const values: JqlValue[] = [];
    if (operator === 'in' || operator === 'not in') {
      const open = this.next();
      if (open.type !== 'lparen')
        throw new JqlError(`Error in the JQL Query: Expecting '(' but got '${open.text}'. ${where(open.pos)}`);
      values.push(this.parseValue());
      while (this.peek().type === 'comma') {
        this.next();
        values.push(this.parseValue());
      }
      const close = this.next();
      if (close.type !== 'rparen')
        throw new JqlError(`Error in the JQL Query: Expecting ')' but got '${close.text}'. ${where(close.pos)}`);
    } else {
      values.push(this.parseValue());
    }
    if ((operator === 'is' || operator === 'is not') && values[0]?.kind !== 'empty') {
      throw new JqlError(
        `Error in the JQL Query: The operator '${operator.toUpperCase()}' can only be used with EMPTY or NULL. ${where(opToken.pos)}`,
      );
    }
    return { kind: 'clause', field: field.text, operator, values, pos: field.pos };
  }

  private parseValue(): JqlValue {
    const token = this.next();
    if (token.type === 'string') return { kind: 'literal', text: token.text, quoted: true };
    if (token.type !== 'word') {
      const shown = token.type === 'end' ? 'end of query' : `'${token.text}'`;
      throw new JqlError(
        `Error in the JQL Query: Expecting either a value, list or function but got ${shown}. ${where(token.pos)}`,
      );
    }
    const lower = token.text.toLowerCase();
    if (lower === 'empty' || lower === 'null') return { kind: 'empty' };
    if (this.peek().type === 'lparen') {
      this.next();
      const args: string[] = [];
      while (this.peek().type !== 'rparen') {
        const arg = this.next();
        if (arg.type === 'end')
          throw new JqlError(`Error in the JQL Query: Expecting ')' but got end of query. ${where(arg.pos)}`);
        if (arg.type !== 'comma') args.push(arg.text);
      }
      this.next();
      return { kind: 'function', name: token.text, args };
    }
    if (RESERVED.has(lower)) {
      throw new JqlError(
        `Error in the JQL Query: '${token.text}' is a reserved JQL word. You must surround it in quotation marks to use it in a query. ${where(token.pos)}`,
      );
    }
    return { kind: 'literal', text: token.text, quoted: false };
  }
}

export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql)).parseQuery();
}
