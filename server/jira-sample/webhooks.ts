/**
 * The sample Jira's admin webhook: every write it makes (issues created, edited, moved,
 * linked, deleted, through its REST API or its data helpers) is POSTed to the configured
 * URL the way Jira Cloud delivers it, signed with the shared secret (`X-Hub-Signature`),
 * with a fresh `X-Atlassian-Webhook-Identifier`. Demo mode points it at the server.
 */
import { randomUUID } from 'node:crypto';
import { signBody } from '../webhooks/signature.js';
import type { IssueStore, SampleChange } from './model.js';

export interface SampleWebhookTarget {
  url: string;
  secret: string;
}

function payloadOf(change: SampleChange, baseUrl: string): Record<string, unknown> {
  const timestamp = Date.now();
  if (change.event === 'issuelink_created') {
    const { link } = change;
    return {
      timestamp,
      webhookEvent: change.event,
      issueLink: {
        id: link.id,
        sourceIssueId: link.inwardId,
        destinationIssueId: link.outwardId,
        issueLinkType: { id: Number(link.type.id), name: link.type.name },
      },
    };
  }
  const { issue } = change;
  // The fields of a payload may lag behind the issue; the server reads the issue again, so a few suffice.
  return {
    timestamp,
    webhookEvent: change.event,
    issue_event_type_name:
      change.event === 'jira:issue_created'
        ? 'issue_created'
        : change.event === 'jira:issue_deleted'
          ? 'issue_deleted'
          : 'issue_generic',
    issue: {
      id: String(issue.id),
      self: `${baseUrl}/rest/api/3/issue/${issue.id}`,
      key: issue.key,
      fields: { summary: issue.summary },
    },
  };
}

export interface SampleWebhookSender {
  set(target: SampleWebhookTarget | null): void;
  /** Resolves when every delivery sent so far has been answered (or failed). */
  settled(): Promise<void>;
}

export function attachWebhookSender(store: IssueStore, baseUrl: () => string): SampleWebhookSender {
  let target: SampleWebhookTarget | null = null;
  const inFlight = new Set<Promise<void>>();
  store.onChange = (change) => {
    if (target === null) return;
    const { url, secret } = target;
    const body = JSON.stringify(payloadOf(change, baseUrl()));
    const sent = fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': signBody(secret, body),
        'x-atlassian-webhook-identifier': randomUUID(),
        'x-atlassian-webhook-flow': 'Primary',
      },
      body,
      signal: AbortSignal.timeout(10_000),
    }).then(
      async (res) => {
        await res.arrayBuffer();
      },
      () => {},
    );
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };
  return {
    set(next) {
      target = next;
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
