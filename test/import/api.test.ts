/**
 * POST /api/postmortems and POST /api/incidents/:key/action-items through createApp, with a
 * real embedded store and the sample Jira over HTTP.
 */
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { makeIncident } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';
import { tempDir } from '../support/stores.js';

let sample: SampleJira;
let configDir: string;
let t: TestApp;
let incidentKey: string;

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/postmortems/${name}`, import.meta.url), 'utf8');

beforeAll(async () => {
  sample = await startSampleJira({ seed: 'empty', now: new Date('2026-11-27T09:00:00Z') });
  configDir = tempDir('pmi-import-config-');
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ jira: { actionItemProject: 'REL' } }));
});

afterAll(async () => {
  await sample.close();
  rmSync(configDir, { recursive: true, force: true });
});

beforeEach(async () => {
  sample.clearFaults();
  t = await testApp({
    JIRA_BASE_URL: sample.url,
    JIRA_EMAIL: sample.email,
    JIRA_API_TOKEN: sample.apiToken,
    CONFIG_FILE: join(configDir, 'config.json'),
  });
  incidentKey = sample.data.addIssue({ projectKey: 'OPS', issueType: 'Incident', summary: 'Checkout API outage' });
  await t.store.upsertIncidents([makeIncident({ key: incidentKey, url: `${sample.url}/browse/${incidentKey}` })]);
});

afterEach(async () => {
  await t.close();
});

const linkedTo = (key: string): string[] =>
  sample.data.keys().filter((k) => {
    const fields = sample.data.issue(k)!.fields as {
      issuelinks?: Array<{ inwardIssue?: { key: string }; outwardIssue?: { key: string } }>;
    };
    return (fields.issuelinks ?? []).some((l) => l.outwardIssue?.key === key || l.inwardIssue?.key === key);
  });

describe('POST /api/postmortems', () => {
  it('imports the document, creates the tickets, and answers what it did', async () => {
    const doc = fixture('template-filled.md').replaceAll('OPS-101', incidentKey);
    const res = await request(t.app).post('/api/postmortems').set('Content-Type', 'text/markdown').send(doc);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ incident: incidentKey, incidentSource: 'jira', created: expect.any(Array) });
    expect(res.body.created).toHaveLength(3);
    expect(linkedTo(incidentKey).sort()).toEqual([...res.body.created].sort());
    const stored = await t.store.getPostmortem(incidentKey);
    expect(stored!.actionItems.map((r) => r.jiraKey)).toEqual(res.body.created);
    const items = (await t.store.findActionItems({})).filter((item) => item.incidentKey === incidentKey);
    expect(items.map((i) => i.key).sort()).toEqual([...res.body.created].sort());

    const again = await request(t.app).post('/api/postmortems').set('Content-Type', 'text/markdown').send(doc);
    expect(again.status).toBe(200);
    expect(again.body.created).toEqual([]);
    expect(linkedTo(incidentKey)).toHaveLength(3);
  });

  it('answers 502 with the row-by-row report when Jira fails part-way, and a re-send finishes the job', async () => {
    const doc = fixture('template-filled.md').replaceAll('OPS-101', incidentKey);
    sample.injectFaults([{ route: 'POST /rest/api/3/issue', status: 500, times: 1 }]);
    const res = await request(t.app).post('/api/postmortems').set('Content-Type', 'text/markdown').send(doc);
    expect(res.status).toBe(502);
    expect(res.body.error).toEqual({ code: 'jira_error', message: expect.stringContaining('1 of 3 action items') });
    expect(res.body.actionItems.map((r: { status: string }) => r.status)).toEqual(['failed', 'created', 'created']);
    expect(res.body.actionItems[0].error).toMatch(/500/);
    const again = await request(t.app).post('/api/postmortems').set('Content-Type', 'text/markdown').send(doc);
    expect(again.status).toBe(200);
    expect(again.body.actionItems.map((r: { status: string }) => r.status)).toEqual([
      'created',
      'existing',
      'existing',
    ]);
    expect(linkedTo(incidentKey)).toHaveLength(3);
  });

  it('answers 400 naming the bad lines and rows, and touches nothing', async () => {
    const res = await request(t.app)
      .post('/api/postmortems')
      .set('Content-Type', 'text/markdown')
      .send(fixture('bad-rows.md'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toContain('line 18 (action items row 1): The due date "next week" is not a date');
    expect(res.body.error.message).toContain('line 19 (action items row 2): The description is empty');
    expect(await t.store.getPostmortem('OPS-103')).toBeNull();
  });

  it('refuses a body that is not markdown, an empty one, and unknown parameters', async () => {
    const json = await request(t.app).post('/api/postmortems').send({ markdown: '# x' });
    expect(json.status).toBe(415);
    expect(json.body.error.message).toMatch(/Content-Type: text\/markdown/);
    const empty = await request(t.app).post('/api/postmortems').set('Content-Type', 'text/markdown').send('  ');
    expect(empty.status).toBe(400);
    const unknown = await request(t.app)
      .post('/api/postmortems?force=true')
      .set('Content-Type', 'text/markdown')
      .send('# x');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/Unknown query parameter "force"/);
  });

  it('?dryRun=true answers the plan and writes nothing', async () => {
    const before = sample.data.count();
    const res = await request(t.app)
      .post('/api/postmortems?dryRun=true')
      .set('Content-Type', 'text/markdown')
      .send(fixture('document-only.md'));
    expect(res.status).toBe(200);
    expect(res.body.incident).toEqual({ key: 'PD-48213', exists: false, source: null });
    expect(res.body.tickets.map((x: { action: string; project: string }) => [x.action, x.project])).toEqual([
      ['create', 'REL'],
      ['create', 'REL'],
    ]);
    expect(sample.data.count()).toBe(before);
    expect(await t.store.getIncident('PD-48213')).toBeNull();
  });
});

describe('POST /api/incidents/:key/action-items', () => {
  const path = () => `/api/incidents/${incidentKey}/action-items`;

  it('creates the ticket, linked, and answers 201 { key, url }; a retry gets the same ticket', async () => {
    const body = {
      summary: 'Add a canary for the checkout deploy',
      owner: 'Ana Silva',
      dueDate: '2026-12-15',
      description: 'Gate on error rate.',
    };
    const res = await request(t.app).post(path()).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ key: expect.stringMatching(/^REL-\d+$/), url: `${sample.url}/browse/${res.body.key}` });
    const fields = sample.data.issue(res.body.key)!.fields as Record<string, unknown>;
    expect(fields).toMatchObject({
      summary: body.summary,
      duedate: '2026-12-15',
      labels: expect.arrayContaining(['postmortem-action']),
    });
    expect((fields.assignee as { displayName: string }).displayName).toBe('Ana Silva');
    expect(JSON.stringify(fields.description)).toContain('Gate on error rate.');
    expect(linkedTo(incidentKey)).toEqual([res.body.key]);
    expect(await t.store.getActionItem(res.body.key)).toMatchObject({ incidentKey, summary: body.summary });

    const retry = await request(t.app).post(path()).send(body);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(res.body);
    expect(linkedTo(incidentKey)).toHaveLength(1);
  });

  it('survives Jira answering 503 after it created the issue: one ticket', async () => {
    sample.injectFaults([{ route: 'POST /rest/api/3/issue', status: 503, times: 1, after: true }]);
    const res = await request(t.app)
      .post(path())
      .set('Idempotency-Key', 'tab-form-1')
      .send({ summary: 'Page the database on-call sooner' });
    expect(res.status).toBe(201);
    expect(linkedTo(incidentKey)).toEqual([res.body.key]);
    const retry = await request(t.app)
      .post(path())
      .set('Idempotency-Key', 'tab-form-1')
      .send({ summary: 'Page the database on-call sooner' });
    expect(retry.body.key).toBe(res.body.key);
    expect(linkedTo(incidentKey)).toHaveLength(1);
  });

  it('answers 502 with Jira status when Jira fails, 404 for an unknown incident, 400 naming the field', async () => {
    sample.injectFaults([{ route: 'POST /rest/api/3/issue', status: 500, times: 1 }]);
    const failed = await request(t.app).post(path()).send({ summary: 'Will fail once' });
    expect(failed.status).toBe(502);
    expect(failed.body.error.message).toMatch(/Jira answered 500/);
    expect(failed.body.error.message).not.toMatch(/at .*\.ts/);
    const unknown = await request(t.app).post('/api/incidents/OPS-99999/action-items').send({ summary: 'x' });
    expect(unknown.status).toBe(404);
    const bad = await request(t.app).post(path()).send({ summary: 'x', dueDate: '15/12/2026' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/dueDate/);
    const extra = await request(t.app).post(path()).send({ summary: 'x', priority: 'High' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/Unknown field "priority"/);
    const missing = await request(t.app).post(path()).send({ owner: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/summary is required/);
  });
});
