/**
 * "Was overdue at" and "behind an overdue fix" (docs/insights.md), by hand, through
 * computeMetrics (the recurrence block) and overdueFixesAt (the incident view).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from '@jest/globals';
import type { ActionItem, Incident } from '../../../server/domain/types.js';
import { computeMetrics, groupActionItemsByIncident, zoneCalendar } from '../../../server/metrics/index.js';
import { LateFixIndex, overdueFixesAt } from '../../../server/metrics/recurrence.js';
import { actionItem, incident, SLA } from './fixtures.js';

const window = {
  from: new Date('2026-11-01T00:00:00.000Z'),
  to: new Date('2026-12-01T00:00:00.000Z'),
  now: new Date('2026-12-02T12:00:00.000Z'),
  timezone: 'UTC',
  slaDays: SLA,
};

/** An incident of the api service at an instant (startedAt = its place in time). */
function at(key: string, startedAt: string, overrides: Partial<Incident> = {}): Incident {
  return incident(key, { startedAt, createdAt: startedAt, ...overrides });
}

function recurrenceOf(
  incidents: Incident[],
  items: ActionItem[],
  options: Partial<typeof window> & { service?: string } = {},
) {
  const m = computeMetrics(incidents, items, { ...window, ...options });
  return m.recurrence;
}

function fixesAt(key: string, incidents: Incident[], items: ActionItem[], timezone = 'UTC'): string[] {
  const target = incidents.find((i) => i.key === key) as Incident;
  const index = LateFixIndex.of(incidents, groupActionItemsByIncident(items), {
    timezone,
    slaDays: SLA,
    calendar: zoneCalendar(timezone),
  });
  return overdueFixesAt(target, index);
}

describe('was overdue at', () => {
  // Before the window (a fix may come from outside it); P1 resolved 2026-10-20: SLA due date 2026-11-04.
  const origin = at('OPS-1', '2026-10-20T10:00:00.000Z', { resolvedAt: '2026-10-20T11:00:00.000Z' });

  it('counts an incident after the due date, not one on the due date itself', () => {
    const incidents = [
      origin,
      at('OPS-2', '2026-11-05T23:59:59.999Z'), // on the due date
      at('OPS-3', '2026-11-06T00:00:00.000Z'), // the first instant after it
    ];
    const items = [actionItem('ACT-1', { incidentKey: 'OPS-1', jiraDueDate: '2026-11-05' })];
    expect(recurrenceOf(incidents, items)).toEqual({
      behindOverdueFix: 1,
      rate: 1 / 2,
      items: [{ key: 'ACT-1', incidentKey: 'OPS-1', dueDate: '2026-11-05', incidents: ['OPS-3'] }],
      itemsTotal: 1,
    });
    expect(fixesAt('OPS-2', incidents, items)).toEqual([]);
    expect(fixesAt('OPS-3', incidents, items)).toEqual(['ACT-1']);
  });

  it("compares the due date with the incident's date in TIMEZONE", () => {
    // 23:30 UTC on the due date is already the next day in Berlin.
    const incidents = [origin, at('OPS-2', '2026-11-05T23:30:00.000Z')];
    const items = [actionItem('ACT-1', { incidentKey: 'OPS-1', jiraDueDate: '2026-11-05' })];
    expect(recurrenceOf(incidents, items)?.behindOverdueFix).toBe(0);
    expect(recurrenceOf(incidents, items, { timezone: 'Europe/Berlin' })?.behindOverdueFix).toBe(1);
    expect(fixesAt('OPS-2', incidents, items, 'Europe/Berlin')).toEqual(['ACT-1']);
  });

  it("an item done exactly at the incident's start was done; one done a millisecond later was not", () => {
    const incidents = [origin, at('OPS-2', '2026-11-10T08:00:00.000Z')];
    const done = { incidentKey: 'OPS-1', jiraDueDate: '2026-11-01', status: 'Done', statusCategory: 'done' as const };
    const items = [
      actionItem('ACT-1', { ...done, resolvedAt: '2026-11-10T08:00:00.000Z' }),
      actionItem('ACT-2', { ...done, resolvedAt: '2026-11-10T08:00:00.001Z' }),
      actionItem('ACT-3', { ...done, resolvedAt: null }), // done without a resolvedAt counts as done
    ];
    expect(recurrenceOf(incidents, items)?.items.map((i) => i.key)).toEqual(['ACT-2']);
    expect(fixesAt('OPS-2', incidents, items)).toEqual(['ACT-2']);
  });

  it('takes the SLA due date when Jira has none, and skips an item without any due date', () => {
    // OPS-1 is P1, resolved 2026-10-20: SLA due date 2026-11-04 (15 days).
    const incidents = [origin, at('OPS-2', '2026-11-04T12:00:00.000Z'), at('OPS-3', '2026-11-05T00:00:00.000Z')];
    const noDue = at('OPS-9', '2026-10-21T10:00:00.000Z', { severity: null }); // unknown severity: no SLA date
    const items = [actionItem('ACT-1', { incidentKey: 'OPS-1' }), actionItem('ACT-2', { incidentKey: 'OPS-9' })];
    const recurrence = recurrenceOf([...incidents, noDue], items);
    expect(recurrence?.items).toEqual([
      { key: 'ACT-1', incidentKey: 'OPS-1', dueDate: '2026-11-04', incidents: ['OPS-3'] },
    ]);
    expect(recurrence?.behindOverdueFix).toBe(1);
  });

  it("needs a shared service, by exact name (case matters), and the fix's incident before", () => {
    const incidents = [
      at('OPS-1', '2026-11-02T10:00:00.000Z', { services: ['api', 'db'] }),
      at('OPS-2', '2026-11-10T10:00:00.000Z', { services: ['API'] }),
      at('OPS-3', '2026-11-10T11:00:00.000Z', { services: ['db'] }),
      at('OPS-4', '2026-11-10T12:00:00.000Z', { services: ['web'] }),
      at('OPS-5', '2026-11-10T13:00:00.000Z', { services: [] }),
    ];
    // Due before its own incident: still only incidents placed after OPS-1 count, and never OPS-1 itself.
    const items = [actionItem('ACT-1', { incidentKey: 'OPS-1', jiraDueDate: '2026-10-01' })];
    expect(recurrenceOf(incidents, items)?.items).toEqual([
      { key: 'ACT-1', incidentKey: 'OPS-1', dueDate: '2026-10-01', incidents: ['OPS-3'] },
    ]);
    expect(fixesAt('OPS-1', incidents, items)).toEqual([]);
    expect(fixesAt('OPS-2', incidents, items)).toEqual([]);
  });

  it("counts only incidents the window and filters keep; the fix's incident may be outside both", () => {
    const incidents = [
      at('OPS-1', '2026-10-01T10:00:00.000Z', { services: ['api', 'db'] }),
      at('OPS-2', '2026-10-25T10:00:00.000Z'), // before the window
      at('OPS-3', '2026-11-10T10:00:00.000Z'),
      at('OPS-4', '2026-11-11T10:00:00.000Z', { services: ['db'] }),
      at('OPS-5', '2026-12-01T00:00:00.000Z'), // at `to`: outside
    ];
    const items = [actionItem('ACT-1', { incidentKey: 'OPS-1', jiraDueDate: '2026-10-10' })];
    expect(recurrenceOf(incidents, items)?.items[0]?.incidents).toEqual(['OPS-3', 'OPS-4']);
    const apiOnly = recurrenceOf(incidents, items, { service: 'api' });
    expect(apiOnly).toEqual({
      behindOverdueFix: 1,
      rate: 1,
      items: [{ key: 'ACT-1', incidentKey: 'OPS-1', dueDate: '2026-10-10', incidents: ['OPS-3'] }],
      itemsTotal: 1,
    });
  });

  it('ranks by incidents hit, then due date, then key; lists 20 and counts all', () => {
    const incidents = [at('OPS-0', '2026-10-01T00:00:00.000Z')];
    for (let day = 10; day <= 14; day += 1) incidents.push(at(`OPS-${day}`, `2026-11-${day}T09:00:00.000Z`));
    const items: ActionItem[] = [
      // ACT-B: late from 2026-11-12 on: 3 incidents; ACT-A, ACT-C: late from 2026-11-13 on: 2 incidents.
      actionItem('ACT-B', { incidentKey: 'OPS-0', jiraDueDate: '2026-11-11' }),
      actionItem('ACT-C', { incidentKey: 'OPS-0', jiraDueDate: '2026-11-12' }),
      actionItem('ACT-A', { incidentKey: 'OPS-0', jiraDueDate: '2026-11-12' }),
      // An earlier due date with fewer incidents (resolved on 2026-11-11 at noon): ranks after.
      actionItem('ACT-D', {
        incidentKey: 'OPS-0',
        jiraDueDate: '2026-11-01',
        statusCategory: 'done',
        status: 'Done',
        resolvedAt: '2026-11-11T12:00:00.000Z',
      }),
    ];
    for (let i = 0; i < 22; i += 1) {
      items.push(actionItem(`ACT-Z${String(i).padStart(2, '0')}`, { incidentKey: 'OPS-0', jiraDueDate: '2026-11-13' }));
    }
    const recurrence = recurrenceOf(incidents, items);
    expect(recurrence?.itemsTotal).toBe(26);
    expect(recurrence?.items).toHaveLength(20);
    expect(recurrence?.items.slice(0, 4).map((i) => [i.key, i.incidents.length])).toEqual([
      ['ACT-B', 3],
      ['ACT-D', 2],
      ['ACT-A', 2],
      ['ACT-C', 2],
    ]);
    expect(recurrence?.items[0]?.incidents).toEqual(['OPS-12', 'OPS-13', 'OPS-14']);
    expect(recurrence?.items[4]?.key).toBe('ACT-Z00');
    expect(recurrence?.behindOverdueFix).toBe(5); // OPS-10, OPS-11 (ACT-D), OPS-12..14
    expect(recurrence?.rate).toBe(1);
  });

  it("sorts an item's incidents by place in time, then key", () => {
    const incidents = [
      at('OPS-1', '2026-10-01T00:00:00.000Z', { services: ['api', 'db'] }),
      at('OPS-9', '2026-11-03T00:00:00.000Z', { services: ['db'] }),
      at('OPS-10', '2026-11-03T00:00:00.000Z'),
      at('OPS-2', '2026-11-04T00:00:00.000Z', { services: ['api', 'db'] }),
    ];
    const items = [actionItem('ACT-1', { incidentKey: 'OPS-1', jiraDueDate: '2026-10-02' })];
    expect(recurrenceOf(incidents, items)?.items[0]?.incidents).toEqual(['OPS-10', 'OPS-9', 'OPS-2']);
  });

  it('is empty without incidents in range, and ignores items of no incident', () => {
    expect(recurrenceOf([], [])).toEqual({ behindOverdueFix: 0, rate: null, items: [], itemsTotal: 0 });
    const incidents = [at('OPS-2', '2026-11-10T10:00:00.000Z')];
    expect(recurrenceOf(incidents, [actionItem('ACT-1', { incidentKey: null, jiraDueDate: '2026-10-01' })])).toEqual({
      behindOverdueFix: 0,
      rate: 0,
      items: [],
      itemsTotal: 0,
    });
  });
});

describe('the late-fix index, patched', () => {
  it('keeps its sorted lists in order through a change, without sorting them anew, equal to an index built afresh', () => {
    const options = { timezone: 'UTC', slaDays: SLA, calendar: zoneCalendar('UTC') };
    const incidents = Array.from({ length: 60 }, (_, i) =>
      at(`OPS-${i + 1}`, new Date(Date.UTC(2026, 8, 1 + i)).toISOString(), { resolvedAt: null }),
    );
    const items = incidents.map((origin, i) =>
      actionItem(`ACT-${i + 1}`, {
        incidentKey: origin.key,
        jiraDueDate: new Date(Date.UTC(2026, 8, 3 + i)).toISOString().slice(0, 10),
        ...(i % 3 === 0
          ? { statusCategory: 'done' as const, resolvedAt: new Date(Date.UTC(2026, 9, 1 + i)).toISOString() }
          : {}),
      }),
    );
    const grouped = groupActionItemsByIncident(items);
    const index = LateFixIndex.of(incidents, grouped, options);
    const [before] = index.groups();
    // OPS-7's item is now due later, and OPS-8's done again (each a new record, as a patch brings).
    const changed = [
      { ...(items[6] as ActionItem), jiraDueDate: '2026-12-20' },
      { ...(items[7] as ActionItem), statusCategory: 'done' as const, resolvedAt: '2026-11-02T00:00:00.000Z' },
    ];
    index.set(incidents[6] as Incident, [changed[0] as ActionItem]);
    index.set(incidents[7] as Incident, [changed[1] as ActionItem]);
    const [after] = index.groups();
    expect(after?.open).toBe(before?.open);
    expect(after?.done).toBe(before?.done);
    const fresh = LateFixIndex.of(
      incidents,
      groupActionItemsByIncident(items.map((item) => changed.find((c) => c.key === item.key) ?? item)),
      options,
    ).groups()[0];
    const order = (list: readonly { key: string; fromMs: number; untilMs: number }[] = []) =>
      list.map(({ key, fromMs, untilMs }) => `${fromMs}/${untilMs}/${key}`);
    expect(new Set(order(after?.open))).toEqual(new Set(order(fresh?.open)));
    expect(new Set(order(after?.done))).toEqual(new Set(order(fresh?.done)));
    expect(order(after?.done).map((entry) => Number(entry.split('/')[1]))).toEqual(
      order(fresh?.done).map((entry) => Number(entry.split('/')[1])),
    );
    expect(after?.open.map((fix) => fix.fromMs)).toEqual(fresh?.open.map((fix) => fix.fromMs));
  });
});

describe('the answer', () => {
  it("lists each item's incidents in a packed array, which JSON.stringify writes on its fast path", () => {
    // A holey array (new Array(n), then filled) takes V8's slow path: 2.5 times the time for
    // the 4.7 MB of incident keys of the default answer at five times the product scale.
    setFlagsFromString('--allow-natives-syntax');
    const holey = new Function('array', 'return %HasHoleyElements(array)') as (array: unknown) => boolean;
    const origin = at('OPS-1', '2026-10-20T10:00:00.000Z', { resolvedAt: '2026-10-20T11:00:00.000Z' });
    const later = ['OPS-2', 'OPS-3', 'OPS-4'].map((key, i) => at(key, `2026-11-1${i}T00:00:00.000Z`));
    const items = [actionItem('ACT-1', { incidentKey: 'OPS-1', jiraDueDate: '2026-11-05' })];
    const listed = recurrenceOf([origin, ...later], items)?.items ?? [];
    expect(listed[0]?.incidents).toEqual(['OPS-2', 'OPS-3', 'OPS-4']);
    expect(holey(listed[0]?.incidents)).toBe(false);
    const control = new Array<string>(1);
    control[0] = 'OPS-2';
    expect(holey(control)).toBe(true);
  });
});

describe('instantMs', () => {
  it("reads the store's instants like Date.parse, and hands anything else to it", async () => {
    const { instantMs } = await import('../../../server/metrics/recurrence.js');
    for (const iso of [
      '2026-11-05T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2024-02-29T12:34:56.789Z',
      '2026-10-01T09:30:00.000+0530',
      '2026-10-15',
      'not a date',
      '2026-13-01T00:00:00.000Z',
      '2026-02-31T00:00:00.000Z',
    ]) {
      expect(Object.is(instantMs(iso), Date.parse(iso))).toBe(true);
    }
  });
});
