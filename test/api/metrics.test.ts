/**
 * The metrics, incidents and action-item routes through createApp over a real embedded
 * store: every route, every filter, every refusal, and the cache moving on with the data.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import request from 'supertest';
import type { MetricsResponse } from '../../server/domain/api.js';
import { makeActionItem, makeIncident } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';
import { FIRST_BROTLI_QUALITY } from '../../server/http/routes/sendJson.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
let t: TestApp;

const incidents = [
  makeIncident({
    key: 'OPS-1',
    severity: 'P0',
    services: ['api', 'db'],
    detection: 'automated',
    startedAt: '2026-11-02T10:00:00.000Z',
    detectedAt: '2026-11-02T10:04:00.000Z',
    acknowledgedAt: '2026-11-02T10:06:00.000Z',
    resolvedAt: '2026-11-02T12:00:00.000Z',
    endedAt: '2026-11-02T12:00:00.000Z',
    timeline: [
      { at: '2026-11-02T10:06:00.000Z', event: 'Status: Open → In Progress', owner: 'Dana Reyes', source: 'jira' },
    ],
  }),
  makeIncident({
    key: 'OPS-2',
    severity: 'P2',
    services: ['web'],
    detection: 'customer',
    startedAt: '2026-11-10T08:00:00.000Z',
    detectedAt: '2026-11-10T08:30:00.000Z',
    acknowledgedAt: '2026-11-10T08:20:00.000Z',
    resolvedAt: null,
    endedAt: null,
    status: 'In Progress',
    statusCategory: 'indeterminate',
  }),
  makeIncident({
    key: 'OPS-3',
    severity: null,
    services: [],
    detection: 'unknown',
    createdAt: '2026-11-12T09:00:00.000Z',
    startedAt: null,
    detectedAt: '2026-11-12T09:00:00.000Z',
    acknowledgedAt: '2026-11-12T09:10:00.000Z',
    resolvedAt: '2026-11-12T10:00:00.000Z',
    endedAt: '2026-11-12T10:00:00.000Z',
  }),
  // the previous 14-day window of a 2026-11-01..15 query
  makeIncident({
    key: 'OPS-0',
    severity: 'P0',
    services: ['api'],
    startedAt: '2026-10-20T10:00:00.000Z',
    detectedAt: '2026-10-20T10:10:00.000Z',
    acknowledgedAt: '2026-10-20T10:11:00.000Z',
    resolvedAt: '2026-10-20T11:00:00.000Z',
    endedAt: '2026-10-20T11:00:00.000Z',
  }),
];

const items = [
  // OPS-1 resolved 2026-11-02 (P0, 15 days): SLA date 2026-11-17, 3 days overdue on 2026-11-20
  makeActionItem({ key: 'ACT-1', incidentKey: 'OPS-1', owner: 'Sam Lee' }),
  makeActionItem({ key: 'ACT-2', incidentKey: 'OPS-1', owner: null, jiraDueDate: '2026-11-19' }),
  makeActionItem({
    key: 'ACT-3',
    incidentKey: 'OPS-1',
    status: 'Done',
    statusCategory: 'done',
    jiraDueDate: '2026-11-10',
    createdAt: '2026-11-03T10:00:00.000Z',
    resolvedAt: '2026-11-05T10:00:00.000Z',
  }),
  makeActionItem({ key: 'ACT-4', incidentKey: 'OPS-2', owner: 'Ana Ruiz', jiraDueDate: '2026-11-20' }),
  makeActionItem({ key: 'ACT-5', incidentKey: null, jiraDueDate: '2026-11-01' }),
];

beforeAll(async () => {
  t = await testApp({ TIMEZONE: 'UTC' }, { now: () => NOW });
  await t.store.upsertIncidents(incidents);
  await t.store.upsertActionItems(items);
});
afterAll(() => t.close());

const RANGE = 'from=2026-11-01T00:00:00Z&to=2026-11-15T00:00:00Z';

describe('GET /api/metrics', () => {
  it('answers every number of the window, by hand', async () => {
    const res = await request(t.app).get(`/api/metrics?${RANGE}`).expect(200);
    const m = res.body as MetricsResponse;
    expect(m.range).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-15T00:00:00.000Z' });
    expect(m.incidents).toEqual({
      total: 3,
      bySeverity: { P0: 1, P1: 0, P2: 1, P3: 0, P4: 0, unknown: 1 },
      byService: { api: 1, db: 1, web: 1 },
      byWeek: [
        { weekStart: '2026-10-26', total: 0, bySeverity: {} },
        { weekStart: '2026-11-02', total: 1, bySeverity: { P0: 1 } },
        { weekStart: '2026-11-09', total: 2, bySeverity: { P2: 1, unknown: 1 } },
      ],
      byDetection: { automated: 1, customer: 1, internal: 0, unknown: 1 },
    });
    // TTD: OPS-1 240 s, OPS-2 1800 s, OPS-3 missing (no startedAt)
    expect(m.timeToDetect).toEqual({
      count: 2,
      missing: 1,
      invalid: 0,
      meanSeconds: 1020,
      medianSeconds: 1020,
      p90Seconds: 240 + 0.9 * 1560,
    });
    // TTA: OPS-1 120 s, OPS-2 acknowledged before detected, OPS-3 600 s
    expect(m.timeToAcknowledge).toEqual({
      count: 2,
      missing: 0,
      invalid: 1,
      meanSeconds: 360,
      medianSeconds: 360,
      p90Seconds: 120 + 0.9 * 480,
    });
    // TTR: OPS-1 7200 s; OPS-2 unresolved; OPS-3 no startedAt
    expect(m.timeToResolve).toEqual({
      count: 1,
      missing: 2,
      invalid: 0,
      meanSeconds: 7200,
      medianSeconds: 7200,
      p90Seconds: 7200,
    });
    // ACT-1..4 belong to incidents in range; ACT-1 (sla 11-17) and ACT-2 (11-19) are overdue; ACT-4 is due today
    expect(m.actionItems).toEqual({
      total: 4,
      open: 3,
      done: 1,
      overdue: 2,
      completionRate: 0.25,
      onTimeRate: 1,
      medianDaysToClose: 2,
    });
    expect(m.previous?.range).toEqual({ from: '2026-10-18T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    expect(m.previous?.incidents.total).toBe(1);
    expect(m.previous?.timeToDetect.medianSeconds).toBe(600);
    expect(m.bySeverity?.P0?.timeToResolve.medianSeconds).toBe(7200);
    expect(m.bySeverity?.P2?.timeToAcknowledge.invalid).toBe(1);
    expect(m.dataQuality?.incidents.map((i) => i.key)).toEqual(['OPS-2', 'OPS-3']);
    expect(m.dataQuality?.actionItems).toEqual([
      { key: 'ACT-2', url: 'https://example.atlassian.net/browse/ACT-2', problems: ['no owner'] },
    ]);
    expect(m.weekly).toHaveLength(3);
    expect(typeof m.formulas?.p90).toBe('string');
  });

  it('filters by service and severity', async () => {
    const web = (await request(t.app).get(`/api/metrics?${RANGE}&service=web`).expect(200)).body as MetricsResponse;
    expect(web.incidents.total).toBe(1);
    expect(web.actionItems.total).toBe(1);
    const unknown = (await request(t.app).get(`/api/metrics?${RANGE}&severity=unknown`).expect(200))
      .body as MetricsResponse;
    expect(unknown.incidents.total).toBe(1);
    expect(unknown.incidents.bySeverity.unknown).toBe(1);
    const p0 = (await request(t.app).get(`/api/metrics?${RANGE}&severity=P0&service=db`).expect(200))
      .body as MetricsResponse;
    expect(p0.incidents.total).toBe(1);
    expect(p0.actionItems.total).toBe(3);
  });

  it('defaults to the 90 days before now', async () => {
    const m = (await request(t.app).get('/api/metrics').expect(200)).body as MetricsResponse;
    expect(m.range).toEqual({ from: '2026-08-22T12:00:00.000Z', to: '2026-11-20T12:00:00.000Z' });
    expect(m.incidents.total).toBe(4);
  });

  it.each([
    ['from=tomorrow', 'from', /ISO-8601 instant/],
    ['to=2026-11-01', 'to', /ISO-8601 instant/],
    ['from=2026-11-15T00:00:00Z&to=2026-11-01T00:00:00Z', 'from', /before "to"/],
    ['from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'to', /1100 days/],
    ['severity=critical', 'severity', /P0, P1, P2, P3, P4, unknown/],
    ['service=', 'service', /must not be empty/],
    ['service=a&service=b', 'service', /once/],
    ['limit=5', 'limit', /Unknown query parameter "limit"/],
  ])('refuses ?%s with a 400 naming %s', async (query, parameter, message) => {
    const res = await request(t.app).get(`/api/metrics?${query}`).expect(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toContain(`"${parameter}"`);
    expect(res.body.error.message).toMatch(message);
  });

  it('serves from the cache until the data changes, then recomputes', async () => {
    const before = (await request(t.app).get(`/api/metrics?${RANGE}&service=api`).expect(200)).body as MetricsResponse;
    expect(before.incidents.total).toBe(1);
    await t.store.upsertIncidents([
      makeIncident({
        key: 'OPS-9',
        services: ['api'],
        startedAt: '2026-11-05T00:00:00.000Z',
        detectedAt: '2026-11-05T00:01:00.000Z',
      }),
    ]);
    const after = (await request(t.app).get(`/api/metrics?${RANGE}&service=api`).expect(200)).body as MetricsResponse;
    expect(after.incidents.total).toBe(2);
    await t.store.upsertIncidents([{ ...incidents[0]!, key: 'OPS-9', services: ['other'] }]);
    const again = (await request(t.app).get(`/api/metrics?${RANGE}&service=api`).expect(200)).body as MetricsResponse;
    expect(again.incidents.total).toBe(1);
  });
});

describe('GET /api/incidents', () => {
  it('lists the incidents of the window in place order', async () => {
    const res = await request(t.app).get(`/api/incidents?${RANGE}`).expect(200);
    expect(res.body.items.map((i: { key: string }) => i.key)).toEqual(['OPS-1', 'OPS-9', 'OPS-2', 'OPS-3']);
    expect(res.body).not.toHaveProperty('nextCursor');
    expect(res.body.items[0]).toMatchObject({
      key: 'OPS-1',
      summary: 'Incident OPS-1',
      severity: 'P0',
      services: ['api', 'db'],
      status: 'Resolved',
      startedAt: '2026-11-02T10:00:00.000Z',
      detectedAt: '2026-11-02T10:04:00.000Z',
      acknowledgedAt: '2026-11-02T10:06:00.000Z',
      resolvedAt: '2026-11-02T12:00:00.000Z',
      endedAt: '2026-11-02T12:00:00.000Z',
      commander: 'Dana Reyes',
      url: 'https://example.atlassian.net/browse/OPS-1',
    });
  });

  it('defaults to the last 90 days', async () => {
    const res = await request(t.app).get('/api/incidents').expect(200);
    expect(res.body.items).toHaveLength(5);
  });

  it('filters by service and severity', async () => {
    expect(
      (await request(t.app).get(`/api/incidents?${RANGE}&service=db`).expect(200)).body.items.map(
        (i: { key: string }) => i.key,
      ),
    ).toEqual(['OPS-1']);
    expect(
      (await request(t.app).get(`/api/incidents?${RANGE}&severity=unknown`).expect(200)).body.items.map(
        (i: { key: string }) => i.key,
      ),
    ).toEqual(['OPS-3']);
  });

  it('pages with limit and nextCursor', async () => {
    const first = await request(t.app).get(`/api/incidents?${RANGE}&limit=3`).expect(200);
    expect(first.body.items.map((i: { key: string }) => i.key)).toEqual(['OPS-1', 'OPS-9', 'OPS-2']);
    const second = await request(t.app)
      .get(`/api/incidents?${RANGE}&limit=3&cursor=${first.body.nextCursor}`)
      .expect(200);
    expect(second.body).toMatchObject({ items: [{ key: 'OPS-3' }], nextCursor: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=!!', 'cursor'],
    ['cursor=abc', 'cursor'],
    ['overdue=true', 'overdue'],
    ['severity=P9', 'severity'],
    ['from=2026-11-30T00:00:00Z', 'from'],
  ])('refuses ?%s with a 400 naming %s', async (query, parameter) => {
    const res = await request(t.app).get(`/api/incidents?${query}&limit=1`).expect(400);
    expect(res.body.error.message).toContain(`"${parameter}"`);
  });
});

describe('GET /api/incidents/:key', () => {
  it('answers the incident with its action items, timeline and post-mortem', async () => {
    const res = await request(t.app).get('/api/incidents/OPS-1').expect(200);
    expect(res.body).toMatchObject({
      key: 'OPS-1',
      postmortem: null,
      timeline: [{ event: 'Status: Open → In Progress' }],
    });
    expect(
      res.body.actionItems.map(
        (i: { key: string; dueDate: string; dueDateSource: string; daysOverdue: number | null }) => [
          i.key,
          i.dueDate,
          i.dueDateSource,
          i.daysOverdue,
        ],
      ),
    ).toEqual([
      ['ACT-1', '2026-11-17', 'sla', 3],
      ['ACT-2', '2026-11-19', 'jira', 1],
      ['ACT-3', '2026-11-10', 'jira', null],
    ]);
  });

  it('answers 404 for an unknown incident, 400 for a query', async () => {
    const missing = await request(t.app).get('/api/incidents/OPS-404').expect(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: 'No incident with key "OPS-404".' });
    const query = await request(t.app).get('/api/incidents/OPS-1?x=1').expect(400);
    expect(query.body.error.message).toContain('"x"');
  });
});

describe('GET /api/incidents/:key/postmortem.md', () => {
  it('answers the filled template as markdown', async () => {
    const res = await request(t.app).get('/api/incidents/OPS-1/postmortem.md').expect(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.text).toContain('# Post-Mortem Report: Incident OPS-1');
    expect(res.text).toContain('*   **Time to Detect (MTTD):** 4 minutes');
    expect(res.text).toContain('| ACT-1 | Action ACT-1 | Sam Lee | 2026-11-17 | To Do |');
    expect(res.text).toContain('| 2026-11-02 10:06 | Status: Open → In Progress | Dana Reyes |');
  });

  it('uses an imported post-mortem', async () => {
    await t.store.savePostmortem({
      incidentKey: 'OPS-2',
      title: 'Web checkout slow',
      summary: {
        incidentId: 'OPS-2',
        startedAt: null,
        endedAt: null,
        durationSeconds: null,
        services: [],
        severity: null,
        impact: 'Slow checkout for 20 minutes',
        commander: null,
        responders: [],
      },
      detection: { method: null, timeToDetectSeconds: null, effective: null },
      timeline: [],
      timeToAcknowledgeSeconds: null,
      timeToResolveSeconds: null,
      rootCause: { immediateCause: 'Cache stampede', contributingFactors: [], fiveWhys: [] },
      resolution: { how: null, effective: null },
      lessons: { wentWell: [], couldBeBetter: [] },
      actionItems: [],
      links: [],
      importedAt: '2026-11-15T00:00:00.000Z',
    });
    const res = await request(t.app).get('/api/incidents/OPS-2/postmortem.md').expect(200);
    expect(res.text).toContain('# Post-Mortem Report: Web checkout slow');
    expect(res.text).toContain('*   **Impact:** Slow checkout for 20 minutes');
    expect(res.text).toContain('*   **What was the immediate cause?** Cache stampede');
    const detail = await request(t.app).get('/api/incidents/OPS-2').expect(200);
    expect(detail.body.postmortem.title).toBe('Web checkout slow');
  });

  it('answers 404 as JSON for an unknown incident', async () => {
    const res = await request(t.app).get('/api/incidents/OPS-404/postmortem.md').expect(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('GET /api/action-items', () => {
  const keys = (res: request.Response) => res.body.items.map((i: { key: string }) => i.key);

  it('lists every item by key, with derived due dates, including items of no incident', async () => {
    const res = await request(t.app).get('/api/action-items').expect(200);
    expect(keys(res)).toEqual(['ACT-1', 'ACT-2', 'ACT-3', 'ACT-4', 'ACT-5']);
    expect(res.body.items[0]).toMatchObject({
      key: 'ACT-1',
      summary: 'Action ACT-1',
      incidentKey: 'OPS-1',
      owner: 'Sam Lee',
      status: 'To Do',
      statusCategory: 'new',
      dueDate: '2026-11-17',
      dueDateSource: 'sla',
      createdAt: '2026-10-02T10:00:00.000Z',
      resolvedAt: null,
      daysOverdue: 3,
      url: 'https://example.atlassian.net/browse/ACT-1',
    });
    expect(res.body.items[0]).not.toHaveProperty('jiraDueDate');
  });

  it('overdue=true sorts by days overdue, then key', async () => {
    const res = await request(t.app).get('/api/action-items?overdue=true').expect(200);
    expect(res.body.items.map((i: { key: string; daysOverdue: number }) => [i.key, i.daysOverdue])).toEqual([
      ['ACT-5', 19],
      ['ACT-1', 3],
      ['ACT-2', 1],
    ]);
  });

  it('filters by owner, service, severity, incident and overdue=false', async () => {
    expect(keys(await request(t.app).get('/api/action-items?owner=Ana%20Ruiz').expect(200))).toEqual(['ACT-4']);
    expect(keys(await request(t.app).get('/api/action-items?service=db').expect(200))).toEqual([
      'ACT-1',
      'ACT-2',
      'ACT-3',
    ]);
    expect(keys(await request(t.app).get('/api/action-items?service=db&overdue=true').expect(200))).toEqual([
      'ACT-1',
      'ACT-2',
    ]);
    expect(keys(await request(t.app).get('/api/action-items?severity=P2').expect(200))).toEqual(['ACT-4']);
    expect(keys(await request(t.app).get('/api/action-items?incident=OPS-2').expect(200))).toEqual(['ACT-4']);
    expect(keys(await request(t.app).get('/api/action-items?overdue=false').expect(200))).toEqual(['ACT-3', 'ACT-4']);
  });

  it('pages with limit and nextCursor', async () => {
    const first = await request(t.app).get('/api/action-items?overdue=true&limit=2').expect(200);
    expect(keys(first)).toEqual(['ACT-5', 'ACT-1']);
    const second = await request(t.app)
      .get(`/api/action-items?overdue=true&limit=2&cursor=${first.body.nextCursor}`)
      .expect(200);
    expect(keys(second)).toEqual(['ACT-2']);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each([
    ['overdue=yes', 'overdue'],
    ['owner=', 'owner'],
    ['from=2026-11-01T00:00:00Z', 'from'],
    ['severity=high', 'severity'],
    ['limit=-1', 'limit'],
  ])('refuses ?%s with a 400 naming %s', async (query, parameter) => {
    const res = await request(t.app).get(`/api/action-items?${query}`).expect(400);
    expect(res.body.error.message).toContain(`"${parameter}"`);
  });
});

describe('HTTP caching', () => {
  it('answers with an ETag and 304 when the data has not changed', async () => {
    const first = await request(t.app).get(`/api/metrics?${RANGE}`).expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    await request(t.app).get(`/api/metrics?${RANGE}`).set('If-None-Match', etag).expect(304);
    const list = await request(t.app).get('/api/action-items?overdue=true').expect(200);
    await request(t.app)
      .get('/api/action-items?overdue=true')
      .set('If-None-Match', list.headers.etag as string)
      .expect(304);
    await t.store.upsertActionItems([
      makeActionItem({ key: 'ACT-6', incidentKey: 'OPS-1', jiraDueDate: '2026-11-01' }),
    ]);
    const changed = await request(t.app)
      .get('/api/action-items?overdue=true')
      .set('If-None-Match', list.headers.etag as string)
      .expect(200);
    expect(changed.body.items.slice(0, 2).map((i: { key: string }) => i.key)).toEqual(['ACT-5', 'ACT-6']);
  });

  it('sends an answer the first time in the fast Brotli encoding (a never-asked answer waits for it)', async () => {
    const query = `/api/metrics?${RANGE}&severity=P1`;
    const plain = await request(t.app).get(query).set('Accept-Encoding', 'identity').expect(200);
    const first = await request(t.app).get(query).set('Accept-Encoding', 'br').expect(200);
    expect(first.headers['content-encoding']).toBe('br');
    const bytes = Buffer.from(plain.text, 'utf8');
    const fast = brotliCompressSync(bytes, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: FIRST_BROTLI_QUALITY,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    });
    expect(FIRST_BROTLI_QUALITY).toBeLessThanOrEqual(4);
    expect(Number(first.headers['content-length'])).toBe(fast.length);
  });

  it('sends an answer asked for again in its smallest Brotli encoding once that is ready', async () => {
    const query = `/api/metrics?${RANGE}&severity=P0`;
    const brotli = () => request(t.app).get(query).set('Accept-Encoding', 'br').expect(200);
    const first = await brotli();
    expect(first.headers['content-encoding']).toBe('br');
    const firstLength = Number(first.headers['content-length']);
    await brotli(); // the second request starts the quality-11 encoding in the background
    let later = await brotli();
    for (let wait = 0; wait < 50 && Number(later.headers['content-length']) >= firstLength; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      later = await brotli();
    }
    expect(Number(later.headers['content-length'])).toBeLessThan(firstLength);
    expect(later.body).toEqual(first.body);
  });

  it('compresses an answer for a client that accepts it (brotli for browsers, else gzip), and sends it as it is otherwise', async () => {
    const fetchAs = async (acceptEncoding: string) => {
      const res = await request(t.app).get(`/api/metrics?${RANGE}`).set('Accept-Encoding', acceptEncoding).expect(200);
      return { encoding: res.headers['content-encoding'], length: Number(res.headers['content-length']), res };
    };
    const plain = await fetchAs('identity');
    expect(plain.encoding).toBeUndefined();
    expect(plain.res.headers.vary).toContain('Accept-Encoding');
    const browser = await fetchAs('gzip, deflate, br, zstd');
    expect(browser.encoding).toBe('br');
    const gzipOnly = await fetchAs('gzip, deflate');
    expect(gzipOnly.encoding).toBe('gzip');
    expect(browser.length).toBeLessThan(plain.length);
    expect(gzipOnly.length).toBeLessThan(plain.length);
    // supertest has decompressed both on the way in.
    expect(browser.res.body).toEqual(plain.res.body);
    expect(gzipOnly.res.body).toEqual(plain.res.body);
  });
});
