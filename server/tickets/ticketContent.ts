/**
 * What goes on a new action-item ticket: its idempotency key and label, and its ADF
 * description. Pure functions.
 */
import { createHash } from 'node:crypto';
import type { AdfDocument } from '../jira/tickets.js';

/** Entity property written on every ticket we create (idempotency key, incident, document ref). */
export const TICKET_PROPERTY_KEY = 'postmortem-insights';
/** Prefix of the per-ticket label that carries the idempotency key (searchable by JQL). */
export const IDEMPOTENCY_LABEL_PREFIX = 'pmi-';

/** Lower case, single spaces, no trailing punctuation: "Fix  the pool." and "fix the pool" are one item. */
export function normaliseSummary(summary: string): string {
  return summary
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.!\s]+$/, '')
    .trim();
}

/**
 * One action item's idempotency key: the incident plus the document's own reference when
 * the row has one (so a reworded description is still the same item), else its summary.
 * The same item asked for twice (a re-run, a retried request, the tab after an import)
 * gets the same key.
 */
export function idempotencyKeyFor(incidentKey: string, documentRef: string | null, summary: string): string {
  const identity = documentRef ? `ref:${documentRef.trim().toUpperCase()}` : `summary:${normaliseSummary(summary)}`;
  return createHash('sha256').update(`${incidentKey.trim().toUpperCase()}\n${identity}`).digest('hex').slice(0, 24);
}

/** A caller-supplied Idempotency-Key header, reduced to label-safe characters. */
export function idempotencyKeyFromHeader(incidentKey: string, header: string): string {
  return createHash('sha256')
    .update(`${incidentKey.trim().toUpperCase()}\nheader:${header.trim()}`)
    .digest('hex')
    .slice(0, 24);
}

export function idempotencyLabel(idempotencyKey: string): string {
  return `${IDEMPOTENCY_LABEL_PREFIX}${idempotencyKey}`;
}

export interface DescriptionInput {
  summary: string;
  description: string | null;
  incidentKey: string;
  incidentUrl: string | null;
  documentRef: string | null;
  /** The owner as written, when it did not resolve to exactly one Jira user. */
  unresolvedOwner: string | null;
}

function paragraph(...content: Array<Record<string, unknown>>): Record<string, unknown> {
  return { type: 'paragraph', content };
}

function textNode(text: string, href?: string | null): Record<string, unknown> {
  return href ? { type: 'text', text, marks: [{ type: 'link', attrs: { href } }] } : { type: 'text', text };
}

/** The ticket's description: the details, the owner if unassigned, and a link back to the incident. */
export function actionItemDescription(input: DescriptionInput): AdfDocument {
  const content: Array<Record<string, unknown>> = [];
  if (
    input.description &&
    input.description.trim() !== '' &&
    normaliseSummary(input.description) !== normaliseSummary(input.summary)
  ) {
    for (const block of input.description.split(/\n{2,}/)) {
      if (block.trim()) content.push(paragraph(textNode(block.trim())));
    }
  }
  if (input.unresolvedOwner) {
    content.push(
      paragraph(
        textNode('Owner: ', null),
        textNode(input.unresolvedOwner),
        textNode(' (not matched to one Jira user; assign it in Jira)'),
      ),
    );
  }
  const origin = [
    textNode(
      input.documentRef
        ? `Post-mortem action item ${input.documentRef} for incident `
        : 'Post-mortem action item for incident ',
    ),
    textNode(input.incidentKey, input.incidentUrl),
    textNode('.'),
  ];
  content.push(paragraph(...origin));
  return { type: 'doc', version: 1, content };
}
