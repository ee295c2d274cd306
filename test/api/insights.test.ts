/**
 * The two insights of docs/insights.md over HTTP: GET /api/metrics carries `recurrence`
 * and `change`, GET /api/incidents/:key carries `behindOverdueFixes`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { ActionItem, Incident } from '../../server/domain/types.js';
import { makeActionItem, makeIncident } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
let t: TestApp;

function incidentAt(key: string, startedAt: string, services: string[], ttrMinutes: number): Incident {
  const resolvedAt = new Date(Date.parse(startedAt) + ttrMinutes * 60_000).toISOString();
  return makeIncident({
    key,
    services,
    startedAt,
    detectedAt: startedAt,
    acknowledgedAt: startedAt,
    resolvedAt,
    endedAt: resolvedAt,
  });
}

// The previous window (2026-10-18..11-01): 6 api incidents resolved in 10-15 minutes.
// This window (2026-11-01..15): 9 incidents resolved in 100-108 minutes: the TTR change is real;
// 9 against 6 incidents is not.
const incidents: Incident[] = [
  ...Array.from({ length: 6 }, (_, i) =>
    incidentAt(`OPS-${10 + i}`, `2026-10-${20 + i}T10:00:00.000Z`, ['api'], 10 + i),
  ),
  ...Array.from({ length: 9 }, (_, i) =>
    incidentAt(`OPS-${30 + i}`, `2026-11-0${1 + i}T10:00:00.000Z`, i % 3 === 0 ? ['web'] : ['api'], 100 + i),
  ),
];
const items: ActionItem[] = [
  // Due 2026-11-03, open: overdue at the api incidents of 2026-11-04 onwards.
  makeActionItem({ key: 'ACT-1', incidentKey: 'OPS-10', owner: 'Sam Lee', jiraDueDate: '2026-11-03' }),
  // Done before any incident of this window: never late at one.
  makeActionItem({
    key: 'ACT-2',
    incidentKey: 'OPS-11',
    jiraDueDate: '2026-10-22',
    statusCategory: 'done',
    status: 'Done',
    resolvedAt: '2026-10-30T10:00:00.000Z',
  }),
];

beforeAll(async () => {
  t = await testApp({ TIMEZONE: 'UTC' }, { now: () => NOW });
  await t.store.upsertIncidents(incidents);
  await t.store.upsertActionItems(items);
});
afterAll(() => t.close());

const RANGE = 'from=2026-11-01T00:00:00Z&to=2026-11-15T00:00:00Z';

describe('GET /api/metrics: recurrence and change', () => {
  it("ranks the late fixes the window's incidents hit, with count and rate", async () => {
    const res = await request(t.app).get(`/api/metrics?${RANGE}`).expect(200);
    // The api incidents of the window: OPS-31 (11-02), OPS-32 (11-03, the due date itself), OPS-34, OPS-35, OPS-37, OPS-38 (11-05..09).
    expect(res.body.recurrence).toEqual({
      behindOverdueFix: 4,
      rate: 4 / 9,
      items: [
        {
          key: 'ACT-1',
          incidentKey: 'OPS-10',
          dueDate: '2026-11-03',
          incidents: ['OPS-34', 'OPS-35', 'OPS-37', 'OPS-38'],
        },
      ],
      itemsTotal: 1,
    });
    expect(res.body.formulas.behindOverdueFix).toMatch(/overdue at incident B/);
  });

  it('tells a real change from noise', async () => {
    const res = await request(t.app).get(`/api/metrics?${RANGE}`).expect(200);
    expect(res.body.incidents.total).toBe(9);
    expect(res.body.previous.incidents.total).toBe(6);
    expect(res.body.change.incidents).toEqual({ p: expect.any(Number), significant: false });
    expect(res.body.change.incidents.p).toBeCloseTo(0.60723876953125, 12); // 2 * sum_{k<=6} C(15, k) / 2^15
    expect(res.body.change.timeToResolve.significant).toBe(true);
    expect(res.body.change.timeToResolve.p).toBeLessThan(0.05);
    // TTD is 0 everywhere: zero variance.
    expect(res.body.change.timeToDetect).toEqual({ p: 1, significant: false });
  });

  it('does not test a median over fewer than 5 values', async () => {
    const res = await request(t.app).get(`/api/metrics?${RANGE}&service=web`).expect(200);
    expect(res.body.incidents.total).toBe(3);
    expect(res.body.change.timeToResolve).toEqual({ p: null, significant: false });
    expect(res.body.recurrence).toEqual({ behindOverdueFix: 0, rate: 0, items: [], itemsTotal: 0 });
  });
});

describe('GET /api/incidents/:key: behindOverdueFixes', () => {
  it('lists the fixes that were overdue at the incident', async () => {
    expect((await request(t.app).get('/api/incidents/OPS-34').expect(200)).body.behindOverdueFixes).toEqual(['ACT-1']);
    expect((await request(t.app).get('/api/incidents/OPS-32').expect(200)).body.behindOverdueFixes).toEqual([]);
    expect((await request(t.app).get('/api/incidents/OPS-36').expect(200)).body.behindOverdueFixes).toEqual([]); // web
  });
});
