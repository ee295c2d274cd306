import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { parseJqlDate } from '../../server/jira-sample/format.js';
import { adf, client } from './helpers.js';
import type { Json } from './helpers.js';

let jira: SampleJira;
let api: ReturnType<typeof client>;
const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  jira = await startSampleJira({
    seed: 'empty',
    timeZone: 'Europe/Berlin',
    clock: () => Date.parse('2026-11-26T12:00:00Z'),
  });
  api = client(jira);
  const d = jira.data;
  d.addIssue({
    projectKey: 'OPS',
    issueType: 'Incident',
    summary: 'Checkout down',
    created: at('2026-11-20T08:00:00Z'),
  }); // OPS-1
  d.addIssue({ projectKey: 'OPS', issueType: 'Incident', summary: 'Search slow', created: at('2026-11-21T08:00:00Z') }); // OPS-2
  d.addIssue({
    projectKey: 'REL',
    issueType: 'Task',
    summary: 'Add alert',
    labels: ['postmortem-action'],
    created: at('2026-11-22T08:00:00Z'),
    properties: { 'pm.import': { id: 'abc-1', source: 'md' } },
  }); // REL-1
  d.addIssue({
    projectKey: 'REL',
    issueType: 'Task',
    summary: 'Runbook',
    labels: ['postmortem-action', 'checkout'],
    created: at('2026-11-23T08:00:00Z'),
  }); // REL-2
  d.addIssue({
    projectKey: 'REL',
    issueType: 'Task',
    summary: 'Tooling',
    labels: [],
    created: at('2026-11-23T09:00:00Z'),
  }); // REL-3
  d.addIssue({
    projectKey: 'OPS',
    issueType: 'Sub-task',
    summary: 'Child item',
    labels: ['postmortem-action'],
    parentKey: 'OPS-1',
    created: at('2026-11-23T10:00:00Z'),
  }); // OPS-3
  // 09:30 UTC is 10:30 in Berlin (UTC+1 in November).
  d.updateIssue('OPS-1', { summary: 'Checkout down (EU)' }, at('2026-11-20T09:30:00Z'));
  d.transition('REL-1', 'Done', { at: at('2026-11-24T08:00:00Z') });
});
afterAll(async () => {
  await jira.close();
});

async function keys(jql: string): Promise<string[]> {
  const response = await api.post('/rest/api/3/search/jql', { jql, maxResults: 100 });
  if (response.status !== 200) throw new Error(JSON.stringify(response.body));
  return response.body.issues.map((i: Json) => i.key);
}

async function refusal(jql: string): Promise<string> {
  const response = await api.post('/rest/api/3/search/jql', { jql });
  expect(response.status).toBe(400);
  expect(response.body.errors).toEqual({});
  return response.body.errorMessages[0];
}

describe('JQL filters', () => {
  it('project, issuetype, labels, key in, parent', async () => {
    expect(await keys('project = REL ORDER BY key ASC')).toEqual(['REL-1', 'REL-2', 'REL-3']);
    expect(await keys('issuetype = Incident ORDER BY key ASC')).toEqual(['OPS-1', 'OPS-2']);
    expect(await keys('labels = postmortem-action ORDER BY key ASC')).toEqual(['OPS-3', 'REL-1', 'REL-2']);
    expect(await keys('key in (REL-2, OPS-1) ORDER BY key DESC')).toEqual(['REL-2', 'OPS-1']);
    expect(await keys('parent = OPS-1')).toEqual(['OPS-3']);
  });

  it('AND, OR, NOT and parentheses with Jira precedence', async () => {
    expect(await keys('project = REL AND labels = checkout OR issuetype = Incident ORDER BY key ASC')).toEqual([
      'OPS-1',
      'OPS-2',
      'REL-2',
    ]);
    expect(await keys('project = REL AND (labels = checkout OR labels is EMPTY) ORDER BY key ASC')).toEqual([
      'REL-2',
      'REL-3',
    ]);
    expect(await keys('project = REL AND NOT labels = checkout ORDER BY key ASC')).toEqual(['REL-1', 'REL-3']);
  });

  it('issue.property[key].path = "value"', async () => {
    expect(await keys('issue.property[pm.import].id = "abc-1"')).toEqual(['REL-1']);
    expect(await keys('issue.property[pm.import].id = "nope"')).toEqual([]);
  });

  it('reads updated >= "yyyy-MM-dd HH:mm" in the API user’s time zone, to the minute', async () => {
    expect(await keys('issuetype = Incident AND updated >= "2026-11-20 10:30"')).toContain('OPS-1');
    expect(
      await keys('issuetype = Incident AND updated >= "2026-11-20 10:31" AND updated < "2026-11-21 00:00"'),
    ).toEqual([]);
    expect(await keys('key = OPS-1 AND updated > "2026/11/20 10:29"')).toEqual(['OPS-1']);
  });

  it('a different profile zone moves the same literal', async () => {
    const ny = await startSampleJira({ seed: 'empty', timeZone: 'America/New_York' });
    try {
      ny.data.addIssue({ projectKey: 'OPS', issueType: 'Incident', summary: 'x', created: at('2026-11-20T09:30:00Z') });
      const nyApi = client(ny);
      // 09:30 UTC is 04:30 in New York.
      const hit = await nyApi.post('/rest/api/3/search/jql', {
        jql: 'project = OPS AND updated >= "2026-11-20 04:30"',
      });
      const miss = await nyApi.post('/rest/api/3/search/jql', {
        jql: 'project = OPS AND updated >= "2026-11-20 04:31"',
      });
      expect(hit.body.issues).toHaveLength(1);
      expect(miss.body.issues).toHaveLength(0);
      expect((await nyApi.get('/rest/api/3/myself')).body.timeZone).toBe('America/New_York');
    } finally {
      await ny.close();
    }
  });

  it('status and statusCategory, resolution, relative dates', async () => {
    expect(await keys('statusCategory = Done')).toEqual(['REL-1']);
    expect(await keys('project = REL AND status = "To Do" ORDER BY key ASC')).toEqual(['REL-2', 'REL-3']);
    expect(await keys('project = REL AND resolution = Unresolved ORDER BY key ASC')).toEqual(['REL-2', 'REL-3']);
    // The clock is 2026-11-26 12:00Z; REL-3 was created 3 days and 3 hours earlier.
    expect(await keys('project = REL AND created >= "-4d" ORDER BY key ASC')).toEqual(['REL-2', 'REL-3']);
  });

  it('ORDER BY up to 7 fields, ascending and descending', async () => {
    expect(await keys('project in (OPS, REL) ORDER BY project DESC, created ASC')).toEqual([
      'REL-1',
      'REL-2',
      'REL-3',
      'OPS-1',
      'OPS-2',
      'OPS-3',
    ]);
    expect(await keys('project = OPS ORDER BY updated DESC')).toEqual(['OPS-3', 'OPS-2', 'OPS-1']);
    const eight = 'project = OPS ORDER BY key, created, updated, priority, status, summary, duedate, id';
    expect(await refusal(eight)).toMatch(/ORDER BY/);
  });
});

describe('JQL refusals carry Jira’s error body naming the problem', () => {
  it('unknown field, unknown project, missing key, bad date, unbounded, syntax', async () => {
    expect(await refusal('colour = red')).toBe(
      "Field 'colour' does not exist or you do not have permission to view it.",
    );
    expect(await refusal('project = NOPE')).toBe("The value 'NOPE' does not exist for the field 'project'.");
    expect(await refusal('key in (REL-999)')).toBe("An issue with key 'REL-999' does not exist for field 'key'.");
    expect(await refusal('project = OPS AND updated >= "2026-11-20 10:30:15"')).toMatch(
      /^Date value '2026-11-20 10:30:15' for field 'updated' is invalid/,
    );
    expect(await refusal('ORDER BY created DESC')).toMatch(/Unbounded JQL/);
    expect(await refusal('project = OPS AND')).toMatch(/Expecting a field name/);
    expect(await refusal('project OPS')).toMatch(/Expecting operator but got 'OPS'/);
    expect(await refusal('status WAS Done')).toMatch(/WAS/);
    expect(await refusal('updated >= startOfYear()')).toMatch(/startOfYear/);
  });
});

describe('date literals (pure)', () => {
  it('reads absolute literals in the zone and relative ones against now', () => {
    expect(parseJqlDate('2026-11-20 10:30', 'Europe/Berlin', 0)).toBe(Date.parse('2026-11-20T09:30:00Z'));
    expect(parseJqlDate('2026-07-20 10:30', 'Europe/Berlin', 0)).toBe(Date.parse('2026-07-20T08:30:00Z'));
    expect(parseJqlDate('2026/11/20', 'UTC', 0)).toBe(Date.parse('2026-11-20T00:00:00Z'));
    expect(parseJqlDate('-17m', 'UTC', 1_000_000_000)).toBe(1_000_000_000 - 17 * 60_000);
    expect(parseJqlDate('yesterday', 'UTC', 0)).toBeNull();
  });
});

describe('created issues are searchable at once', () => {
  it('a POSTed issue appears in the next search', async () => {
    const created = await api.post('/rest/api/3/issue', {
      fields: {
        project: { key: 'REL' },
        issuetype: { name: 'Task' },
        summary: 'Fresh',
        description: adf('x'),
        labels: ['fresh-label'],
      },
    });
    expect(created.status).toBe(201);
    expect(await keys('labels = fresh-label')).toEqual([created.body.key]);
  });
});
