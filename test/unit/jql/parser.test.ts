/** JQL syntax (server/jira/jql/): tokens, the tree, and Jira's wording for what it refuses. */
import { describe, expect, it } from '@jest/globals';
import { JqlError, tokenize } from '../../../server/jira/jql/lexer.js';
import { parseJql } from '../../../server/jira/jql/parser.js';

describe('JQL lexer', () => {
  it('reads words (cf[n] included), quoted strings with escapes, two-character operators and positions', () => {
    expect(tokenize('cf[10010] != "a \\"b\\"" AND x>=1').map((t) => [t.type, t.text, t.pos])).toEqual([
      ['word', 'cf[10010]', 0],
      ['op', '!=', 10],
      ['string', 'a "b"', 13],
      ['word', 'AND', 23],
      ['word', 'x', 27],
      ['op', '>=', 28],
      ['word', '1', 30],
      ['end', '', 31],
    ]);
  });

  it('refuses an unfinished string and a lone "!" in Jira’s words', () => {
    expect(() => tokenize('summary ~ "open')).toThrow(
      new JqlError("Error in the JQL Query: The quoted string 'open' has not been completed. (line 1, character 11)"),
    );
    expect(() => tokenize('a ! b')).toThrow(/The character '!' is a reserved JQL character\. \(line 1, character 3\)/);
  });
});

describe('JQL parser', () => {
  it('parses precedence and ORDER BY', () => {
    const query = parseJql('(labels = a) AND updated >= "2026-11-20 10:30" ORDER BY updated ASC, key DESC');
    expect(query.orderBy).toEqual([
      { field: 'updated', direction: 'asc' },
      { field: 'key', direction: 'desc' },
    ]);
    expect(query.where?.kind).toBe('and');
  });

  it('AND binds tighter than OR; NOT, IN lists, IS EMPTY and functions become nodes', () => {
    expect(parseJql('a = 1 OR b in (2, "3") AND NOT c is EMPTY AND d = currentUser()').where).toEqual({
      kind: 'or',
      parts: [
        { kind: 'clause', field: 'a', operator: '=', values: [{ kind: 'literal', text: '1', quoted: false }], pos: 0 },
        {
          kind: 'and',
          parts: [
            {
              kind: 'clause',
              field: 'b',
              operator: 'in',
              values: [
                { kind: 'literal', text: '2', quoted: false },
                { kind: 'literal', text: '3', quoted: true },
              ],
              pos: 9,
            },
            { kind: 'not', expr: { kind: 'clause', field: 'c', operator: 'is', values: [{ kind: 'empty' }], pos: 31 } },
            {
              kind: 'clause',
              field: 'd',
              operator: '=',
              values: [{ kind: 'function', name: 'currentUser', args: [] }],
              pos: 46,
            },
          ],
        },
      ],
    });
    expect(parseJql('ORDER BY created').where).toBeNull();
  });

  it('refuses what it cannot read, naming the place', () => {
    expect(() => parseJql('project = OPS AND')).toThrow(/Expecting a field name but got end of query/);
    expect(() => parseJql('project OPS')).toThrow(/Expecting operator but got 'OPS'/);
    expect(() => parseJql('status WAS Done')).toThrow(/The operator 'WAS' is not supported/);
    expect(() => parseJql('labels = a b')).toThrow(
      /Expecting either 'OR' or 'AND' but got 'b'\. \(line 1, character 12\)/,
    );
    expect(() => parseJql('labels = order')).toThrow(/'order' is a reserved JQL word/);
    expect(() => parseJql('labels is a')).toThrow(/can only be used with EMPTY or NULL/);
  });
});
