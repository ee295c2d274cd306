import { PostmortemReader } from '../../server/postmortem/read.js';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PostmortemParseError } from '../../server/postmortem/parse.js';
import {
  detectionCategoryOf,
  importPostmortem,
  planImport,
  type ImportDeps,
} from '../../server/tickets/importPostmortem.js';
import { idempotencyKeyFor } from '../../server/tickets/ticketContent.js';
import { FakeJira, jiraIncident, openTestStore, type TestStore } from './doubles.js';

const now = new Date('2026-11-27T09:00:00Z');
const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/postmortems/${name}`, import.meta.url), 'utf8');

let jira: FakeJira;
let testStore: TestStore;
let deps: ImportDeps;

beforeEach(async () => {
  jira = new FakeJira();
  jira.users = [
    { accountId: 'acc-priya', displayName: 'Priya Raman' },
    { accountId: 'acc-wen', displayName: 'Wen Li' },
    { accountId: 'acc-marcus', displayName: 'Marcus Bell' },
  ];
  jira.seed('OPS-101', { issueType: 'Incident' });
  jira.seed('OPS-102', { issueType: 'Incident' });
  testStore = await openTestStore();
  await testStore.store.upsertIncidents([jiraIncident('OPS-101'), jiraIncident('OPS-102')]);
  deps = {
    reader: new PostmortemReader(),
    store: testStore.store,
    jira,
    settings: {
      actionItemProject: 'REL',
      actionItemIssueType: 'Task',
      actionItemLabel: 'postmortem-action',
      publicUrl: null,
    },
    now: () => now,
    recheckDelaysMs: [],
  };
});

afterEach(async () => {
  await testStore.cleanup();
});

const relIssues = () => jira.issues.filter((i) => i.project === 'REL');

describe('importPostmortem', () => {
  it('creates one linked ticket per action item, stores the document, and a re-run creates nothing', async () => {
    const result = await importPostmortem(deps, fixture('template-filled.md'));
    expect(result).toMatchObject({
      incident: 'OPS-101',
      incidentSource: 'jira',
      created: ['REL-1', 'REL-2', 'REL-3'],
      actionItems: [
        { ref: 'OPS-101-1', jiraKey: 'REL-1', status: 'created' },
        { ref: 'OPS-101-2', jiraKey: 'REL-2', status: 'created' },
        { ref: 'OPS-101-3', jiraKey: 'REL-3', status: 'created' },
      ],
    });
    expect(relIssues().map((i) => [i.summary, i.dueDate, i.assigneeAccountId, i.links])).toEqual([
      ['Add a load test for the checkout retry path to the CI pipeline', '2026-11-20', 'acc-priya', ['OPS-101']],
      ['Lower the pool-saturation alert threshold to 80%', '2026-11-13', null, ['OPS-101']],
      ['Write a runbook for connection pool exhaustion', '2026-12-01', 'acc-wen', ['OPS-101']],
    ]);
    const stored = (await testStore.store.getPostmortem('OPS-101'))!;
    expect(stored.actionItems.map((r) => r.jiraKey)).toEqual(['REL-1', 'REL-2', 'REL-3']);
    expect(stored.rootCause.fiveWhys).toHaveLength(5);
    expect(stored.timeline).toHaveLength(8);
    // The Jira incident itself is the sync's: the import does not rewrite it.
    expect((await testStore.store.getIncident('OPS-101'))!.summary).toBe('Incident OPS-101');

    const writes = jira.writes().length;
    const rerun = await importPostmortem(deps, fixture('template-filled.md'));
    expect(rerun.created).toEqual([]);
    expect(rerun.actionItems.map((r) => [r.jiraKey, r.status])).toEqual([
      ['REL-1', 'existing'],
      ['REL-2', 'existing'],
      ['REL-3', 'existing'],
    ]);
    expect(jira.writes()).toHaveLength(writes);
    expect(relIssues()).toHaveLength(3);
  });

  it('creates every ticket exactly once under injected failures, across re-runs', async () => {
    jira.fail('createIssue', 'after', 503); // row 1: created, reply lost
    jira.fail('linkIssues', 'before', 502); // row 1's link fails
    const first = await importPostmortem(deps, fixture('template-filled.md'));
    expect(first.actionItems.map((r) => r.status)).toEqual(['failed', 'created', 'created']);
    expect(first.actionItems[0]!.error).toMatch(/502/);
    jira.fail('createIssue', 'before', null); // row 1 is already created: no create is attempted
    const second = await importPostmortem(deps, fixture('template-filled.md'));
    expect(second.actionItems.map((r) => r.status)).toEqual(['existing', 'existing', 'existing']);
    expect(relIssues()).toHaveLength(3);
    expect(relIssues().every((i) => i.links.length === 1)).toBe(true);
    expect((await testStore.store.getPostmortem('OPS-101'))!.actionItems.map((r) => r.jiraKey)).toEqual([
      'REL-1',
      'REL-2',
      'REL-3',
    ]);
  });

  it('reports a partial failure row by row, and a re-run creates only the missing ticket', async () => {
    jira.calls = [];
    jira.fail('createIssue', 'before', null);
    jira.fail('createIssue', 'before', 503);
    const first = await importPostmortem(deps, fixture('template-filled.md'));
    expect(first.actionItems).toEqual([
      { ref: 'OPS-101-1', jiraKey: null, status: 'failed', error: expect.stringContaining('createIssue') },
      { ref: 'OPS-101-2', jiraKey: null, status: 'failed', error: expect.stringContaining('503') },
      { ref: 'OPS-101-3', jiraKey: 'REL-1', status: 'created' },
    ]);
    expect(first.created).toEqual(['REL-1']);
    const second = await importPostmortem(deps, fixture('template-filled.md'));
    expect(second.created).toEqual(['REL-2', 'REL-3']);
    expect(second.actionItems.map((r) => r.status)).toEqual(['created', 'created', 'existing']);
    expect(relIssues().map((i) => i.summary)).toEqual([
      'Write a runbook for connection pool exhaustion',
      'Add a load test for the checkout retry path to the CI pipeline',
      'Lower the pool-saturation alert threshold to 80%',
    ]);
  });

  it('links a row naming an existing Jira ticket, never duplicates or overwrites it, and reports differences', async () => {
    jira.seed('REL-7', {
      summary: 'Alert on empty search results',
      dueDate: '2026-11-30',
      status: 'In Progress',
      assignee: 'Marcus Bell',
      labels: ['postmortem-action'],
    });
    const before = structuredClone(jira.issues.find((i) => i.key === 'REL-7'));
    const result = await importPostmortem(deps, fixture('drifted.md'));
    expect(result.actionItems[1]).toEqual({
      ref: null,
      jiraKey: 'REL-7',
      status: 'linked',
      differences: [
        'summary: the document says "Alert on the empty-result rate above 2%", Jira says "Alert on empty search results"',
        'due date: the document says 2026-11-18, Jira says 2026-11-30',
      ],
    });
    const after = jira.issues.find((i) => i.key === 'REL-7')!;
    expect({ ...after, links: [] }).toEqual({ ...before, links: [] });
    expect(after.links).toEqual(['OPS-102']);
    expect(
      jira.calls.filter((c) => c.operation === 'createIssue').map((c) => (c.args[0] as { summary: string }).summary),
    ).toEqual([
      'Refuse the alias swap when the new index has fewer than 90% of the old documents',
      'Make the exporter exit non-zero on an empty export',
    ]);
    const rerun = await importPostmortem(deps, fixture('drifted.md'));
    expect(rerun.actionItems[1]).toMatchObject({ jiraKey: 'REL-7', status: 'existing' });
    expect(after.links).toEqual(['OPS-102']);
    expect(await testStore.store.getActionItem('REL-7')).toMatchObject({ incidentKey: 'OPS-102' });
  });

  it('treats an ID shaped like a key that Jira does not know as the document reference, and a Jira column that names nothing as a failed row', async () => {
    const md = `# PM\n\n* Incident ID: OPS-101\n\n## Action items\n\n| ID | Description | Owner | Jira |\n|---|---|---|---|\n| DOC-1 | Made up ref | Ann | |\n| | Wrong key | Bob | REL-404 |\n`;
    const result = await importPostmortem(deps, md);
    expect(result.actionItems).toEqual([
      { ref: 'DOC-1', jiraKey: 'REL-1', status: 'created' },
      {
        ref: null,
        jiraKey: null,
        status: 'failed',
        error: 'REL-404 does not exist in Jira (or this account cannot see it)',
      },
    ]);
    expect(relIssues()[0]!.properties['postmortem-insights']).toMatchObject({ documentRef: 'DOC-1' });
  });

  it('creates a document-only incident from what the document says', async () => {
    const result = await importPostmortem(deps, fixture('document-only.md'));
    expect(result).toMatchObject({ incident: 'PD-48213', incidentSource: 'created', created: ['REL-1', 'REL-2'] });
    expect(await testStore.store.getIncident('PD-48213')).toMatchObject({
      key: 'PD-48213',
      source: 'document',
      jiraId: null,
      url: null,
      summary: 'Notification emails delayed',
      severity: 'P2',
      services: ['notifications'],
      detection: 'internal',
      commander: 'Dana Kim',
      startedAt: '2026-11-10T08:00:00.000Z',
      detectedAt: '2026-11-10T08:25:00.000Z',
      acknowledgedAt: '2026-11-10T08:31:00.000Z',
      resolvedAt: '2026-11-10T09:30:00.000Z',
      statusCategory: 'done',
      placeAt: '2026-11-10T08:00:00.000Z',
    });
    expect(relIssues().every((i) => i.links.length === 0)).toBe(true);
    expect(await testStore.store.getActionItem('REL-1')).toMatchObject({
      incidentKey: 'PD-48213',
      documentRef: 'PD-48213-1',
    });
    const again = await importPostmortem(deps, fixture('document-only.md'));
    expect(again).toMatchObject({ incidentSource: 'document', created: [] });
    expect((await testStore.store.getIncident('PD-48213'))!.createdAt).toBe('2026-11-10T08:00:00.000Z');
  });

  it('warns when the Incident ID is a Jira issue not synced yet, and links the tickets once a re-import finds it synced', async () => {
    jira.seed('OPS-150', { issueType: 'Incident' });
    const doc = fixture('template-filled.md').replaceAll('OPS-101', 'OPS-150');
    const first = await importPostmortem(deps, doc);
    expect(first.incidentSource).toBe('created');
    expect(first.warnings).toEqual([
      expect.stringContaining('OPS-150 is a Jira issue the sync has not stored as an incident'),
    ]);
    expect(relIssues().every((i) => i.links.length === 0)).toBe(true);
    expect((await testStore.store.getIncident('OPS-150'))!.timeline).toHaveLength(8);
    // The sync stores the Jira incident under the same key.
    await testStore.store.upsertIncidents([jiraIncident('OPS-150')]);
    const second = await importPostmortem(deps, doc);
    expect(second.actionItems.map((r) => r.status)).toEqual(['linked', 'linked', 'linked']);
    expect(relIssues().map((i) => i.links)).toEqual([['OPS-150'], ['OPS-150'], ['OPS-150']]);
    const third = await importPostmortem(deps, doc);
    expect(third.actionItems.map((r) => r.status)).toEqual(['existing', 'existing', 'existing']);
    expect(relIssues()).toHaveLength(3);
  });

  it('says when a row marked done became a new open ticket (Jira owns the status)', async () => {
    await testStore.store.upsertIncidents([jiraIncident('OPS-103')]);
    const result = await importPostmortem(deps, fixture('drifted-bold.md'));
    expect(result.actionItems).toEqual([
      {
        ref: 'PAY-1',
        jiraKey: 'REL-1',
        status: 'created',
        differences: ['status: the document says "Done"; the new ticket starts open in Jira, close it there'],
      },
      { ref: 'PAY-2', jiraKey: 'REL-2', status: 'created' },
    ]);
    expect(jira.calls.filter((c) => c.operation === 'getIssue').map((c) => c.args[0])).toEqual([
      'PAY-1',
      'REL-1',
      'PAY-2',
      'REL-2',
    ]);
  });

  it('refuses a document-only incident when no project is configured, before writing anything', async () => {
    deps.settings = { ...deps.settings, actionItemProject: null };
    await expect(importPostmortem(deps, fixture('document-only.md'))).rejects.toMatchObject({
      parameter: 'jira.actionItemProject',
    });
    expect(await testStore.store.getIncident('PD-48213')).toBeNull();
    expect(jira.calls).toEqual([]);
  });

  it('refuses a bad document before touching anything', async () => {
    await expect(importPostmortem(deps, fixture('bad-rows.md'))).rejects.toBeInstanceOf(PostmortemParseError);
    expect(jira.calls).toEqual([]);
    expect(await testStore.store.getPostmortem('OPS-103')).toBeNull();
  });
});

describe('planImport (dry run)', () => {
  it('lists the tickets it would create and touches nothing', async () => {
    const plan = await planImport(deps, fixture('drifted.md'));
    expect(plan.incident).toEqual({ key: 'OPS-102', exists: true, source: 'jira' });
    expect(plan.tickets.map((t) => [t.action, t.jiraKey, t.summary.slice(0, 20), t.project])).toEqual([
      ['create', null, 'Refuse the alias swa', 'REL'],
      ['check-existing', 'REL-7', 'Alert on the empty-r', 'REL'],
      ['create', null, 'Make the exporter ex', 'REL'],
    ]);
    expect(plan.postmortem.summary.severity).toBe('P2');
    expect(jira.calls).toEqual([]);
    expect(await testStore.store.getPostmortem('OPS-102')).toBeNull();
    for (const row of plan.postmortem.actionItems) {
      expect(await testStore.store.getTicketRequest(idempotencyKeyFor('OPS-102', row.ref, row.description))).toBeNull();
    }
  });

  it('says which tickets an earlier import already created', async () => {
    await importPostmortem(deps, fixture('template-filled.md'));
    jira.calls = [];
    const plan = await planImport(deps, fixture('template-filled.md'));
    expect(plan.tickets.map((t) => [t.action, t.jiraKey])).toEqual([
      ['already-created', 'REL-1'],
      ['already-created', 'REL-2'],
      ['already-created', 'REL-3'],
    ]);
    expect(jira.calls).toEqual([]);
  });
});

describe('detectionCategoryOf', () => {
  it('reads the usual phrasings', () => {
    expect(detectionCategoryOf('Automated alert from Prometheus')).toBe('automated');
    expect(detectionCategoryOf('Customer report via support channel')).toBe('customer');
    expect(detectionCategoryOf('Internal report from the support team')).toBe('internal');
    expect(detectionCategoryOf('Support ticket')).toBe('customer');
    expect(detectionCategoryOf('Luck')).toBe('unknown');
    expect(detectionCategoryOf(null)).toBe('unknown');
  });
});
