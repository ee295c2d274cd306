import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { adf, client } from './helpers.js';
import type { Json } from './helpers.js';

const CLOCK = Date.parse('2026-11-27T10:15:00Z');
let jira: SampleJira;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  jira = await startSampleJira({ now: new Date(CLOCK), clock: () => CLOCK });
  api = client(jira);
});
afterAll(async () => {
  await jira.close();
});

const task = (summary: string, extra: Record<string, unknown> = {}) => ({
  fields: {
    project: { key: 'REL' },
    issuetype: { name: 'Task' },
    summary,
    description: adf(summary),
    labels: ['postmortem-action'],
    ...extra,
  },
});

describe('POST /rest/api/3/issue', () => {
  it('creates an issue in the project with the next key, status To Do, created and updated now', async () => {
    const lastRel = Math.max(
      ...jira.data
        .keys()
        .filter((k) => k.startsWith('REL-'))
        .map((k) => Number(k.slice(4))),
    );
    const created = await api.post('/rest/api/3/issue', task('Add alert for queue depth', { duedate: '2026-12-15' }));
    expect(created.status).toBe(201);
    expect(created.body.key).toBe(`REL-${lastRel + 1}`);
    expect(created.body.self).toBe(`${jira.url}/rest/api/3/issue/${created.body.id}`);
    const issue = await api.get(`/rest/api/3/issue/${created.body.key}`);
    expect(issue.body.fields.status.name).toBe('To Do');
    expect(issue.body.fields.status.statusCategory.key).toBe('new');
    expect(Date.parse(issue.body.fields.created.replace(/(\d{2})(\d{2})$/, '$1:$2'))).toBe(CLOCK);
    expect(issue.body.fields.updated).toBe(issue.body.fields.created);
    expect(issue.body.fields.duedate).toBe('2026-12-15');
  });

  it('requires an ADF description and names each bad field in errors', async () => {
    const plain = await api.post('/rest/api/3/issue', task('x', { description: 'plain text' }));
    expect(plain.status).toBe(400);
    expect(plain.body.errors.description).toMatch(/Atlassian Document/);
    const missing = await api.post('/rest/api/3/issue', {
      fields: { project: { key: 'NOPE' }, issuetype: { name: 'Task' } },
    });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.errors).sort()).toEqual(['description', 'project', 'summary']);
    expect(missing.body.errorMessages).toEqual([]);
  });

  it('sets assignee, custom fields and entity properties given at creation', async () => {
    const owner = jira.data
      .users()
      .find((u) => u.active && u.accountId !== undefined && u.displayName !== 'Reliability Automation');
    const created = await api.post('/rest/api/3/issue', {
      ...task('With owner', { assignee: { accountId: owner?.accountId } }),
      properties: [{ key: 'pm.import', value: { id: 'pm-42' } }],
    });
    expect(created.status).toBe(201);
    const issue = await api.get(`/rest/api/3/issue/${created.body.key}`);
    expect(issue.body.fields.assignee.accountId).toBe(owner?.accountId);
    const property = await api.get(`/rest/api/3/issue/${created.body.key}/properties/pm.import`);
    expect(property.body).toEqual({ key: 'pm.import', value: { id: 'pm-42' } });
  });
});

describe('POST /rest/api/3/issue/bulk', () => {
  it('creates the valid ones and reports the failed element numbers', async () => {
    const result = await api.post('/rest/api/3/issue/bulk', {
      issueUpdates: [task('Bulk one'), task('Bulk two', { description: 'not adf' }), task('Bulk three')],
    });
    expect(result.status).toBe(201);
    expect(result.body.issues).toHaveLength(2);
    expect(result.body.errors).toEqual([
      {
        status: 400,
        failedElementNumber: 1,
        elementErrors: { errorMessages: [], errors: { description: expect.any(String) } },
      },
    ]);
    const tooMany = await api.post('/rest/api/3/issue/bulk', {
      issueUpdates: Array.from({ length: 51 }, (_v, i) => task(`n${i}`)),
    });
    expect(tooMany.status).toBe(400);
  });
});

describe('POST /rest/api/3/issueLink', () => {
  it('shows the link on both issues, bumps updated and appends a Link history on each', async () => {
    const incident = jira.data.store.issues.find((i) => i.issueType.name === 'Incident' && i.updated < CLOCK);
    const item = await api.post('/rest/api/3/issue', task('Linked item'));
    const before = incident?.histories.length ?? 0;
    const link = await api.post('/rest/api/3/issueLink', {
      type: { name: 'Relates' },
      inwardIssue: { key: item.body.key },
      outwardIssue: { key: incident?.key },
    });
    expect(link.status).toBe(201);
    expect(link.body).toBeUndefined();
    const itemView = await api.get(`/rest/api/3/issue/${item.body.key}?fields=issuelinks`);
    expect(itemView.body.fields.issuelinks).toEqual([
      expect.objectContaining({ outwardIssue: expect.objectContaining({ key: incident?.key }) }),
    ]);
    const incidentView = await api.get(`/rest/api/3/issue/${incident?.key}?fields=issuelinks,updated`);
    expect(incidentView.body.fields.issuelinks.some((l: Json) => l.inwardIssue?.key === item.body.key)).toBe(true);
    expect(incident?.updated).toBe(CLOCK);
    expect(incident?.histories.length).toBe(before + 1);
    // A duplicate link "succeeds" without adding a second one, as on Jira Cloud.
    await api.post('/rest/api/3/issueLink', {
      type: { name: 'Relates' },
      inwardIssue: { key: item.body.key },
      outwardIssue: { key: incident?.key },
    });
    expect((await api.get(`/rest/api/3/issue/${item.body.key}?fields=issuelinks`)).body.fields.issuelinks).toHaveLength(
      1,
    );
  });

  it('404 for an unknown issue or link type, 400 for a missing side', async () => {
    const unknownIssue = await api.post('/rest/api/3/issueLink', {
      type: { name: 'Relates' },
      inwardIssue: { key: 'REL-999999' },
      outwardIssue: { key: 'OPS-1' },
    });
    expect(unknownIssue.status).toBe(404);
    const unknownType = await api.post('/rest/api/3/issueLink', {
      type: { name: 'Haunts' },
      inwardIssue: { key: 'OPS-1' },
      outwardIssue: { key: 'OPS-2' },
    });
    expect(unknownType.status).toBe(404);
    expect(unknownType.body.errorMessages[0]).toContain('Haunts');
    const oneSided = await api.post('/rest/api/3/issueLink', {
      type: { name: 'Relates' },
      inwardIssue: { key: 'OPS-1' },
    });
    expect(oneSided.status).toBe(400);
    expect(oneSided.body.errors).toHaveProperty('outwardIssue');
  });
});

describe('issue properties', () => {
  it('PUT answers 201 when new and 200 when replaced; GET reads it; a missing key is 404', async () => {
    const first = await api.put('/rest/api/3/issue/OPS-1/properties/pm.sync', { runs: 1 });
    expect(first.status).toBe(201);
    const second = await api.put('/rest/api/3/issue/OPS-1/properties/pm.sync', { runs: 2 });
    expect(second.status).toBe(200);
    expect((await api.get('/rest/api/3/issue/OPS-1/properties/pm.sync')).body).toEqual({
      key: 'pm.sync',
      value: { runs: 2 },
    });
    const missing = await api.get('/rest/api/3/issue/OPS-1/properties/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body.errorMessages[0]).toContain('nothing');
  });
});

describe('GET /rest/api/3/user/search', () => {
  it('finds users by name or email prefix with accountId, displayName, emailAddress, active', async () => {
    const someone = jira.data.users()[3];
    const byName = await api.get(
      `/rest/api/3/user/search?query=${encodeURIComponent(someone?.displayName.split(' ')[1] ?? '')}`,
    );
    expect(byName.body).toEqual([
      expect.objectContaining({
        accountId: someone?.accountId,
        displayName: someone?.displayName,
        emailAddress: someone?.emailAddress,
        active: someone?.active,
      }),
    ]);
    const byEmail = await api.get(`/rest/api/3/user/search?query=${encodeURIComponent(someone?.emailAddress ?? '')}`);
    expect(byEmail.body.map((u: Json) => u.accountId)).toEqual([someone?.accountId]);
    expect((await api.get('/rest/api/3/user/search')).status).toBe(400);
    expect(jira.data.users().some((u) => !u.active)).toBe(true);
  });
});

describe('data API for tests', () => {
  it('updateIssue and transition bump updated and append changelog; Done sets resolutiondate', async () => {
    const key = jira.data.addIssue({
      projectKey: 'REL',
      issueType: 'Task',
      summary: 'Via data API',
      labels: ['postmortem-action'],
      created: new Date(CLOCK - 3_600_000),
    });
    jira.data.updateIssue(key, { dueDate: '2026-12-01' }, new Date(CLOCK - 1_800_000));
    jira.data.transition(key, 'Done', { at: new Date(CLOCK - 60_000) });
    const issue = jira.data.issue(key, { changelog: true }) as Json;
    expect(issue.fields.resolutiondate).not.toBeNull();
    expect(issue.fields.resolution.name).toBe('Done');
    expect(issue.changelog.total).toBe(2);
    expect(jira.data.store.get(key)?.updated).toBe(CLOCK - 60_000);
    jira.data.transition(key, 'In Progress', { at: new Date(CLOCK) });
    expect((jira.data.issue(key) as Json).fields.resolutiondate).toBeNull();
  });
});

describe('data API custom fields and options', () => {
  it('accepts option text and dates, renders them the Jira way, and logs the change', async () => {
    const key = jira.data.addIssue({
      projectKey: 'OPS',
      issueType: 'Incident',
      summary: 'Friendly input',
      custom: {
        customfield_10040: 'SEV-2',
        customfield_10041: ['search', 'auth'],
        customfield_10042: new Date('2026-11-27T04:00:00Z'),
      },
    });
    jira.data.updateIssue(key, { custom: { customfield_10040: 'SEV-1' } });
    const fields = (jira.data.issue(key, { changelog: true }) as Json).fields;
    expect(fields.customfield_10040).toMatchObject({ value: 'SEV-1', id: expect.any(String) });
    expect(fields.customfield_10041.map((o: Json) => o.value)).toEqual(['search', 'auth']);
    expect(fields.customfield_10042).toBe('2026-11-27T09:30:00.000+0530');
    const history = (jira.data.issue(key, { changelog: true }) as Json).changelog.histories[0];
    expect(history.items[0]).toMatchObject({
      field: 'Severity',
      fieldId: 'customfield_10040',
      fromString: 'SEV-2',
      toString: 'SEV-1',
    });
    expect(() => jira.data.updateIssue(key, { custom: { customfield_10040: 'SEV-9' } })).toThrow(/SEV-9/);
  });

  it('refuses a time zone that is not an IANA name', async () => {
    await expect(startSampleJira({ seed: 'empty', timeZone: 'Berlin' })).rejects.toThrow(/timeZone "Berlin"/);
  });
});
