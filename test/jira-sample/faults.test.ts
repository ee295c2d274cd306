import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { adf, client } from './helpers.js';

let jira: SampleJira;
let api: ReturnType<typeof client>;
const SEARCH = 'POST /rest/api/3/search/jql';

beforeAll(async () => {
  jira = await startSampleJira({ seed: { incidents: 20, actionItems: 40, seed: 3 } });
  api = client(jira);
});
beforeEach(() => {
  jira.clearFaults();
  jira.setLatency(0);
  jira.resetStats();
});
afterAll(async () => {
  await jira.close();
});

describe('faults', () => {
  it('429 carries Retry-After, X-RateLimit-* and RateLimit-Reason, then the route recovers', async () => {
    jira.injectFaults([{ route: SEARCH, status: 429, times: 2, retryAfterSeconds: 7 }]);
    const first = await api.post('/rest/api/3/search/jql', { jql: 'project = OPS' });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.headers.get('x-ratelimit-limit')).toBe('100');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Date.parse(first.headers.get('x-ratelimit-reset') ?? '')).toBeGreaterThan(Date.now());
    expect(first.headers.get('ratelimit-reason')).toBe('jira-burst-based');
    expect(first.body.errorMessages).toHaveLength(1);
    expect((await api.post('/rest/api/3/search/jql', { jql: 'project = OPS' })).status).toBe(429);
    expect((await api.post('/rest/api/3/search/jql', { jql: 'project = OPS' })).status).toBe(200);
  });

  it('a fault for one route leaves the others alone; a fault without a route hits any', async () => {
    jira.injectFaults([{ route: SEARCH, status: 500, times: 1 }]);
    expect((await api.get('/rest/api/3/myself')).status).toBe(200);
    expect((await api.post('/rest/api/3/search/jql', { jql: 'project = OPS' })).status).toBe(500);
    jira.injectFaults([{ status: 503, times: 1 }]);
    expect((await api.get('/rest/api/3/field')).status).toBe(503);
    expect((await api.get('/rest/api/3/field')).status).toBe(200);
  });

  it('after-mode creates the issue, then answers 503 (so a blind retry would duplicate it)', async () => {
    jira.injectFaults([{ route: 'POST /rest/api/3/issue', status: 503, times: 1, after: true }]);
    const before = jira.data.count();
    const body = {
      fields: {
        project: { key: 'REL' },
        issuetype: { name: 'Task' },
        summary: 'Only once',
        description: adf('x'),
        labels: ['once'],
      },
    };
    const failed = await api.post('/rest/api/3/issue', body);
    expect(failed.status).toBe(503);
    expect(jira.data.count()).toBe(before + 1);
    const found = await api.post('/rest/api/3/search/jql', { jql: 'labels = once', fields: ['summary'] });
    expect(found.body.issues).toHaveLength(1);
  });

  it('clearFaults removes pending faults', async () => {
    jira.injectFaults([{ status: 500, times: 5 }]);
    jira.clearFaults();
    expect((await api.get('/rest/api/3/myself')).status).toBe(200);
  });
});

describe('latency and stats', () => {
  it('adds latency to each request and sums each request’s own duration', async () => {
    jira.setLatency(40);
    const started = performance.now();
    await api.get('/rest/api/3/myself');
    await api.post('/rest/api/3/search/jql', { jql: 'project = OPS' });
    const wall = performance.now() - started;
    const stats = jira.stats();
    expect(stats.requests).toBe(2);
    expect(stats.byRoute).toEqual({ 'GET /rest/api/3/myself': 1, [SEARCH]: 1 });
    expect(stats.latencySumMs).toBeGreaterThanOrEqual(80);
    expect(stats.latencySumMs).toBeLessThanOrEqual(wall + 1);
    jira.resetStats();
    expect(jira.stats()).toEqual({ requests: 0, latencySumMs: 0, byRoute: {} });
  });

  it('counts faulted and unauthorised requests too', async () => {
    jira.injectFaults([{ route: SEARCH, status: 429, times: 1, retryAfterSeconds: 0 }]);
    await api.post('/rest/api/3/search/jql', { jql: 'project = OPS' });
    await fetch(`${jira.url}/rest/api/3/myself`);
    expect(jira.stats().requests).toBe(2);
  });
});
