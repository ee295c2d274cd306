/**
 * Evaluating a JQL tree: AND, OR and NOT folded over predicates, each clause compiled by
 * the caller (the webhook matcher judges an issue's REST fields, the sample Jira its own
 * issues), so the meaning of the connectives is written once.
 */
import type { JqlExpr } from './parser.js';

export type JqlClause = Extract<JqlExpr, { kind: 'clause' }>;

export function compileWhere<I>(expr: JqlExpr, compileClause: (clause: JqlClause) => (issue: I) => boolean) {
  const compile = (node: JqlExpr): ((issue: I) => boolean) => {
    switch (node.kind) {
      case 'and': {
        const parts = node.parts.map(compile);
        return (issue) => parts.every((p) => p(issue));
      }
      case 'or': {
        const parts = node.parts.map(compile);
        return (issue) => parts.some((p) => p(issue));
      }
      case 'not': {
        const inner = compile(node.expr);
        return (issue) => !inner(issue);
      }
      case 'clause':
        return compileClause(node);
    }
  };
  return compile(expr);
}
