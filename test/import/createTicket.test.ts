import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConflictError, InputError, JiraError, NotFoundError } from '../../server/errors.js';
import {
  createActionItemTicket,
  validateTicketInput,
  type ActionItemTicketInput,
  type TicketDeps,
} from '../../server/tickets/createTicket.js';
import { idempotencyKeyFor, idempotencyLabel, actionItemDescription } from '../../server/tickets/ticketContent.js';
import { FakeJira, jiraIncident, openTestStore, type TestStore } from './doubles.js';

const now = new Date('2026-11-27T09:00:00Z');
let jira: FakeJira;
let testStore: TestStore;
let deps: TicketDeps;

const input = (fields: Partial<ActionItemTicketInput> = {}): ActionItemTicketInput => {
  const summary = fields.summary ?? 'Add a load test for the retry path';
  const incidentKey = fields.incidentKey ?? 'OPS-101';
  return {
    incidentKey,
    idempotencyKey: idempotencyKeyFor(incidentKey, fields.documentRef ?? 'OPS-101-1', summary),
    summary,
    owner: 'Priya Raman',
    dueDate: '2026-11-20',
    description: null,
    documentRef: 'OPS-101-1',
    ...fields,
  };
};

beforeEach(async () => {
  jira = new FakeJira();
  jira.users = [
    { accountId: 'acc-priya', displayName: 'Priya Raman' },
    { accountId: 'acc-wen1', displayName: 'Wen Li' },
    { accountId: 'acc-wen2', displayName: 'Wen Lin' },
  ];
  jira.seed('OPS-101', { issueType: 'Incident' });
  testStore = await openTestStore();
  await testStore.store.upsertIncidents([jiraIncident('OPS-101')]);
  deps = {
    store: testStore.store,
    jira,
    settings: {
      actionItemProject: 'REL',
      actionItemIssueType: 'Task',
      actionItemLabel: 'postmortem-action',
      publicUrl: 'https://pmi.test',
    },
    now: () => now,
    recheckDelaysMs: [],
  };
});

afterEach(async () => {
  await testStore.cleanup();
});

const requestOf = (request = input()) => testStore.store.getTicketRequest(request.idempotencyKey);

const created = () => jira.issues.filter((i) => i.project === 'REL');

describe('createActionItemTicket', () => {
  it('creates the ticket with label, idempotency marks, ADF description, due date and assignee, linked and stored', async () => {
    const request = input();
    const result = await createActionItemTicket(deps, request);
    expect(result).toEqual({ key: 'REL-1', url: 'https://jira.test/browse/REL-1', outcome: 'created' });
    const [issue] = created();
    expect(issue).toMatchObject({
      project: 'REL',
      issueType: 'Task',
      summary: 'Add a load test for the retry path',
      labels: ['postmortem-action', idempotencyLabel(request.idempotencyKey)],
      dueDate: '2026-11-20',
      assigneeAccountId: 'acc-priya',
      properties: {
        'postmortem-insights': {
          idempotencyKey: request.idempotencyKey,
          incidentKey: 'OPS-101',
          documentRef: 'OPS-101-1',
        },
      },
      links: ['OPS-101'],
    });
    expect(JSON.stringify(issue!.description)).toContain('"href":"https://jira.test/browse/OPS-101"');
    expect(JSON.stringify(issue!.description)).not.toContain('Owner:');
    expect(await requestOf(request)).toMatchObject({ state: 'created', jiraKey: 'REL-1', error: null });
    expect(await testStore.store.getActionItem('REL-1')).toMatchObject({
      key: 'REL-1',
      incidentKey: 'OPS-101',
      documentRef: 'OPS-101-1',
      owner: 'Priya Raman',
      jiraDueDate: '2026-11-20',
    });
  });

  it('keeps the owner in the description when it matches no user or several', async () => {
    await createActionItemTicket(deps, input({ owner: '@sre-team', documentRef: 'A' }));
    await createActionItemTicket(deps, input({ owner: 'Wen', documentRef: 'B' }));
    const [none, several] = created();
    expect(none!.assigneeAccountId).toBeNull();
    expect(several!.assigneeAccountId).toBeNull();
    expect(JSON.stringify(none!.description)).toContain('"text":"@sre-team"');
    expect(JSON.stringify(several!.description)).toContain('"text":"Wen"');
    expect(jira.calls.filter((c) => c.operation === 'findUsers').map((c) => c.args[0])).toEqual(['sre-team', 'Wen']);
  });

  it('creates the ticket unassigned when Jira refuses the assignee, and when user search is not allowed', async () => {
    jira.fail(
      'createIssue',
      'before',
      400,
      'Creating the ticket: Jira answered 400 (assignee: User cannot be assigned issues.)',
    );
    await expect(createActionItemTicket(deps, input({ documentRef: 'A' }))).resolves.toMatchObject({
      outcome: 'created',
    });
    jira.fail('findUsers', 'before', 403);
    await expect(createActionItemTicket(deps, input({ documentRef: 'B' }))).resolves.toMatchObject({
      outcome: 'created',
    });
    expect(
      created().map((i) => [i.assigneeAccountId, JSON.stringify(i.description).includes('"text":"Priya Raman"')]),
    ).toEqual([
      [null, true],
      [null, true],
    ]);
    expect(jira.calls.filter((c) => c.operation === 'createIssue')).toHaveLength(3);
    jira.fail('findUsers', 'before', 503);
    await expect(createActionItemTicket(deps, input({ documentRef: 'C' }))).rejects.toMatchObject({ status: 503 });
  });

  it('returns the same ticket to a retried request without writing to Jira again', async () => {
    const first = await createActionItemTicket(deps, input());
    const writes = jira.writes().length;
    const again = await createActionItemTicket(deps, input());
    expect(again).toEqual({ ...first, outcome: 'existing' });
    expect(jira.writes()).toHaveLength(writes);
    expect(created()).toHaveLength(1);
  });

  it('survives a 503 sent after Jira created the issue: finds it by label in the same call', async () => {
    jira.fail('createIssue', 'after', 503);
    const logged: string[] = [];
    deps.log = (level, message, fields) => logged.push(`${level} ${message} ${String(fields.jiraKey)}`);
    const result = await createActionItemTicket(deps, input());
    expect(logged).toEqual([
      "warn Jira's answer to a create was lost; found the ticket by its idempotency label REL-1",
      'info action-item ticket created REL-1',
    ]);
    expect(result.key).toBe('REL-1');
    expect(created()).toHaveLength(1);
    expect(jira.calls.filter((c) => c.operation === 'createIssue')).toHaveLength(1);
    expect(created()[0]!.links).toEqual(['OPS-101']);
  });

  it('survives a 503 after creation that search does not see yet: the call fails, the retry finds the ticket', async () => {
    jira.fail('createIssue', 'after', 503);
    jira.hiddenFromSearch.add('REL-1');
    await expect(createActionItemTicket(deps, input())).rejects.toMatchObject({ status: 503 });
    expect(await requestOf()).toMatchObject({ state: 'pending', jiraKey: null, error: expect.stringContaining('503') });
    jira.hiddenFromSearch.clear();
    const retry = await createActionItemTicket(deps, input());
    expect(retry).toMatchObject({ key: 'REL-1', outcome: 'existing' });
    expect(created()).toHaveLength(1);
    expect(jira.calls.filter((c) => c.operation === 'createIssue')).toHaveLength(1);
    expect(await requestOf()).toMatchObject({ state: 'created', jiraKey: 'REL-1' });
  });

  it('waits and searches again after an uncertain failure, for the search index to catch up', async () => {
    jira.fail('createIssue', 'after', 503);
    jira.hiddenFromSearch.add('REL-1');
    await expect(createActionItemTicket(deps, input())).rejects.toBeInstanceOf(JiraError);
    const slept: number[] = [];
    deps.recheckDelaysMs = [10, 20];
    deps.sleep = async (ms) => {
      slept.push(ms);
      if (slept.length === 2) jira.hiddenFromSearch.clear();
    };
    await expect(createActionItemTicket(deps, input())).resolves.toMatchObject({ key: 'REL-1' });
    expect(slept).toEqual([10, 20]);
    expect(created()).toHaveLength(1);
  });

  it('does not wait when the unknown outcome is old, or when Jira refused the create', async () => {
    const slept: number[] = [];
    deps.recheckDelaysMs = [10, 20];
    deps.sleep = async (ms) => {
      slept.push(ms);
    };
    jira.fail('createIssue', 'before', 400);
    await expect(createActionItemTicket(deps, input({ documentRef: 'A' }))).rejects.toMatchObject({ status: 400 });
    expect(await requestOf(input({ documentRef: 'A' }))).toMatchObject({ state: 'failed' });
    await createActionItemTicket(deps, input({ documentRef: 'A' }));
    expect(slept).toEqual([]);

    jira.fail('createIssue', 'before', null);
    await expect(createActionItemTicket(deps, input({ documentRef: 'B' }))).rejects.toMatchObject({ status: null });
    expect(slept).toEqual([10, 20]); // the unknown outcome is looked for in the same call
    slept.length = 0;
    const later = new Date(now.getTime() + 31_000);
    await createActionItemTicket({ ...deps, now: () => later }, input({ documentRef: 'B' }));
    expect(slept).toEqual([]);
    expect(created()).toHaveLength(2);
  });

  it('creates on retry when the first attempt failed before Jira acted (network down)', async () => {
    jira.fail('createIssue', 'before', null);
    await expect(createActionItemTicket(deps, input())).rejects.toMatchObject({ status: null });
    expect(created()).toHaveLength(0);
    await expect(createActionItemTicket(deps, input())).resolves.toMatchObject({ key: 'REL-1', outcome: 'created' });
    expect(created()).toHaveLength(1);
  });

  it('does not look again after a 400: Jira refused, nothing was created', async () => {
    jira.fail('createIssue', 'before', 400);
    await expect(createActionItemTicket(deps, input())).rejects.toMatchObject({ status: 400 });
    expect(jira.calls.filter((c) => c.operation === 'findByLabel')).toHaveLength(1);
    expect(await requestOf()).toMatchObject({ state: 'failed', error: expect.stringContaining('400') });
  });

  it('survives a crash between Jira reply and the store write', async () => {
    testStore.failNextRequestUpdate();
    await expect(createActionItemTicket(deps, input())).rejects.toThrow('store went away');
    expect(await requestOf()).toMatchObject({ state: 'pending', jiraKey: null });
    expect(created()).toHaveLength(1);
    await expect(createActionItemTicket(deps, input())).resolves.toMatchObject({ key: 'REL-1', outcome: 'existing' });
    expect(created()).toHaveLength(1);
    expect(created()[0]!.links).toEqual(['OPS-101']);
  });

  it('finishes the link on retry when linking failed after creation, and links once', async () => {
    jira.fail('linkIssues', 'before', 502);
    await expect(createActionItemTicket(deps, input())).rejects.toMatchObject({ status: 502 });
    expect(await requestOf()).toMatchObject({
      state: 'pending',
      jiraKey: 'REL-1',
      error: expect.stringContaining('502'),
    });
    await createActionItemTicket(deps, input());
    await createActionItemTicket(deps, input());
    expect(created()).toHaveLength(1);
    expect(created()[0]!.links).toEqual(['OPS-101']);
    expect(jira.calls.filter((c) => c.operation === 'findByLabel')).toHaveLength(1);
  });

  it('keeps a second request for the same item out while the first is in flight', async () => {
    let open!: () => void;
    jira.createGate = new Promise((resolve) => {
      open = resolve;
    });
    const first = createActionItemTicket(deps, input());
    while (!jira.calls.some((c) => c.operation === 'createIssue'))
      await new Promise((resolve) => setTimeout(resolve, 1));
    await expect(createActionItemTicket(deps, input())).rejects.toBeInstanceOf(ConflictError);
    open();
    await expect(first).resolves.toMatchObject({ key: 'REL-1', outcome: 'created' });
    await expect(createActionItemTicket(deps, input())).resolves.toMatchObject({ key: 'REL-1', outcome: 'existing' });
    expect(created()).toHaveLength(1);
  });

  it('refuses an unknown incident and a document-only incident without a project', async () => {
    await expect(createActionItemTicket(deps, input({ incidentKey: 'OPS-999' }))).rejects.toBeInstanceOf(NotFoundError);
    await testStore.store.upsertIncidents([jiraIncident('PD-1', { source: 'document', url: null, jiraId: null })]);
    deps.settings = { ...deps.settings, actionItemProject: null };
    await expect(createActionItemTicket(deps, input({ incidentKey: 'PD-1' }))).rejects.toMatchObject({
      parameter: 'jira.actionItemProject',
    });
  });

  it("uses the incident's project when actionItemProject is not set, and links a document-only incident to the tab", async () => {
    deps.settings = { ...deps.settings, actionItemProject: null };
    await expect(createActionItemTicket(deps, input())).resolves.toMatchObject({ key: 'OPS-2' });
    deps.settings = { ...deps.settings, actionItemProject: 'REL' };
    await testStore.store.upsertIncidents([jiraIncident('PD-1', { source: 'document', url: null, jiraId: null })]);
    await createActionItemTicket(deps, input({ incidentKey: 'PD-1' }));
    const issue = created()[0]!;
    expect(issue.links).toEqual([]);
    expect(JSON.stringify(issue.description)).toContain('https://pmi.test/tab?incident=PD-1');
  });
});

describe('validateTicketInput', () => {
  it('accepts the form and trims it', () => {
    expect(validateTicketInput({ summary: '  Fix it ', owner: '', dueDate: '2026-12-01' })).toEqual({
      summary: 'Fix it',
      owner: null,
      dueDate: '2026-12-01',
      description: null,
    });
  });
  it('names the field that is wrong', () => {
    const refuse = (body: Record<string, unknown>) => {
      try {
        validateTicketInput(body);
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as InputError).parameter;
      }
      throw new Error('expected a refusal');
    };
    expect(refuse({})).toBe('summary');
    expect(refuse({ summary: 'a\nb' })).toBe('summary');
    expect(refuse({ summary: 'x'.repeat(256) })).toBe('summary');
    expect(refuse({ summary: 'ok', dueDate: '2026-02-30' })).toBe('dueDate');
    expect(refuse({ summary: 'ok', dueDate: 'Nov 3' })).toBe('dueDate');
    expect(refuse({ summary: 'ok', owner: 5 })).toBe('owner');
  });
});

describe('ticket content', () => {
  it('derives the same key for the same item, by reference when there is one', () => {
    expect(idempotencyKeyFor('OPS-1', 'OPS-1-1', 'Fix the pool')).toBe(
      idempotencyKeyFor('ops-1', 'ops-1-1', 'Reworded'),
    );
    expect(idempotencyKeyFor('OPS-1', null, 'Fix  the pool.')).toBe(idempotencyKeyFor('OPS-1', null, 'fix the pool'));
    expect(idempotencyKeyFor('OPS-1', null, 'Fix the pool')).not.toBe(idempotencyKeyFor('OPS-2', null, 'Fix the pool'));
    expect(idempotencyLabel('abc')).toMatch(/^pmi-abc$/);
  });
  it('builds a valid ADF document with the details and the link back', () => {
    const doc = actionItemDescription({
      summary: 'S',
      description: 'First.\n\nSecond.',
      incidentKey: 'OPS-1',
      incidentUrl: null,
      documentRef: 'R-1',
      unresolvedOwner: null,
    });
    expect(doc).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'First.' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'Second.' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Post-mortem action item R-1 for incident ' },
            { type: 'text', text: 'OPS-1' },
            { type: 'text', text: '.' },
          ],
        },
      ],
    });
  });
});
