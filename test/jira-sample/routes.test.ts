import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { client } from './helpers.js';
import type { Json } from './helpers.js';

const NOW = new Date('2026-11-27T03:00:00Z');
let jira: SampleJira;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  jira = await startSampleJira({ now: NOW });
  api = client(jira);
});
afterAll(async () => {
  await jira.close();
});

describe('search/jql paging', () => {
  it('pages only by nextPageToken until isLast, with no total, and returns every match once', async () => {
    const { pages, issues } = await api.searchAll({
      jql: 'labels = postmortem-action ORDER BY key ASC',
      maxResults: 100,
      fields: ['summary'],
    });
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) {
      expect(page).not.toHaveProperty('total');
      expect(page).not.toHaveProperty('startAt');
    }
    for (const page of pages.slice(0, -1)) {
      expect(page.isLast).toBe(false);
      expect(typeof page.nextPageToken).toBe('string');
    }
    const last = pages[pages.length - 1];
    expect(last.isLast).toBe(true);
    expect(last).not.toHaveProperty('nextPageToken');
    const keys = issues.map((i: Json) => i.key);
    expect(new Set(keys).size).toBe(keys.length);
    const expected = jira.data.store.issues.filter((i) => i.labels.includes('postmortem-action')).length;
    expect(keys.length).toBe(expected);
  });

  it('caps maxResults at 100 and defaults to 50', async () => {
    const big = await api.post('/rest/api/3/search/jql', { jql: 'labels = postmortem-action', maxResults: 5000 });
    expect(big.body.issues).toHaveLength(100);
    const byDefault = await api.post('/rest/api/3/search/jql', { jql: 'labels = postmortem-action' });
    expect(byDefault.body.issues).toHaveLength(50);
  });

  it('returns only id, key and self when no fields are asked for, like Jira', async () => {
    const page = await api.post('/rest/api/3/search/jql', { jql: 'project = OPS', maxResults: 1 });
    const issue = page.body.issues[0];
    expect(Object.keys(issue).sort()).toEqual(['expand', 'id', 'key', 'self']);
  });

  it('honours fields lists, *all and exclusions', async () => {
    const picked = await api.post('/rest/api/3/search/jql', {
      jql: 'issuetype = Incident',
      maxResults: 1,
      fields: ['summary', 'customfield_10041'],
    });
    expect(Object.keys(picked.body.issues[0].fields).sort()).toEqual(['customfield_10041', 'summary']);
    const all = await api.post('/rest/api/3/search/jql', {
      jql: 'issuetype = Incident',
      maxResults: 1,
      fields: ['*all', '-description'],
    });
    expect(all.body.issues[0].fields).toHaveProperty('customfield_10040');
    expect(all.body.issues[0].fields).not.toHaveProperty('description');
  });

  it('works over GET with comma-separated fields and expand', async () => {
    const jql = encodeURIComponent('issuetype = Incident ORDER BY created DESC');
    const page = await api.get(
      `/rest/api/3/search/jql?jql=${jql}&fields=summary,status&expand=changelog,names&maxResults=2`,
    );
    expect(page.status).toBe(200);
    expect(page.body.issues).toHaveLength(2);
    expect(page.body.names).toEqual({ summary: 'Summary', status: 'Status' });
    expect(page.body.issues[0].changelog).toBeDefined();
    const next = await api.get(
      `/rest/api/3/search/jql?jql=${jql}&fields=summary&maxResults=2&nextPageToken=${encodeURIComponent(page.body.nextPageToken)}`,
    );
    expect(next.body.issues[0].key).not.toBe(page.body.issues[0].key);
  });

  it('accepts the same token twice (a retried page) and refuses a made-up one', async () => {
    const first = await api.post('/rest/api/3/search/jql', { jql: 'project = REL', maxResults: 10 });
    const a = await api.post('/rest/api/3/search/jql', {
      jql: 'project = REL',
      maxResults: 10,
      nextPageToken: first.body.nextPageToken,
    });
    const b = await api.post('/rest/api/3/search/jql', {
      jql: 'project = REL',
      maxResults: 10,
      nextPageToken: first.body.nextPageToken,
    });
    expect(a.body.issues.map((i: Json) => i.key)).toEqual(b.body.issues.map((i: Json) => i.key));
    const bad = await api.post('/rest/api/3/search/jql', { jql: 'project = REL', nextPageToken: 'not-a-token' });
    expect(bad.status).toBe(400);
    expect(bad.body.errorMessages[0]).toMatch(/token/);
  });

  it('refuses a body field the request bean does not have, and expand given as an array', async () => {
    const unknown = await api.post('/rest/api/3/search/jql', { jql: 'project = OPS', startAt: 50 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errorMessages[0]).toMatch(/startAt/);
    const arrayExpand = await api.post('/rest/api/3/search/jql', { jql: 'project = OPS', expand: ['changelog'] });
    expect(arrayExpand.status).toBe(400);
    expect(arrayExpand.body.errorMessages[0]).toMatch(/expand/);
  });

  it('answers the removed /rest/api/3/search with 410 Gone', async () => {
    const gone = await api.get('/rest/api/3/search?jql=project%3DOPS');
    expect(gone.status).toBe(410);
    expect(gone.body.errorMessages[0]).toMatch(/search\/jql/);
  });
});

describe('changelogs', () => {
  const longKey = (): string => {
    const issue = jira.data.store.issues.find((i) => i.histories.length > 45);
    if (!issue) throw new Error('the demo seed has no incident with a long changelog');
    return issue.key;
  };

  it('search returns at most the 40 newest histories, newest first, with the real total', async () => {
    const key = longKey();
    const total = jira.data.store.get(key)?.histories.length ?? 0;
    const page = await api.post('/rest/api/3/search/jql', {
      jql: `key = ${key}`,
      fields: ['status'],
      expand: 'changelog',
    });
    const changelog = page.body.issues[0].changelog;
    expect(changelog.total).toBe(total);
    expect(changelog.histories).toHaveLength(40);
    expect(changelog.maxResults).toBe(40);
    const times = changelog.histories.map((h: Json) => Date.parse(h.created.replace(/(\d{2})(\d{2})$/, '$1:$2')));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const newestId = jira.data.store.get(key)?.histories.at(-1)?.id;
    expect(changelog.histories[0].id).toBe(String(newestId));
  });

  it('GET issue/{key}/changelog pages oldest first, 100 at most, with isLast and nextPage', async () => {
    const key = longKey();
    const issue = jira.data.store.get(key);
    const first = await api.get(`/rest/api/3/issue/${key}/changelog?maxResults=30`);
    expect(first.body.values).toHaveLength(30);
    expect(first.body.values[0].id).toBe(String(issue?.histories[0]?.id));
    expect(first.body.isLast).toBe(false);
    expect(first.body.nextPage).toContain('startAt=30');
    const all = await api.get(`/rest/api/3/issue/${key}/changelog?maxResults=1000`);
    expect(all.body.maxResults).toBe(100);
    expect(all.body.total).toBe(issue?.histories.length);
  });

  it('bulkfetch returns every history of every issue across token pages, filtered by field ids', async () => {
    const keys = jira.data.store.issues
      .filter((i) => i.histories.length > 45)
      .slice(0, 3)
      .map((i) => i.key);
    const expected = keys.reduce((sum, key) => sum + (jira.data.store.get(key)?.histories.length ?? 0), 0);
    let token: string | undefined;
    let seen = 0;
    let pages = 0;
    do {
      const page = await api.post('/rest/api/3/changelog/bulkfetch', {
        issueIdsOrKeys: keys,
        maxResults: 50,
        ...(token ? { nextPageToken: token } : {}),
      });
      expect(page.status).toBe(200);
      for (const entry of page.body.issueChangeLogs) seen += entry.changeHistories.length;
      token = page.body.nextPageToken;
      pages++;
    } while (token);
    expect(seen).toBe(expected);
    expect(pages).toBeGreaterThan(1);
    const statusOnly = await api.post('/rest/api/3/changelog/bulkfetch', {
      issueIdsOrKeys: keys,
      fieldIds: ['status'],
    });
    for (const entry of statusOnly.body.issueChangeLogs) {
      for (const history of entry.changeHistories)
        expect(history.items.every((item: Json) => item.fieldId === 'status')).toBe(true);
    }
    const tooMany = await api.post('/rest/api/3/changelog/bulkfetch', {
      issueIdsOrKeys: keys,
      fieldIds: Array.from({ length: 11 }, (_v, i) => `f${i}`),
    });
    expect(tooMany.status).toBe(400);
  });
});

describe('other read routes', () => {
  it('GET /field lists the custom fields with Jira-style ids and schemas', async () => {
    const fields = await api.get('/rest/api/3/field');
    const severity = fields.body.find((f: Json) => f.name === 'Severity');
    expect(severity).toMatchObject({
      id: 'customfield_10040',
      custom: true,
      schema: { type: 'option', customId: 10040 },
    });
    const services = fields.body.find((f: Json) => f.name === 'Affected services');
    expect(services.schema).toMatchObject({ type: 'array', items: 'option' });
  });

  it('GET /myself reports the API user with the configured time zone', async () => {
    const me = await api.get('/rest/api/3/myself');
    expect(me.body).toMatchObject({ emailAddress: 'demo@example.com', timeZone: 'Europe/Berlin', active: true });
    expect(typeof me.body.accountId).toBe('string');
  });

  it('GET /issue/{key} returns all fields by default, and 404 with Jira’s body for an unknown key', async () => {
    const key = jira.data.store.issues.find((i) => i.issueType.name === 'Incident')?.key ?? '';
    const issue = await api.get(`/rest/api/3/issue/${key}`);
    expect(issue.body.key).toBe(key);
    expect(issue.body.fields.project.key).toBe('OPS');
    expect(issue.body.fields.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/);
    const missing = await api.get('/rest/api/3/issue/OPS-999999');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    });
  });

  it('GET /issueLinkType lists link types with inward and outward names', async () => {
    const types = await api.get('/rest/api/3/issueLinkType');
    expect(types.body.issueLinkTypes.map((t: Json) => t.name)).toEqual(expect.arrayContaining(['Blocks', 'Relates']));
  });
});

describe('basic auth', () => {
  it('answers 401 with Jira’s error body for a wrong token or no credentials', async () => {
    const wrong = await client(jira, { email: 'demo@example.com', apiToken: 'nope' }).get('/rest/api/3/myself');
    expect(wrong.status).toBe(401);
    expect(wrong.body.errorMessages).toHaveLength(1);
    const none = await fetch(`${jira.url}/rest/api/3/myself`);
    expect(none.status).toBe(401);
  });
});

describe('paging over a snapshot', () => {
  it('an issue updated between pages is neither skipped nor returned twice', async () => {
    const body = {
      jql: 'labels = postmortem-action ORDER BY updated ASC, key ASC',
      maxResults: 100,
      fields: ['updated'],
    };
    const first = await api.post('/rest/api/3/search/jql', body);
    const firstKey = first.body.issues[0].key;
    // Moving the first issue to the end of the order would make a live query return it again.
    jira.data.updateIssue(firstKey, { summary: 'edited between pages' });
    const keys = first.body.issues.map((i: Json) => i.key);
    let token = first.body.nextPageToken;
    while (token) {
      const page = await api.post('/rest/api/3/search/jql', { ...body, nextPageToken: token });
      keys.push(...page.body.issues.map((i: Json) => i.key));
      token = page.body.isLast ? undefined : page.body.nextPageToken;
    }
    expect(keys.filter((k: string) => k === firstKey)).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);
    // A new search sees the edit at once.
    const fresh = await api.post('/rest/api/3/search/jql', { ...body, jql: `key = ${firstKey}`, fields: ['summary'] });
    expect(fresh.body.issues[0].fields.summary).toBe('edited between pages');
  });
});
