/**
 * The import against the sample Jira over HTTP, through jira.js: the real requests, the
 * real fault "create the issue, then answer 503", and the real idempotency label search.
 */
import { PostmortemReader } from '../../server/postmortem/read.js';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { createJiraTicketWriter, type JiraTicketWriter } from '../../server/jira/tickets.js';
import { importPostmortem, type ImportDeps } from '../../server/tickets/importPostmortem.js';
import { createActionItemTicket } from '../../server/tickets/createTicket.js';
import { idempotencyKeyFor } from '../../server/tickets/ticketContent.js';
import { jiraIncident, openTestStore, type TestStore } from './doubles.js';

let sample: SampleJira;
let writer: JiraTicketWriter;
let testStore: TestStore;
let deps: ImportDeps;
let incidentKey: string;

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/postmortems/${name}`, import.meta.url), 'utf8');

beforeAll(async () => {
  sample = await startSampleJira({ seed: 'empty', now: new Date('2026-11-27T09:00:00Z') });
  writer = createJiraTicketWriter({
    baseUrl: sample.url,
    email: sample.email,
    apiToken: sample.apiToken,
    onSchemaMismatch: 'throw',
  });
});

afterAll(async () => {
  await sample.close();
});

beforeEach(async () => {
  sample.clearFaults();
  incidentKey = sample.data.addIssue({ projectKey: 'OPS', issueType: 'Incident', summary: 'Checkout API outage' });
  testStore = await openTestStore();
  await testStore.store.upsertIncidents([jiraIncident(incidentKey, { url: `${sample.url}/browse/${incidentKey}` })]);
  deps = {
    reader: new PostmortemReader(),
    store: testStore.store,
    jira: writer,
    settings: {
      actionItemProject: 'REL',
      actionItemIssueType: 'Task',
      actionItemLabel: 'postmortem-action',
      publicUrl: null,
    },
    now: () => new Date('2026-11-27T09:00:00Z'),
    recheckDelaysMs: [],
  };
});

afterEach(async () => {
  await testStore.cleanup();
});

/** The template fixture about this test's incident, owners renamed to sample users. */
const document = (): string =>
  fixture('template-filled.md')
    .replaceAll('OPS-101', incidentKey)
    .replace('@Priya Raman', 'Priya Sharma')
    .replace('| Wen Li         | 2026-12-01', '| Kenji Tanaka   | 2026-12-01');

const ticketsOf = (key: string) =>
  sample.data
    .keys()
    .map((k) => sample.data.issue(k)!)
    .filter((issue) => {
      const fields = issue.fields as {
        issuelinks?: Array<{ inwardIssue?: { key: string }; outwardIssue?: { key: string } }>;
      };
      return (fields.issuelinks ?? []).some((l) => l.outwardIssue?.key === key || l.inwardIssue?.key === key);
    });

describe('import against the sample Jira', () => {
  it('creates the tickets with ADF, due date, assignee, labels and property, linked to the incident', async () => {
    const result = await importPostmortem(deps, document());
    expect(result.actionItems.map((r) => r.status)).toEqual(['created', 'created', 'created']);
    const tickets = ticketsOf(incidentKey);
    expect(tickets).toHaveLength(3);
    const first = sample.data.issue(result.created[0]!)!;
    const fields = first.fields as Record<string, unknown>;
    expect(fields.summary).toBe('Add a load test for the checkout retry path to the CI pipeline');
    expect(fields.duedate).toBe('2026-11-20');
    expect((fields.assignee as { displayName: string }).displayName).toBe('Priya Sharma');
    expect(fields.labels).toEqual(expect.arrayContaining(['postmortem-action']));
    expect((fields.description as { type: string }).type).toBe('doc');
    expect(JSON.stringify(fields.description)).toContain(`${sample.url}/browse/${incidentKey}`);
    expect(sample.data.getProperty(first.key as string, 'postmortem-insights')).toMatchObject({
      incidentKey,
      documentRef: `${incidentKey}-1`,
    });
    // The team owner matches no user: unassigned, owner kept in the description.
    const second = sample.data.issue(result.created[1]!)!.fields as Record<string, unknown>;
    expect(second.assignee ?? null).toBeNull();
    expect(JSON.stringify(second.description)).toContain('@sre-team');
  });

  it('creates each ticket once when Jira answers 503 after creating it, and once more across a re-run', async () => {
    sample.resetStats();
    sample.injectFaults([{ route: 'POST /rest/api/3/issue', status: 503, times: 1, after: true }]);
    const first = await importPostmortem(deps, document());
    expect(first.actionItems.map((r) => r.status)).toEqual(['created', 'created', 'created']);
    expect(sample.stats().byRoute['POST /rest/api/3/issue']).toBe(3);
    const again = await importPostmortem(deps, document());
    expect(again.created).toEqual([]);
    expect(ticketsOf(incidentKey)).toHaveLength(3);
    expect(sample.stats().byRoute['POST /rest/api/3/issue']).toBe(3);
  });

  it('never re-sends the create POST itself, and a retry after an unanswered create finds the ticket', async () => {
    // 503 after acting, and the label searches right after it fail too: the call gives up.
    sample.injectFaults([{ route: 'POST /rest/api/3/issue', status: 503, times: 1, after: true }]);
    deps.jira = {
      ...writer,
      createIssue: async (ticket) => {
        try {
          return await writer.createIssue(ticket);
        } finally {
          sample.injectFaults([{ route: 'POST /rest/api/3/search/jql', status: 503, times: 5 }]);
        }
      },
    };
    sample.resetStats();
    const input = {
      incidentKey,
      idempotencyKey: idempotencyKeyFor(incidentKey, null, 'Rotate the database credentials'),
      summary: 'Rotate the database credentials',
      owner: null,
      dueDate: null,
      description: 'Both replicas share one password.',
      documentRef: null,
    };
    await expect(createActionItemTicket(deps, input)).rejects.toMatchObject({ status: 503 });
    expect(sample.stats().byRoute['POST /rest/api/3/issue']).toBe(1);
    expect(ticketsOf(incidentKey)).toHaveLength(0);
    sample.clearFaults();
    deps.jira = writer;
    const retry = await createActionItemTicket(deps, input);
    expect(retry).toMatchObject({ outcome: 'existing', url: `${sample.url}/browse/${retry.key}` });
    expect(ticketsOf(incidentKey).map((i) => i.key)).toEqual([retry.key]);
    expect(
      sample.data
        .keys()
        .filter((k) => k.startsWith('REL-'))
        .map((k) => sample.data.issue(k)!.fields)
        .filter((f) => (f as { summary: string }).summary === input.summary),
    ).toHaveLength(1);
  });

  it('bounds each request in time: a silent Jira becomes an uncertain failure (status null), not a hang', async () => {
    const impatient = createJiraTicketWriter({
      baseUrl: sample.url,
      email: sample.email,
      apiToken: sample.apiToken,
      requestTimeoutMs: 50,
    });
    sample.setLatency(300);
    try {
      await expect(impatient.findByLabel('pmi-anything')).rejects.toMatchObject({
        status: null,
        message: 'Searching for an earlier ticket: Jira did not answer within 50 ms',
      });
    } finally {
      sample.setLatency(0);
    }
  });
});
