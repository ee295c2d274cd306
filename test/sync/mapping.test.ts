import { describe, it, expect } from '@jest/globals';
import { readDate, readInstant, readText, readTextList } from '../../server/sync/fieldValues.js';
import { resolveFieldMapping } from '../../server/sync/fieldMapping.js';
import { incidentFields, toActionItem, toIncident, owningIncident } from '../../server/sync/mapIssue.js';
import { InputError } from '../../server/errors.js';
import { context, DEFAULT_FIELDS, issue, JIRA_FIELDS, move, status } from './fixtures.js';

describe('reading Jira field values', () => {
  it('reads an option, a multi-option, a user, a priority, a component list and ADF text', () => {
    expect(readText({ self: 'x', value: 'Monitoring alert', id: '10100' })).toEqual({
      ok: true,
      value: 'Monitoring alert',
    });
    expect(readText({ value: 'Region', child: { value: 'eu-west' } })).toEqual({ ok: true, value: 'Region - eu-west' });
    expect(readTextList([{ value: 'api' }, { value: 'web' }])).toEqual({ ok: true, value: ['api', 'web'] });
    expect(readText({ accountId: '5b10', displayName: 'Priya Natarajan', active: true })).toEqual({
      ok: true,
      value: 'Priya Natarajan',
    });
    expect(readText({ id: '2', name: 'High', iconUrl: 'x' })).toEqual({ ok: true, value: 'High' });
    expect(
      readTextList([
        { id: '1', name: 'checkout' },
        { id: '2', name: 'payments' },
      ]),
    ).toEqual({
      ok: true,
      value: ['checkout', 'payments'],
    });
    expect(readTextList(['db', 'api'])).toEqual({ ok: true, value: ['db', 'api'] });
    const adf = {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Customer report' }] }],
    };
    expect(readText(adf)).toEqual({ ok: true, value: 'Customer report' });
    expect(readText(42)).toEqual({ ok: true, value: '42' });
  });

  it('reads absent and empty values as missing, not as problems', () => {
    expect(readText(null)).toEqual({ ok: true, value: null });
    expect(readText('  ')).toEqual({ ok: true, value: null });
    expect(readTextList(null)).toEqual({ ok: true, value: [] });
    expect(readInstant(undefined, 'UTC')).toEqual({ ok: true, value: null });
    expect(readDate('')).toEqual({ ok: true, value: null });
  });

  it('reports a value of unknown shape', () => {
    const read = readText({ foo: 1, bar: 2 });
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toContain('foo, bar');
    expect(readText(true).ok).toBe(false);
    expect(readTextList([[{ value: 'x' }]]).ok).toBe(false);
  });

  it('reads date-times with +0530, -0700, +05:30 and Z offsets to UTC', () => {
    expect(readInstant('2026-10-01T09:30:00.000+0530', 'UTC')).toEqual({ ok: true, value: '2026-10-01T04:00:00.000Z' });
    expect(readInstant('2026-10-01T21:15:30.250-0700', 'UTC')).toEqual({ ok: true, value: '2026-10-02T04:15:30.250Z' });
    expect(readInstant('2026-10-01T09:30:00+05:30', 'UTC')).toEqual({ ok: true, value: '2026-10-01T04:00:00.000Z' });
    expect(readInstant('2026-10-01T09:30:00Z', 'Asia/Tokyo')).toEqual({ ok: true, value: '2026-10-01T09:30:00.000Z' });
  });

  it('reads a date without a time as 00:00 of that date in TIMEZONE', () => {
    expect(readInstant('2026-10-15', 'UTC')).toEqual({ ok: true, value: '2026-10-15T00:00:00.000Z' });
    expect(readInstant('2026-10-15', 'America/New_York')).toEqual({ ok: true, value: '2026-10-15T04:00:00.000Z' });
    expect(readInstant('2026-10-15', 'Asia/Kolkata')).toEqual({ ok: true, value: '2026-10-14T18:30:00.000Z' });
  });

  it('reports unparseable and impossible dates', () => {
    for (const bad of [
      'yesterday',
      '2026-02-30',
      '2026-10-01T25:00:00.000+0000',
      '01/10/2026',
      '2026-10-01T09:30:00.000+2500',
    ]) {
      const read = readInstant(bad, 'UTC');
      expect(read.ok).toBe(false);
    }
    expect(readInstant(1_700_000_000_000, 'UTC').ok).toBe(false);
    expect(readDate('2026-10-15')).toEqual({ ok: true, value: '2026-10-15' });
    expect(readDate('2026-13-01').ok).toBe(false);
    expect(readDate('2026-10-15T00:00:00.000+0000').ok).toBe(false);
  });
});

describe('resolving the field mapping through the field list', () => {
  it('takes field ids and display names, exactly', () => {
    const resolved = resolveFieldMapping(
      {
        ...DEFAULT_FIELDS,
        startedAt: 'Impact start',
        detectedAt: 'customfield_10041',
        commander: 'Incident commander',
      },
      JIRA_FIELDS,
    );
    expect(resolved).toMatchObject({
      severity: 'priority',
      services: 'components',
      startedAt: 'customfield_10040',
      detectedAt: 'customfield_10041',
      commander: 'customfield_10045',
      acknowledgedAt: null,
      resolvedAt: null,
    });
  });

  it('refuses an unknown or differently-cased name, naming the config key', () => {
    expect(() => resolveFieldMapping({ ...DEFAULT_FIELDS, startedAt: 'impact start' }, JIRA_FIELDS)).toThrow(
      InputError,
    );
    expect(() => resolveFieldMapping({ ...DEFAULT_FIELDS, startedAt: 'impact start' }, JIRA_FIELDS)).toThrow(
      /jira\.fields\.startedAt: Jira has no field with id or name "impact start"/,
    );
  });

  it('refuses a name two fields share, listing their ids', () => {
    const fields = [...JIRA_FIELDS, { id: 'customfield_10099', name: 'Impact start', custom: true }];
    expect(() => resolveFieldMapping({ ...DEFAULT_FIELDS, startedAt: 'Impact start' }, fields)).toThrow(
      /customfield_10040, customfield_10099/,
    );
  });

  it('asks search only for the fields the mapping needs', () => {
    const ids = resolveFieldMapping({ ...DEFAULT_FIELDS, startedAt: 'Impact start' }, JIRA_FIELDS);
    expect(incidentFields(ids).sort()).toEqual(
      [
        'components',
        'created',
        'customfield_10040',
        'priority',
        'resolutiondate',
        'status',
        'summary',
        'updated',
      ].sort(),
    );
  });
});

describe('incidents with the default mapping', () => {
  const ctx = context();

  it('reads severity from priority, services from components, and times from created and the changelog', () => {
    // Search sends histories newest first.
    const histories = [
      move('103', '2026-10-01T09:10:00.000Z', '3', '10001'),
      move('102', '2026-10-01T08:20:00.000Z', '10000', '3'),
      move('101', '2026-10-01T08:05:00.000Z', '10000', '10000'),
    ];
    const incident = toIncident(
      issue(
        'OPS-1',
        {
          priority: { id: '2', name: 'High' },
          components: [
            { id: '1', name: 'checkout' },
            { id: '2', name: 'payments' },
          ],
          status: status('10001'),
          resolutiondate: '2026-10-01T09:12:00.000+0000',
        },
        histories,
      ),
      ctx,
    );
    expect(incident).toMatchObject({
      key: 'OPS-1',
      jiraId: '10001',
      source: 'jira',
      severity: 'P1',
      services: ['checkout', 'payments'],
      status: 'Done',
      statusCategory: 'done',
      createdAt: '2026-10-01T08:00:00.000Z',
      startedAt: '2026-10-01T08:00:00.000Z',
      detectedAt: '2026-10-01T08:00:00.000Z',
      acknowledgedAt: '2026-10-01T08:20:00.000Z',
      resolvedAt: '2026-10-01T09:12:00.000Z',
      endedAt: '2026-10-01T09:12:00.000Z',
      placeAt: '2026-10-01T08:00:00.000Z',
      detection: 'unknown',
      detectionMethod: null,
      commander: null,
      url: 'https://example.atlassian.net/browse/OPS-1',
      readProblems: [],
    });
    expect(incident.timeline.map((e) => e.at)).toEqual([
      '2026-10-01T08:05:00.000Z',
      '2026-10-01T08:20:00.000Z',
      '2026-10-01T09:10:00.000Z',
    ]);
    expect(incident.timeline[1]).toEqual({
      at: '2026-10-01T08:20:00.000Z',
      event: 'Status: To Do → In Progress',
      owner: 'Dana Ops',
      source: 'jira',
    });
  });

  it('without resolutiondate takes the first move into Done when done now, even if reopened later', () => {
    const histories = [
      move('1', '2026-10-01T08:10:00.000Z', '10003', '10004'),
      move('2', '2026-10-01T09:00:00.000Z', '10004', '10006'),
      move('3', '2026-10-01T10:00:00.000Z', '10006', '10004'),
      move('4', '2026-10-01T11:00:00.000Z', '10004', '10006'),
    ];
    const done = toIncident(issue('OPS-2', { status: status('10006') }, histories), ctx);
    expect(done.resolvedAt).toBe('2026-10-01T09:00:00.000Z');
    expect(done.endedAt).toBe('2026-10-01T09:00:00.000Z');
    const reopened = toIncident(issue('OPS-3', { status: status('10004') }, histories.slice(0, 3)), ctx);
    expect(reopened.resolvedAt).toBeNull();
    expect(reopened.endedAt).toBeNull();
  });

  it("counts a move from Done to Done (Won't Do) as no move into Done, and keeps acknowledgedAt missing without a move out of To Do", () => {
    const histories = [
      move('1', '2026-10-01T08:10:00.000Z', '10000', '10002'),
      move('2', '2026-10-01T08:30:00.000Z', '10002', '10001'),
    ];
    const incident = toIncident(issue('OPS-4', { status: status('10001') }, histories), ctx);
    expect(incident.resolvedAt).toBe('2026-10-01T08:10:00.000Z');
    expect(incident.acknowledgedAt).toBe('2026-10-01T08:10:00.000Z');
    const untouched = toIncident(issue('OPS-5', {}, []), ctx);
    expect(untouched.acknowledgedAt).toBeNull();
    expect(untouched.resolvedAt).toBeNull();
  });

  it('leaves severity unknown for an unmapped or empty priority, matching names case-sensitively', () => {
    expect(toIncident(issue('OPS-6', { priority: { name: 'Critical' } }), ctx).severity).toBeNull();
    expect(toIncident(issue('OPS-7', { priority: { name: 'high' } }), ctx).severity).toBeNull();
    expect(toIncident(issue('OPS-8', { priority: null }), ctx).severity).toBeNull();
    expect(toIncident(issue('OPS-9', {}), ctx).services).toEqual([]);
  });

  it('uses created (with its offset) for started and detected', () => {
    const incident = toIncident(issue('OPS-10', { created: '2026-10-01T14:00:00.000+0530' }), ctx);
    expect(incident.startedAt).toBe('2026-10-01T08:30:00.000Z');
    expect(incident.detectedAt).toBe('2026-10-01T08:30:00.000Z');
  });
});

describe('incidents with mapped custom fields', () => {
  const ctx = context(
    {
      severity: 'Severity level',
      services: 'Affected services',
      startedAt: 'Impact start',
      detectedAt: 'customfield_10041',
      acknowledgedAt: 'Acknowledged at',
      endedAt: 'Impact end',
      detectionMethod: 'Detection method',
      commander: 'Incident commander',
    },
    'America/Los_Angeles',
  );
  const severityMap = { 'Sev 1': 'P1' };

  it('reads every point from its field, in its own offset or, for a date, TIMEZONE', () => {
    const incident = toIncident(
      issue(
        'OPS-20',
        {
          customfield_10046: { value: 'Sev 1', id: '1' },
          customfield_10047: [{ value: 'api' }, { value: 'search' }],
          customfield_10040: '2026-10-01T09:30:00.000+0530',
          customfield_10041: '2026-10-01T00:10:00.000-0700',
          customfield_10042: '2026-10-01T07:20:00.000+0000',
          customfield_10043: '2026-10-02',
          customfield_10044: { value: 'Customer report' },
          customfield_10045: { accountId: 'abc', displayName: 'Priya Natarajan' },
          status: status('10001'),
          resolutiondate: '2026-10-01T12:00:00.000+0000',
        },
        [move('1', '2026-10-01T06:00:00.000Z', '10000', '3')],
      ),
      { ...ctx, severityMap },
    );
    expect(incident).toMatchObject({
      severity: 'P1',
      services: ['api', 'search'],
      startedAt: '2026-10-01T04:00:00.000Z',
      detectedAt: '2026-10-01T07:10:00.000Z',
      acknowledgedAt: '2026-10-01T07:20:00.000Z',
      resolvedAt: '2026-10-01T12:00:00.000Z',
      endedAt: '2026-10-02T07:00:00.000Z',
      detectionMethod: 'Customer report',
      detection: 'customer',
      commander: 'Priya Natarajan',
      placeAt: '2026-10-01T04:00:00.000Z',
      readProblems: [],
    });
  });

  it('leaves a point missing when its mapped field is empty: no fallback to created or the changelog', () => {
    const incident = toIncident(
      issue('OPS-21', { status: status('10001'), resolutiondate: '2026-10-01T12:00:00.000+0000' }, [
        move('1', '2026-10-01T06:00:00.000Z', '10000', '3'),
      ]),
      ctx,
    );
    expect(incident.startedAt).toBeNull();
    expect(incident.detectedAt).toBeNull();
    expect(incident.acknowledgedAt).toBeNull();
    expect(incident.endedAt).toBeNull();
    expect(incident.resolvedAt).toBe('2026-10-01T12:00:00.000Z');
    expect(incident.placeAt).toBe(incident.createdAt);
    expect(incident.detection).toBe('unknown');
    expect(incident.services).toEqual([]);
  });

  it('maps resolvedAt from a field when the config names one', () => {
    const withResolved = context({ resolvedAt: 'Resolved at' });
    const incident = toIncident(
      issue('OPS-22', {
        customfield_10048: '2026-10-03T10:00:00.000+0200',
        resolutiondate: '2026-10-01T12:00:00.000+0000',
        status: status('10001'),
      }),
      withResolved,
    );
    expect(incident.resolvedAt).toBe('2026-10-03T08:00:00.000Z');
    expect(incident.endedAt).toBe('2026-10-03T08:00:00.000Z');
  });

  it('stores an unreadable field as a missing point and reports it', () => {
    const incident = toIncident(
      issue('OPS-23', {
        customfield_10040: 'last tuesday',
        customfield_10041: { weird: true },
        customfield_10044: { value: 'Pager' },
        customfield_10046: true,
      }),
      ctx,
    );
    expect(incident.startedAt).toBeNull();
    expect(incident.detectedAt).toBeNull();
    expect(incident.severity).toBeNull();
    expect(incident.detection).toBe('unknown');
    expect(incident.readProblems).toEqual([
      { field: 'startedAt', reason: 'customfield_10040: not a date-time or date: "last tuesday"' },
      { field: 'detectedAt', reason: 'customfield_10041: not a date-time: an object with keys weird' },
      { field: 'severity', reason: 'customfield_10046: unrecognised value: boolean true' },
    ]);
  });
});

describe('action items', () => {
  const ctx = context();
  const incidents = new Set(['OPS-1', 'OPS-2', 'OPS-3']);
  const isIncident = (key: string) => incidents.has(key);
  const link = (direction: 'inwardIssue' | 'outwardIssue', key: string) => ({
    id: '1',
    type: { name: 'Relates', inward: 'relates to', outward: 'relates to' },
    [direction]: { id: '1', key, fields: { summary: key } },
  });

  it('belongs to its parent when the parent is an incident, even with incident links', () => {
    const fields = { parent: { id: '1', key: 'OPS-2' }, issuelinks: [link('outwardIssue', 'OPS-1')] };
    expect(owningIncident(fields, isIncident)).toBe('OPS-2');
  });

  it('else to the first link to an incident, in either direction, ignoring links to non-incidents', () => {
    expect(
      owningIncident(
        {
          parent: { key: 'REL-9' },
          issuelinks: [link('outwardIssue', 'REL-5'), link('inwardIssue', 'OPS-3'), link('outwardIssue', 'OPS-1')],
        },
        isIncident,
      ),
    ).toBe('OPS-3');
    expect(
      owningIncident({ issuelinks: [link('outwardIssue', 'OPS-1'), link('inwardIssue', 'OPS-3')] }, isIncident),
    ).toBe('OPS-1');
    expect(owningIncident({ issuelinks: [link('outwardIssue', 'REL-5')] }, isIncident)).toBeNull();
    expect(owningIncident({}, isIncident)).toBeNull();
  });

  it('reads owner, status, due date and labels', () => {
    const item = toActionItem(
      issue('REL-1', {
        assignee: { accountId: 'x', displayName: 'Sam Lee' },
        status: status('3'),
        duedate: '2026-11-20',
        labels: ['postmortem-action'],
        resolutiondate: '2026-10-05T10:00:00.000+0000',
        issuelinks: [link('inwardIssue', 'OPS-1')],
      }),
      ctx,
      isIncident,
    );
    expect(item).toMatchObject({
      key: 'REL-1',
      owner: 'Sam Lee',
      status: 'In Progress',
      statusCategory: 'indeterminate',
      jiraDueDate: '2026-11-20',
      labels: ['postmortem-action'],
      incidentKey: 'OPS-1',
      // An open item has no resolvedAt, whatever resolutiondate says.
      resolvedAt: null,
      documentRef: null,
    });
  });

  it("a done item's resolvedAt is resolutiondate, else its first move into Done", () => {
    const done = toActionItem(
      issue('REL-2', { status: status('10002'), resolutiondate: '2026-10-05T10:00:00.000-0700' }),
      ctx,
      isIncident,
    );
    expect(done.statusCategory).toBe('done');
    expect(done.resolvedAt).toBe('2026-10-05T17:00:00.000Z');
    const viaChangelog = toActionItem(
      issue('REL-3', { status: status('10001') }, [
        move('2', '2026-10-07T10:00:00.000Z', '3', '10001'),
        move('1', '2026-10-06T10:00:00.000Z', '10000', '3'),
      ]),
      ctx,
      isIncident,
    );
    expect(viaChangelog.resolvedAt).toBe('2026-10-07T10:00:00.000Z');
  });

  it('reports an unreadable due date and keeps the item', () => {
    const item = toActionItem(issue('REL-4', { duedate: 'next sprint' }), ctx, isIncident);
    expect(item.jiraDueDate).toBeNull();
    expect(item.readProblems).toEqual([
      { field: 'dueDate', reason: 'duedate: not a date (YYYY-MM-DD): "next sprint"' },
    ]);
  });
});
