/**
 * What a Jira webhook delivery asks for, read from its JSON body: the event and the
 * issues it names. The fields a payload carries can lag behind the issue, so nothing
 * else of it is trusted: the worker reads each issue again.
 */
import { createHash } from 'node:crypto';
import type { WebhookIssueRef } from '../store/Store.js';

export const WEBHOOK_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'issuelink_created',
  'issuelink_deleted',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export type DeliveryReading =
  | { kind: 'issues'; event: WebhookEvent; issues: WebhookIssueRef[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; field: string; message: string };

const idOf = (value: unknown): string | null =>
  (typeof value === 'string' && /^\d+$/.test(value)) || (typeof value === 'number' && Number.isInteger(value))
    ? String(value)
    : null;

export function readDelivery(body: unknown): DeliveryReading {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'invalid', field: 'body', message: 'the body must be a JSON object as Jira sends it' };
  }
  const payload = body as Record<string, unknown>;
  const event = payload.webhookEvent;
  if (typeof event !== 'string')
    return {
      kind: 'invalid',
      field: 'webhookEvent',
      message: 'webhookEvent is missing; is this a Jira webhook delivery?',
    };
  if (!(WEBHOOK_EVENTS as readonly string[]).includes(event)) {
    return { kind: 'ignored', reason: `event ${event} is not one the server uses (${WEBHOOK_EVENTS.join(', ')})` };
  }
  if (event.startsWith('issuelink_')) {
    const link = payload.issueLink as Record<string, unknown> | undefined;
    const ids = [idOf(link?.sourceIssueId), idOf(link?.destinationIssueId)];
    if (ids.some((id) => id === null)) {
      return {
        kind: 'invalid',
        field: 'issueLink',
        message: 'issueLink.sourceIssueId and issueLink.destinationIssueId must be issue ids',
      };
    }
    return { kind: 'issues', event: event as WebhookEvent, issues: (ids as string[]).map((id) => ({ id, key: null })) };
  }
  const issue = payload.issue as Record<string, unknown> | undefined;
  const id = idOf(issue?.id);
  if (id === null) return { kind: 'invalid', field: 'issue.id', message: 'issue.id must be the Jira issue id' };
  const key = typeof issue?.key === 'string' && issue.key !== '' ? issue.key : null;
  return { kind: 'issues', event: event as WebhookEvent, issues: [{ id, key }] };
}

/** Jira sends X-Atlassian-Webhook-Identifier; without it, the same bytes count as the same delivery. */
export function deliveryId(header: string | undefined, body: Buffer): string {
  if (typeof header === 'string' && header.trim() !== '') return header.trim().slice(0, 200);
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
