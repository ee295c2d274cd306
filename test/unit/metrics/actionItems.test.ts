import { describe, expect, it } from '@jest/globals';
import type { Incident } from '../../../server/domain/types.js';
import { actionItemStats, actionItemViews, overdueActionItems, ZoneCalendar } from '../../../server/metrics/index.js';
import { actionItem, incident, SLA } from './fixtures.js';

const NY = 'America/New_York';

function byKey(...incidents: Incident[]): Map<string, Incident> {
  return new Map(incidents.map((i) => [i.key, i]));
}

describe('actionItemViews: due dates and days overdue', () => {
  // 10:00Z on 27 Nov is 05:00 in New York: today is 2026-11-27 there.
  const now = new Date('2026-11-27T10:00:00.000Z');
  const options = { now, timezone: NY, slaDays: SLA };

  it('a due date of today is not overdue; yesterday is one day overdue', () => {
    const views = actionItemViews(
      [actionItem('A-1', { jiraDueDate: '2026-11-27' }), actionItem('A-2', { jiraDueDate: '2026-11-26' })],
      byKey(incident('OPS-1')),
      options,
    );
    expect(views.map((v) => [v.key, v.dueDate, v.dueDateSource, v.daysOverdue])).toEqual([
      ['A-1', '2026-11-27', 'jira', null],
      ['A-2', '2026-11-26', 'jira', 1],
    ]);
    expect(views[0]).not.toHaveProperty('jiraDueDate');
  });

  it('"today" is the date in TIMEZONE, not in UTC', () => {
    // 03:00Z on 27 Nov is still 26 Nov (22:00) in New York, so a due date of 26 Nov is not past.
    const views = actionItemViews([actionItem('A-1', { jiraDueDate: '2026-11-26' })], byKey(incident('OPS-1')), {
      ...options,
      now: new Date('2026-11-27T03:00:00.000Z'),
    });
    expect(views[0]?.daysOverdue).toBeNull();
  });

  it('without a Jira due date, derives one from the incident resolvedAt date in TIMEZONE + SLA days', () => {
    // resolved 2026-11-01T02:00Z = 2026-10-31 22:00 EDT; P1 SLA 15 days -> 2026-11-15; 12 days before today
    const inc = incident('OPS-1', { severity: 'P1', resolvedAt: '2026-11-01T02:00:00.000Z' });
    const [view] = actionItemViews([actionItem('A-1')], byKey(inc), options);
    expect(view).toMatchObject({ dueDate: '2026-11-15', dueDateSource: 'sla', daysOverdue: 12 });
  });

  it('has no due date when the incident is unresolved, of unknown severity, or absent', () => {
    const views = actionItemViews(
      [
        actionItem('A-1', { incidentKey: 'OPS-1' }),
        actionItem('A-2', { incidentKey: 'OPS-2' }),
        actionItem('A-3', { incidentKey: null }),
      ],
      byKey(incident('OPS-1', { resolvedAt: null }), incident('OPS-2', { severity: null })),
      options,
    );
    for (const view of views) expect([view.dueDate, view.dueDateSource, view.daysOverdue]).toEqual([null, null, null]);
  });

  it('a done item is never overdue', () => {
    const [view] = actionItemViews(
      [
        actionItem('A-1', {
          jiraDueDate: '2026-01-01',
          statusCategory: 'done',
          status: 'Done',
          resolvedAt: '2026-02-01T00:00:00.000Z',
        }),
      ],
      byKey(incident('OPS-1')),
      options,
    );
    expect(view?.daysOverdue).toBeNull();
  });

  it('overdueActionItems sorts by days overdue descending, then key ascending, and drops the rest', () => {
    const views = actionItemViews(
      [
        actionItem('A-10', { jiraDueDate: '2026-11-20' }),
        actionItem('A-2', { jiraDueDate: '2026-11-20' }),
        actionItem('A-3', { jiraDueDate: '2026-11-01' }),
        actionItem('A-4', { jiraDueDate: '2026-11-27' }),
        actionItem('A-5'),
      ],
      byKey(incident('OPS-1', { resolvedAt: null })),
      options,
    );
    expect(overdueActionItems(views).map((v) => [v.key, v.daysOverdue])).toEqual([
      ['A-3', 26],
      ['A-10', 7],
      ['A-2', 7],
    ]);
  });
});

describe('actionItemStats', () => {
  const now = new Date('2026-11-27T10:00:00.000Z');
  const calendar = new ZoneCalendar(NY);

  it('is zero and null for no items', () => {
    expect(actionItemStats([], calendar)).toEqual({
      total: 0,
      open: 0,
      done: 0,
      overdue: 0,
      completionRate: null,
      onTimeRate: null,
      medianDaysToClose: null,
    });
  });

  it('computes completion, on-time and days to close by hand', () => {
    const items = [
      // done, due 11-10, resolved 11-10 23:30 EST = 11-11T04:30Z: on time in New York (late in UTC)
      actionItem('A-1', {
        jiraDueDate: '2026-11-10',
        statusCategory: 'done',
        createdAt: '2026-11-05T04:30:00.000Z',
        resolvedAt: '2026-11-11T04:30:00.000Z',
      }),
      // done ("Won't Do"), due 11-10, resolved 11-12: late; 2 days to close
      actionItem('A-2', {
        jiraDueDate: '2026-11-10',
        status: "Won't Do",
        statusCategory: 'done',
        createdAt: '2026-11-10T12:00:00.000Z',
        resolvedAt: '2026-11-12T12:00:00.000Z',
      }),
      // done without resolvedAt: not on time, not in days to close
      actionItem('A-3', { jiraDueDate: '2026-11-30', statusCategory: 'done', resolvedAt: null }),
      // done without a due date: only in days to close (12 hours = 0.5 days)
      actionItem('A-4', {
        statusCategory: 'done',
        createdAt: '2026-11-01T00:00:00.000Z',
        resolvedAt: '2026-11-01T12:00:00.000Z',
      }),
      // open, overdue by 1
      actionItem('A-5', { jiraDueDate: '2026-11-26' }),
      // open, due later
      actionItem('A-6', { jiraDueDate: '2026-12-26', statusCategory: 'indeterminate' }),
    ];
    const views = actionItemViews(items, new Map([['OPS-1', incident('OPS-1', { resolvedAt: null })]]), {
      now,
      timezone: NY,
      slaDays: SLA,
    });
    expect(actionItemStats(views, calendar)).toEqual({
      total: 6,
      open: 2,
      done: 4,
      overdue: 1,
      completionRate: 4 / 6,
      onTimeRate: 1 / 3,
      // days to close: 6, 2, 0.5 -> median 2
      medianDaysToClose: 2,
    });
  });
});
