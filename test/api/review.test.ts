/** GET /api/review: the agenda of a week's reliability review, over a real embedded store. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { MetricsResponse, ReviewResponse } from '../../server/domain/api.js';
import { emptyPostmortem } from '../../server/domain/postmortem.js';
import { groupByOwner, reviewAgenda } from '../../server/review/agenda.js';
import { testApp, type TestApp } from '../support/app.js';
import { makeActionItem, makeIncident } from '../support/factories.js';

/** Monday 23 Nov 2026, 09:30 in Berlin: the last complete week is 2026-W47 (16-22 Nov). */
const NOW = new Date('2026-11-23T08:30:00.000Z');
let t: TestApp;

beforeAll(async () => {
  t = await testApp({ TIMEZONE: 'Europe/Berlin' }, { now: () => NOW });
  await t.store.upsertIncidents([
    makeIncident({
      key: 'OPS-1',
      severity: 'P0',
      startedAt: '2026-11-16T09:00:00.000Z',
      resolvedAt: '2026-11-16T11:00:00.000Z',
    }),
    makeIncident({
      key: 'OPS-2',
      severity: 'P1',
      startedAt: '2026-11-18T14:00:00.000Z',
      status: 'Investigating',
      statusCategory: 'indeterminate',
    }),
    makeIncident({ key: 'OPS-3', severity: 'P2', startedAt: '2026-11-19T08:00:00.000Z' }),
    // Sunday 23:30 in Berlin: still W47 there, though Monday in UTC+2 zones further east.
    makeIncident({ key: 'OPS-4', severity: 'P1', startedAt: '2026-11-22T22:30:00.000Z' }),
    // Monday 01:30 in Berlin: W48, though Sunday in UTC.
    makeIncident({ key: 'OPS-5', severity: 'P0', startedAt: '2026-11-23T00:30:00.000Z' }),
    makeIncident({ key: 'OPS-6', severity: 'P1', startedAt: '2026-11-10T10:00:00.000Z' }),
    makeIncident({ key: 'OPS-0', severity: 'P1', startedAt: '2026-09-01T10:00:00.000Z' }),
  ]);
  const done = { status: 'Done', statusCategory: 'done' as const };
  await t.store.upsertActionItems([
    makeActionItem({
      key: 'ACT-1',
      incidentKey: 'OPS-1',
      owner: 'Alex',
      jiraDueDate: '2026-11-25',
      ...done,
      resolvedAt: '2026-11-18T10:00:00.000Z',
    }),
    makeActionItem({ key: 'ACT-2', incidentKey: 'OPS-1', owner: 'Alex', jiraDueDate: '2026-11-20' }),
    makeActionItem({ key: 'ACT-3', incidentKey: 'OPS-2', owner: 'Alex', jiraDueDate: '2026-12-10' }),
    makeActionItem({ key: 'ACT-4', incidentKey: 'OPS-0', owner: 'Bo', jiraDueDate: '2026-10-01' }),
    makeActionItem({
      key: 'ACT-5',
      incidentKey: 'OPS-0',
      owner: 'Bo',
      jiraDueDate: '2026-10-01',
      ...done,
      resolvedAt: '2026-11-17T10:00:00.000Z',
    }),
    makeActionItem({
      key: 'ACT-6',
      incidentKey: 'OPS-0',
      owner: 'Bo',
      jiraDueDate: '2026-11-17',
      ...done,
      resolvedAt: '2026-11-19T10:00:00.000Z',
    }),
    makeActionItem({ key: 'ACT-7', incidentKey: 'OPS-0', owner: null, jiraDueDate: '2026-10-15' }),
    makeActionItem({ key: 'ACT-8', incidentKey: 'OPS-0', owner: 'Bo', jiraDueDate: '2026-11-01' }),
    // Due in the week but done on its due date: not late.
    makeActionItem({
      key: 'ACT-9',
      incidentKey: 'OPS-0',
      owner: 'Bo',
      jiraDueDate: '2026-11-18',
      ...done,
      resolvedAt: '2026-11-18T20:00:00.000Z',
    }),
  ]);
  await t.store.savePostmortem(emptyPostmortem('OPS-1', '2026-11-19T12:00:00.000Z'));
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/review', () => {
  it('defaults to the last complete ISO week in TIMEZONE and lists its P0 and P1 incidents with their post-mortem state', async () => {
    const res = await request(t.app).get('/api/review').expect(200);
    const body = res.body as ReviewResponse;
    expect(body).toMatchObject({
      week: '2026-W47',
      previousWeek: '2026-W46',
      nextWeek: '2026-W48',
      timezone: 'Europe/Berlin',
      firstDay: '2026-11-16',
      lastDay: '2026-11-22',
      range: { from: '2026-11-15T23:00:00.000Z', to: '2026-11-22T23:00:00.000Z' },
    });
    expect(body.incidents.map((i) => i.key)).toEqual(['OPS-1', 'OPS-2', 'OPS-4']);
    expect(body.incidents[0]).toMatchObject({
      severity: 'P0',
      resolved: true,
      postmortemImportedAt: '2026-11-19T12:00:00.000Z',
      url: 'https://example.atlassian.net/browse/OPS-1',
      actionItems: { total: 2, open: 1, done: 1, overdue: 1 },
    });
    expect(body.incidents[1]).toMatchObject({
      severity: 'P1',
      resolved: false,
      postmortemImportedAt: null,
      actionItems: { total: 1, open: 1, done: 0, overdue: 0 },
    });
  });

  it('groups overdue action items by owner, most first, no owner last', async () => {
    const body = (await request(t.app).get('/api/review').expect(200)).body as ReviewResponse;
    expect(body.overdueByOwner.map((g) => [g.owner, g.items.map((i) => i.key)])).toEqual([
      ['Bo', ['ACT-4', 'ACT-8']],
      ['Alex', ['ACT-2']],
      [null, ['ACT-7']],
    ]);
    // The same items as /api/action-items?overdue=true.
    const overdue = await request(t.app).get('/api/action-items').query({ overdue: 'true' }).expect(200);
    expect(body.overdueByOwner.flatMap((g) => g.items.map((i) => i.key)).sort()).toEqual(
      (overdue.body.items as Array<{ key: string }>).map((i) => i.key).sort(),
    );
  });

  it('says what was closed in the week and what missed its due date in it', async () => {
    const body = (await request(t.app).get('/api/review').expect(200)).body as ReviewResponse;
    expect(body.sinceLastReview.closed.map((i) => i.key)).toEqual(['ACT-1', 'ACT-5', 'ACT-6', 'ACT-9']);
    expect(body.sinceLastReview.becameOverdue.map((i) => i.key)).toEqual(['ACT-2', 'ACT-6']);
  });

  it('gives the headline numbers of the week and of the week before, as /api/metrics does', async () => {
    const body = (await request(t.app).get('/api/review').expect(200)).body as ReviewResponse;
    expect(body.headline.incidents.total).toBe(4);
    expect(body.headline.previous?.incidents.total).toBe(1);
    const metrics = (await request(t.app).get('/api/metrics').query(body.range).expect(200)).body as MetricsResponse;
    expect(body.headline.timeToResolve).toEqual(metrics.timeToResolve);
    expect(body.headline.actionItems).toEqual(metrics.actionItems);
    expect(body.headline.previous?.incidents).toEqual(metrics.previous?.incidents);
  });

  it('takes ?week= for another week', async () => {
    const body = (await request(t.app).get('/api/review').query({ week: '2026-W46' }).expect(200))
      .body as ReviewResponse;
    expect(body.week).toBe('2026-W46');
    expect(body.incidents.map((i) => i.key)).toEqual(['OPS-6']);
    const w48 = (await request(t.app).get('/api/review').query({ week: '2026-W48' }).expect(200))
      .body as ReviewResponse;
    expect(w48.incidents.map((i) => i.key)).toEqual(['OPS-5']);
  });

  it('refuses a bad week or an unknown parameter with a 400 naming it', async () => {
    const bad = await request(t.app).get('/api/review').query({ week: '2026-W54' }).expect(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect(bad.body.error.message).toContain('week must be an ISO week such as 2026-W47');
    const unknown = await request(t.app).get('/api/review').query({ weeks: '2026-W47' }).expect(400);
    expect(unknown.body.error.message).toContain('"weeks"');
  });

  it('needs credentials like the rest of the API', async () => {
    const locked = await testApp(
      { TIMEZONE: 'Europe/Berlin', AUTH_MODE: 'api-key', API_KEYS: 'review-test-key-0123456789' },
      { now: () => NOW },
    );
    try {
      await request(locked.app).get('/api/review').expect(401);
      await request(locked.app)
        .get('/api/review')
        .set('Authorization', 'Bearer review-test-key-0123456789')
        .expect(200);
    } finally {
      await locked.close();
    }
  });
});

describe('reviewAgenda', () => {
  it('passes on the change of each headline, the recurrence and the fixes behind each incident when the metrics carry them', async () => {
    const service = t.metrics;
    const recurrence = {
      behindOverdueFix: 1,
      rate: 0.25,
      items: [{ key: 'ACT-4', incidentKey: 'OPS-0', dueDate: '2026-10-01', incidents: ['OPS-1'] }],
      itemsTotal: 1,
    };
    const untested = { p: null, significant: false };
    const change = {
      incidents: { p: 0.375, significant: false },
      timeToDetect: untested,
      timeToAcknowledge: untested,
      timeToResolve: { p: 0.01, significant: true },
    };
    const source = {
      metrics: async (q: Parameters<typeof service.metrics>[0]) => ({
        ...(await service.metrics(q)),
        recurrence,
        change,
      }),
      incidents: service.incidents.bind(service),
      actionItems: service.actionItems.bind(service),
      incident: async (key: string) => ({
        ...(await service.incident(key)),
        behindOverdueFixes: key === 'OPS-1' ? ['ACT-4'] : [],
      }),
    };
    const agenda = await reviewAgenda(source, { week: '2026-W47', timezone: 'Europe/Berlin', now: NOW });
    expect(agenda.recurrence).toEqual(recurrence);
    expect(agenda.headline.change).toEqual(change);
    expect(agenda.incidents.map((i) => i.behindOverdueFixes)).toEqual([['ACT-4'], [], []]);
    // Without them, the fields are absent.
    const plain = await reviewAgenda(service, { week: '2026-W47', timezone: 'Europe/Berlin', now: NOW });
    expect('recurrence' in plain).toBe('recurrence' in (await service.metrics({})));
  });
});

describe('the agenda at scale', () => {
  it('groups 60,000 overdue items by owner in linear time (copying each owner list per item took minutes at 5x)', () => {
    const items = Array.from({ length: 60_000 }, (_, i) => ({
      ...makeActionItem({ key: `ACT-${i}`, owner: i % 3 === 0 ? null : 'Alex' }),
      dueDate: '2026-10-01',
      dueDateSource: 'jira' as const,
      daysOverdue: 50,
    }));
    const started = performance.now();
    const groups = groupByOwner(items);
    const ms = performance.now() - started;
    expect(groups.map((g) => [g.owner, g.items.length])).toEqual([
      ['Alex', 40_000],
      [null, 20_000],
    ]);
    expect(ms).toBeLessThan(1_000);
  });
});
