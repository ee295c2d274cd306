import { describe, expect, it } from '@jest/globals';
import { computeMetrics, weeksOverlapping } from '../../../server/metrics/index.js';
import { actionItem, incident, SLA } from './fixtures.js';

const base = {
  from: new Date('2026-11-02T00:00:00.000Z'),
  to: new Date('2026-11-16T00:00:00.000Z'),
  now: new Date('2026-11-20T12:00:00.000Z'),
  timezone: 'UTC',
  slaDays: SLA,
};

const EMPTY_TIME = { count: 0, missing: 0, invalid: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null };

describe('computeMetrics', () => {
  it('empty input: zero counts, null statistics, zero-filled weeks', () => {
    const m = computeMetrics([], [], base);
    expect(m.range).toEqual({ from: '2026-11-02T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z' });
    expect(m.incidents).toEqual({
      total: 0,
      bySeverity: { P0: 0, P1: 0, P2: 0, P3: 0, P4: 0, unknown: 0 },
      byService: {},
      byWeek: [
        { weekStart: '2026-11-02', total: 0, bySeverity: {} },
        { weekStart: '2026-11-09', total: 0, bySeverity: {} },
      ],
      byDetection: { automated: 0, customer: 0, internal: 0, unknown: 0 },
    });
    expect(m.timeToDetect).toEqual(EMPTY_TIME);
    expect(m.timeToAcknowledge).toEqual(EMPTY_TIME);
    expect(m.timeToResolve).toEqual(EMPTY_TIME);
    expect(m.actionItems).toEqual({
      total: 0,
      open: 0,
      done: 0,
      overdue: 0,
      completionRate: null,
      onTimeRate: null,
      medianDaysToClose: null,
    });
    expect(m.bySeverity).toEqual({});
    expect(m.dataQuality).toEqual({ incidents: [], actionItems: [] });
    expect(m.weekly).toHaveLength(2);
    expect(m.previous?.range).toEqual({ from: '2026-10-19T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z' });
  });

  it('one incident: every count and duration by hand', () => {
    const m = computeMetrics([incident('OPS-1')], [actionItem('A-1', { jiraDueDate: '2026-11-19' })], base);
    expect(m.incidents.total).toBe(1);
    expect(m.incidents.bySeverity.P1).toBe(1);
    expect(m.incidents.byService).toEqual({ api: 1 });
    expect(m.incidents.byDetection.automated).toBe(1);
    expect(m.incidents.byWeek[0]).toEqual({ weekStart: '2026-11-02', total: 1, bySeverity: { P1: 1 } });
    expect(m.timeToDetect).toEqual({
      count: 1,
      missing: 0,
      invalid: 0,
      meanSeconds: 300,
      medianSeconds: 300,
      p90Seconds: 300,
    });
    expect(m.timeToAcknowledge.medianSeconds).toBe(120);
    expect(m.timeToResolve.medianSeconds).toBe(3600);
    expect(m.bySeverity?.P1?.timeToResolve.count).toBe(1);
    expect(m.actionItems).toMatchObject({ total: 1, open: 1, done: 0, overdue: 1, completionRate: 0 });
  });

  it('range is [from, to): an incident placed exactly at `to` is out, at `from` is in', () => {
    const m = computeMetrics(
      [
        incident('OPS-1', { startedAt: '2026-11-02T00:00:00.000Z' }),
        incident('OPS-2', { startedAt: '2026-11-16T00:00:00.000Z' }),
      ],
      [],
      base,
    );
    expect(m.incidents.total).toBe(1);
    expect(m.previous?.incidents.total).toBe(0);
  });

  it('places an incident without startedAt by its created time, and counts its TTD and TTR as missing', () => {
    const m = computeMetrics([incident('OPS-1', { startedAt: null, createdAt: '2026-11-10T08:00:00.000Z' })], [], base);
    expect(m.incidents.byWeek.map((w) => w.total)).toEqual([0, 1]);
    expect(m.timeToDetect).toMatchObject({ count: 0, missing: 1 });
    expect(m.timeToResolve).toMatchObject({ count: 0, missing: 1 });
    expect(m.timeToAcknowledge).toMatchObject({ count: 1, missing: 0 });
  });

  it('unresolved incidents are missing for TTR; out-of-order points are invalid', () => {
    const incidents = [
      incident('OPS-1', { resolvedAt: null, endedAt: null, statusCategory: 'indeterminate' }),
      incident('OPS-2', { detectedAt: '2026-11-02T09:00:00.000Z' }), // detected before start
      incident('OPS-3'),
    ];
    const m = computeMetrics(incidents, [], base);
    expect(m.timeToResolve).toMatchObject({ count: 2, missing: 1, invalid: 0 });
    expect(m.timeToDetect).toMatchObject({ count: 2, missing: 0, invalid: 1, medianSeconds: 300 });
    // OPS-2's TTA: 10:07 - 09:00 = 67 min; OPS-1 and OPS-3: 2 min
    expect(m.timeToAcknowledge).toMatchObject({ count: 3, meanSeconds: (120 + 4020 + 120) / 3, medianSeconds: 120 });
    expect(m.dataQuality?.incidents).toEqual([
      {
        key: 'OPS-2',
        url: 'https://jira.example.test/browse/OPS-2',
        problems: ['detectedAt (2026-11-02T09:00:00.000Z) is before startedAt (2026-11-02T10:00:00.000Z)'],
      },
    ]);
  });

  it('even and odd counts, p90 with interpolation, ties', () => {
    const ttr = (key: string, minutes: number) =>
      incident(key, { resolvedAt: new Date(Date.parse('2026-11-02T10:00:00.000Z') + minutes * 60_000).toISOString() });
    const four = computeMetrics([ttr('A', 10), ttr('B', 20), ttr('C', 30), ttr('D', 40)], [], base);
    expect(four.timeToResolve.medianSeconds).toBe(1500); // (20 + 30) / 2 minutes
    expect(four.timeToResolve.p90Seconds).toBeCloseTo(37 * 60, 9); // r = 2.7 -> 30 + 0.7 * 10
    const five = computeMetrics([ttr('A', 10), ttr('B', 20), ttr('C', 20), ttr('D', 20), ttr('E', 100)], [], base);
    expect(five.timeToResolve.medianSeconds).toBe(1200);
    expect(five.timeToResolve.p90Seconds).toBeCloseTo(68 * 60, 9); // r = 3.6 -> 20 + 0.6 * 80
    expect(five.timeToResolve.meanSeconds).toBe(34 * 60);
  });

  it('filters by service and severity, and action items through their incident', () => {
    const incidents = [
      incident('OPS-1', { services: ['api', 'db'], severity: 'P0' }),
      incident('OPS-2', { services: ['web'], severity: null, detection: 'customer' }),
      incident('OPS-3', { services: [], severity: 'P0', detection: 'internal' }),
    ];
    const items = [
      actionItem('A-1', { incidentKey: 'OPS-1' }),
      actionItem('A-2', { incidentKey: 'OPS-2' }),
      actionItem('A-3', { incidentKey: null }),
    ];
    const all = computeMetrics(incidents, items, base);
    expect(all.incidents.bySeverity).toEqual({ P0: 2, P1: 0, P2: 0, P3: 0, P4: 0, unknown: 1 });
    expect(all.incidents.byService).toEqual({ api: 1, db: 1, web: 1 });
    expect(all.incidents.byDetection).toEqual({ automated: 1, customer: 1, internal: 1, unknown: 0 });
    expect(all.actionItems.total).toBe(2);
    expect(Object.keys(all.bySeverity ?? {})).toEqual(['P0', 'unknown']);

    const db = computeMetrics(incidents, items, { ...base, service: 'db' });
    expect(db.incidents.total).toBe(1);
    expect(db.actionItems.total).toBe(1);

    const unknown = computeMetrics(incidents, items, { ...base, severity: 'unknown' });
    expect(unknown.incidents.total).toBe(1);
    expect(unknown.incidents.bySeverity.unknown).toBe(1);
    expect(unknown.actionItems.total).toBe(1);
  });

  it('puts the previous equal-length window beside the current one, with the same filters', () => {
    const incidents = [
      incident('OPS-1', { startedAt: '2026-11-03T10:00:00.000Z', severity: 'P2' }),
      incident('OPS-2', { startedAt: '2026-10-20T10:00:00.000Z', severity: 'P2' }),
      incident('OPS-3', { startedAt: '2026-10-25T10:00:00.000Z', severity: 'P3' }),
      incident('OPS-4', { startedAt: '2026-10-18T23:59:59.000Z', severity: 'P2' }),
    ];
    const m = computeMetrics(incidents, [], { ...base, severity: 'P2' });
    expect(m.incidents.total).toBe(1);
    expect(m.previous?.incidents.total).toBe(1);
    expect(m.previous?.incidents.byWeek.map((w) => w.weekStart)).toEqual(['2026-10-19', '2026-10-26']);
  });

  it('flags action items without owner or due date, with their links', () => {
    const m = computeMetrics(
      [incident('OPS-1', { resolvedAt: null, statusCategory: 'indeterminate' })],
      [
        actionItem('A-1', { owner: null, jiraDueDate: '2026-12-01' }),
        actionItem('A-2'),
        actionItem('A-3', { jiraDueDate: '2026-12-01' }),
      ],
      base,
    );
    expect(m.dataQuality?.actionItems.map((a) => [a.key, a.url, a.problems.length])).toEqual([
      ['A-1', 'https://jira.example.test/browse/A-1', 1],
      ['A-2', 'https://jira.example.test/browse/A-2', 1],
    ]);
    expect(m.dataQuality?.actionItems[0]?.problems[0]).toBe('no owner');
    expect(m.dataQuality?.actionItems[1]?.problems[0]).toMatch(/^no due date/);
  });

  it('does not list an incident still in To Do for its missing acknowledgement', () => {
    const m = computeMetrics(
      [incident('OPS-1', { acknowledgedAt: null, resolvedAt: null, statusCategory: 'new' })],
      [],
      base,
    );
    expect(m.dataQuality?.incidents).toEqual([]);
    expect(m.timeToAcknowledge.missing).toBe(1);
  });

  it('lists missing points and unreadable fields as data-quality problems', () => {
    const m = computeMetrics(
      [
        incident('OPS-1', {
          acknowledgedAt: null,
          resolvedAt: null,
          readProblems: [{ field: 'customfield_1', reason: 'not a date' }],
        }),
      ],
      [],
      base,
    );
    expect(m.dataQuality?.incidents[0]?.problems).toEqual([
      'acknowledgedAt is missing',
      'resolvedAt is missing although the incident is done',
      'field customfield_1 could not be read: not a date',
    ]);
  });

  it('weekly: per-week time metrics and action items opened, closed and open at the end', () => {
    const incidents = [
      incident('OPS-1', { startedAt: '2026-11-03T10:00:00.000Z', detectedAt: '2026-11-03T10:10:00.000Z' }),
      incident('OPS-2', { startedAt: '2026-11-10T10:00:00.000Z', detectedAt: '2026-11-10T10:20:00.000Z' }),
    ];
    const items = [
      actionItem('A-1', { createdAt: '2026-11-04T00:00:00.000Z' }),
      actionItem('A-2', {
        createdAt: '2026-11-04T00:00:00.000Z',
        statusCategory: 'done',
        resolvedAt: '2026-11-11T00:00:00.000Z',
      }),
      actionItem('A-3', {
        incidentKey: 'OPS-2',
        createdAt: '2026-11-10T00:00:00.000Z',
        statusCategory: 'done',
        resolvedAt: '2026-11-12T00:00:00.000Z',
      }),
    ];
    const m = computeMetrics(incidents, items, base);
    expect(
      m.weekly?.map((w) => [
        w.weekStart,
        w.timeToDetect.medianSeconds,
        w.actionItemsOpened,
        w.actionItemsClosed,
        w.actionItemsOpenAtEnd,
      ]),
    ).toEqual([
      ['2026-11-02', 600, 2, 0, 2],
      ['2026-11-09', 1200, 1, 2, 1],
    ]);
  });

  it('publishes the formula behind each number', () => {
    const m = computeMetrics([], [], base);
    for (const key of [
      'timeToDetect',
      'timeToAcknowledge',
      'timeToResolve',
      'median',
      'p90',
      'completionRate',
      'onTimeRate',
      'medianDaysToClose',
      'overdue',
    ]) {
      expect(m.formulas?.[key]).toEqual(expect.any(String));
    }
  });
});

describe('weeks in a non-UTC TIMEZONE across daylight-saving changes', () => {
  const berlin = { ...base, timezone: 'Europe/Berlin' };

  it('weeks start on Monday 00:00 local time, whose UTC instant shifts with DST', () => {
    // Berlin leaves summer time on Sunday 2026-10-25.
    const weeks = weeksOverlapping(
      Date.parse('2026-10-20T00:00:00.000Z'),
      Date.parse('2026-11-02T00:00:00.000Z'),
      'Europe/Berlin',
    );
    expect(weeks.map((w) => [w.weekStart, new Date(w.startMs).toISOString()])).toEqual([
      ['2026-10-19', '2026-10-18T22:00:00.000Z'], // CEST, +02:00
      ['2026-10-26', '2026-10-25T23:00:00.000Z'], // CET, +01:00 (a 169-hour week before it)
      // 2026-11-02 00:00 CET is 2026-11-01T23:00Z, before `to`, so that week overlaps too
      ['2026-11-02', '2026-11-01T23:00:00.000Z'],
    ]);
  });

  it('an incident on Sunday 23:30 UTC after the change falls in the next local week', () => {
    const m = computeMetrics(
      [
        incident('OPS-1', { startedAt: '2026-10-25T22:59:59.000Z' }), // Sunday 23:59:59 CET
        incident('OPS-2', { startedAt: '2026-10-25T23:30:00.000Z' }), // Monday 00:30 CET
        incident('OPS-3', { startedAt: '2026-10-18T21:59:00.000Z' }), // Sunday 23:59 CEST
        incident('OPS-4', { startedAt: '2026-10-18T22:00:00.000Z' }), // Monday 00:00 CEST
      ],
      [],
      { ...berlin, from: new Date('2026-10-12T00:00:00.000Z'), to: new Date('2026-11-02T00:00:00.000Z') },
    );
    expect(m.incidents.byWeek.map((w) => [w.weekStart, w.total])).toEqual([
      ['2026-10-12', 1],
      ['2026-10-19', 2],
      ['2026-10-26', 1],
      ['2026-11-02', 0],
    ]);
  });

  it('an SLA due date and "today" use the local date across the spring change', () => {
    // Berlin enters summer time on Sunday 2026-03-29. Resolved 2026-03-28T23:30Z = 00:30 CET on 29 March.
    const m = computeMetrics(
      [
        incident('OPS-1', {
          startedAt: '2026-03-28T20:00:00.000Z',
          resolvedAt: '2026-03-28T23:30:00.000Z',
          severity: 'P0',
        }),
      ],
      [actionItem('A-1')],
      {
        ...berlin,
        from: new Date('2026-03-23T00:00:00.000Z'),
        to: new Date('2026-03-30T00:00:00.000Z'),
        now: new Date('2026-04-12T22:30:00.000Z'),
      },
    );
    // due 2026-03-29 + 15 = 2026-04-13; now is 00:30 CEST on 13 April: due today, not overdue
    expect(m.actionItems.overdue).toBe(0);
    const later = computeMetrics(
      [
        incident('OPS-1', {
          startedAt: '2026-03-28T20:00:00.000Z',
          resolvedAt: '2026-03-28T23:30:00.000Z',
          severity: 'P0',
        }),
      ],
      [actionItem('A-1')],
      {
        ...berlin,
        from: new Date('2026-03-23T00:00:00.000Z'),
        to: new Date('2026-03-30T00:00:00.000Z'),
        now: new Date('2026-04-13T22:30:00.000Z'),
      },
    );
    expect(later.actionItems.overdue).toBe(1);
  });
});

describe('key order of the count maps', () => {
  it('lists services alphabetically and week severities P0..P4, unknown', () => {
    const m = computeMetrics(
      [
        incident('OPS-1', { services: ['web'], severity: null }),
        incident('OPS-2', { services: ['api'], severity: 'P3' }),
        incident('OPS-3', { services: ['db'], severity: 'P0' }),
      ],
      [],
      base,
    );
    expect(Object.keys(m.incidents.byService)).toEqual(['api', 'db', 'web']);
    expect(Object.keys(m.incidents.byWeek[0]?.bySeverity ?? {})).toEqual(['P0', 'P3', 'unknown']);
  });
});

describe('the data-quality preview of GET /api/metrics', () => {
  it('is the head of each full list, with the totals, without sorting the whole list', () => {
    const incidents = ['OPS-1', 'OPS-2', 'OPS-3'].map((key, i) => incident(key, i === 1 ? { detectedAt: null } : {}));
    // Keys arrive out of order across incidents: the preview holds the smallest ones.
    const items = ['A-9', 'A-3', 'A-7', 'A-1', 'A-8', 'A-2', 'A-5', 'A-4', 'A-6'].map((key, i) =>
      actionItem(key, { incidentKey: `OPS-${(i % 3) + 1}`, owner: null }),
    );
    const full = computeMetrics(incidents, items, base);
    const preview = computeMetrics(incidents, items, { ...base, dataQualityPreview: 4 });
    expect(preview.dataQuality?.actionItems).toEqual(full.dataQuality?.actionItems.slice(0, 4));
    expect(preview.dataQuality?.actionItems.map((a) => a.key)).toEqual(['A-1', 'A-2', 'A-3', 'A-4']);
    expect(preview.dataQuality?.incidents).toEqual(full.dataQuality?.incidents.slice(0, 4));
    expect(preview.dataQuality?.totals).toEqual({
      incidents: full.dataQuality?.incidents.length,
      actionItems: 9,
    });
    expect(full.dataQuality?.incidents.map((i) => i.key)).toEqual(['OPS-2']);
  });
});
