/**
 * The requests the ticket writer sends, checked against Atlassian's published OpenAPI
 * document (the paths the product uses, in test/fixtures/schemas/): a recording server on loopback
 * answers with canned bodies and keeps what it received.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createJiraTicketWriter, type JiraTicketWriter } from '../../server/jira/tickets.js';
import { actionItemDescription } from '../../server/tickets/ticketContent.js';

const BASE = 'https://jira.openapi.local/schema.json';
const openapi = JSON.parse(
  readFileSync(new URL('../fixtures/schemas/jira-cloud-platform.openapi.json', import.meta.url), 'utf8'),
) as {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
  components: unknown;
};
// OpenAPI 3.0 keywords (nullable, example, ...) are not JSON Schema: strict off.
const ajv = new Ajv({ strict: false, allErrors: true });
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
(addFormats as unknown as (instance: Ajv) => void)(ajv);
ajv.addSchema({ $id: BASE, components: openapi.components });

function requestSchema(path: string, method: string): unknown {
  const schema = openapi.paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} documents no JSON request body`);
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${BASE}#/components/`));
}

function expectValid(path: string, method: string, body: unknown): void {
  const validate = ajv.compile(requestSchema(path, method) as object);
  if (!validate(body)) throw new Error(`${method} ${path}: ${ajv.errorsText(validate.errors)}`);
  expect(validate.errors ?? null).toBeNull();
}

interface Received {
  method: string;
  path: string;
  body: unknown;
}

let server: Server;
let received: Received[] = [];
let writer: JiraTicketWriter;

const ANSWERS: Record<string, { status: number; body?: unknown }> = {
  'POST /rest/api/3/issue': {
    status: 201,
    body: { id: '10100', key: 'REL-1', self: 'http://x/rest/api/3/issue/10100' },
  },
  'POST /rest/api/3/issueLink': { status: 201 },
  'GET /rest/api/3/issueLinkType': {
    status: 200,
    body: {
      issueLinkTypes: [
        { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
        { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
      ],
    },
  },
  'POST /rest/api/3/search/jql': {
    status: 200,
    body: { issues: [{ id: '10100', key: 'REL-1', fields: {} }], isLast: true },
  },
  'GET /rest/api/3/user/search': {
    status: 200,
    body: [
      { accountId: 'a1', accountType: 'atlassian', active: true, displayName: 'Ana Silva' },
      { accountId: 'a2', accountType: 'app', active: true, displayName: 'Ana Bot' },
    ],
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      received.push({ method: req.method ?? '', path: req.url ?? '', body: raw ? JSON.parse(raw) : undefined });
      const answer = ANSWERS[`${req.method} ${path}`] ?? { status: 404, body: { errorMessages: ['not here'] } };
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  writer = createJiraTicketWriter({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    email: 'bot@example.com',
    apiToken: 't',
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('requests the ticket writer sends', () => {
  it('creates an issue on v3 with an ADF description, labels, due date, assignee and the idempotency property', async () => {
    received = [];
    const description = actionItemDescription({
      summary: 'S',
      description: 'Details',
      incidentKey: 'OPS-1',
      incidentUrl: 'http://x/browse/OPS-1',
      documentRef: 'OPS-1-1',
      unresolvedOwner: null,
    });
    await expect(
      writer.createIssue({
        project: 'REL',
        issueType: 'Task',
        summary: 'Add a canary',
        description,
        labels: ['postmortem-action', 'pmi-abc'],
        dueDate: '2026-12-01',
        assigneeAccountId: 'a1',
        properties: { 'postmortem-insights': { idempotencyKey: 'abc' } },
      }),
    ).resolves.toEqual({ id: '10100', key: 'REL-1' });
    const [create] = received;
    expect(create).toMatchObject({ method: 'POST', path: '/rest/api/3/issue' });
    expectValid('/rest/api/3/issue', 'post', create!.body);
    expect(create!.body).toEqual({
      fields: {
        project: { key: 'REL' },
        issuetype: { name: 'Task' },
        summary: 'Add a canary',
        description,
        labels: ['postmortem-action', 'pmi-abc'],
        duedate: '2026-12-01',
        assignee: { accountId: 'a1' },
      },
      properties: [{ key: 'postmortem-insights', value: { idempotencyKey: 'abc' } }],
    });
  });

  it('links with the "Relates" type looked up once, and searches by label with a bounded JQL', async () => {
    received = [];
    await writer.linkIssues('OPS-1', 'REL-1');
    await writer.linkIssues('OPS-1', 'REL-2');
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /rest/api/3/issueLinkType',
      'POST /rest/api/3/issueLink',
      'POST /rest/api/3/issueLink',
    ]);
    expectValid('/rest/api/3/issueLink', 'post', received[1]!.body);
    expect(received[1]!.body).toEqual({
      type: { name: 'Relates' },
      inwardIssue: { key: 'REL-1' },
      outwardIssue: { key: 'OPS-1' },
    });

    received = [];
    await expect(writer.findByLabel('pmi-abc')).resolves.toEqual([{ id: '10100', key: 'REL-1' }]);
    expectValid('/rest/api/3/search/jql', 'post', received[0]!.body);
    expect(received[0]!.body).toMatchObject({ jql: 'labels = "pmi-abc" ORDER BY created ASC' });
  });

  it('keeps only active human users from user search', async () => {
    received = [];
    await expect(writer.findUsers('Ana')).resolves.toEqual([{ accountId: 'a1', displayName: 'Ana Silva' }]);
    expect(received[0]!.path).toBe('/rest/api/3/user/search?query=Ana&maxResults=10');
  });

  it('reads a missing issue as null and passes other errors on with their status', async () => {
    await expect(writer.getIssue('REL-404')).resolves.toBeNull();
    await expect(writer.getIssueProperty('REL-404', 'postmortem-insights')).resolves.toBeNull();
    await expect(writer.setIssueProperty('REL-404', 'p', { a: 1 })).rejects.toMatchObject({
      status: 404,
      message: 'Setting property p on REL-404: Jira answered 404 (not here)',
    });
  });
});
