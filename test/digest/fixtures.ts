/**
 * Plain-data incidents and action items for the digest tests: a week of realistic
 * activity around 2026-W47 (16-22 Nov 2026) in Europe/Berlin.
 */
import type { ActionItem, Incident, Postmortem } from '../../server/domain/types.js';
import { emptyPostmortem } from '../../server/domain/postmortem.js';

export const ZONE = 'Europe/Berlin';
/** Monday 23 Nov 2026, 09:30 in Berlin: W47's digest is due (DIGEST_CRON 0 9 * * 1). */
export const NOW = new Date('2026-11-23T08:30:00.000Z');
export const SLA_DAYS = { P0: 15, P1: 15, P2: 30, P3: 60, P4: 60 };

export function incident(key: string, fields: Partial<Incident> = {}): Incident {
  const startedAt = fields.startedAt ?? '2026-11-17T10:00:00.000Z';
  const createdAt = fields.createdAt ?? startedAt ?? '2026-11-17T10:00:00.000Z';
  return {
    key,
    jiraId: key.replace(/\D/g, ''),
    source: 'jira',
    summary: `Incident ${key}`,
    url: `https://example.atlassian.net/browse/${key}`,
    status: 'Resolved',
    statusCategory: 'done',
    severity: 'P2',
    services: ['api'],
    detectionMethod: 'Monitoring alert',
    detection: 'automated',
    commander: 'Dana Commander',
    createdAt,
    updatedAt: createdAt,
    startedAt,
    detectedAt: null,
    acknowledgedAt: null,
    resolvedAt: null,
    endedAt: null,
    placeAt: startedAt ?? createdAt,
    timeline: [],
    readProblems: [],
    ...fields,
  };
}

export function actionItem(key: string, fields: Partial<ActionItem> = {}): ActionItem {
  return {
    key,
    jiraId: key.replace(/\D/g, ''),
    summary: `Action ${key}`,
    incidentKey: null,
    owner: 'Alex Owner',
    status: 'To Do',
    statusCategory: 'new',
    jiraDueDate: null,
    createdAt: '2026-11-17T12:00:00.000Z',
    updatedAt: '2026-11-17T12:00:00.000Z',
    resolvedAt: null,
    url: `https://example.atlassian.net/browse/${key}`,
    labels: ['postmortem-action'],
    documentRef: null,
    readProblems: [],
    ...fields,
  };
}

const at = (iso: string) => new Date(iso).toISOString();

/** W46 (9-15 Nov) and W47 (16-22 Nov), with a few older incidents for the overdue list. */
export function sampleData(): { incidents: Incident[]; actionItems: ActionItem[]; postmortems: Postmortem[] } {
  const incidents: Incident[] = [
    // W47: one P0 (resolved, post-mortem imported), one P1 (open), two P2.
    incident('OPS-101', {
      severity: 'P0',
      summary: 'Checkout API returned 500s for [EU] *all* customers',
      startedAt: at('2026-11-16T09:00:00Z'),
      detectedAt: at('2026-11-16T09:04:00Z'),
      acknowledgedAt: at('2026-11-16T09:10:00Z'),
      resolvedAt: at('2026-11-16T11:00:00Z'),
    }),
    incident('OPS-102', {
      severity: 'P1',
      status: 'Investigating',
      statusCategory: 'indeterminate',
      summary: 'Search latency above SLO',
      startedAt: at('2026-11-18T14:00:00Z'),
      detectedAt: at('2026-11-18T14:20:00Z'),
      acknowledgedAt: at('2026-11-18T14:25:00Z'),
    }),
    incident('OPS-103', {
      severity: 'P2',
      startedAt: at('2026-11-19T08:00:00Z'),
      detectedAt: at('2026-11-19T08:02:00Z'),
      acknowledgedAt: at('2026-11-19T08:30:00Z'),
      resolvedAt: at('2026-11-19T09:00:00Z'),
    }),
    incident('OPS-104', {
      severity: null,
      startedAt: at('2026-11-22T22:30:00Z'), // Sunday 23:30 in Berlin: still W47
      detectedAt: at('2026-11-22T22:31:00Z'),
    }),
    // W46: two incidents.
    incident('OPS-90', {
      severity: 'P1',
      startedAt: at('2026-11-10T10:00:00Z'),
      detectedAt: at('2026-11-10T10:30:00Z'),
      acknowledgedAt: at('2026-11-10T10:40:00Z'),
      resolvedAt: at('2026-11-10T14:00:00Z'),
    }),
    incident('OPS-91', {
      severity: 'P2',
      startedAt: at('2026-11-12T10:00:00Z'),
      detectedAt: at('2026-11-12T10:10:00Z'),
      acknowledgedAt: at('2026-11-12T10:12:00Z'),
      resolvedAt: at('2026-11-12T10:40:00Z'),
    }),
    // Older: the source of overdue items.
    incident('OPS-50', {
      severity: 'P1',
      startedAt: at('2026-09-01T10:00:00Z'),
      detectedAt: at('2026-09-01T10:05:00Z'),
      acknowledgedAt: at('2026-09-01T10:06:00Z'),
      resolvedAt: at('2026-09-01T12:00:00Z'),
    }),
    // Next week (W48): must not count in W47.
    incident('OPS-110', { severity: 'P0', startedAt: at('2026-11-22T23:30:00Z') }),
  ];
  const actionItems: ActionItem[] = [
    actionItem('ACT-1', {
      incidentKey: 'OPS-101',
      createdAt: at('2026-11-16T12:00:00Z'),
      jiraDueDate: '2026-11-20',
      owner: 'Priya',
    }),
    actionItem('ACT-2', {
      incidentKey: 'OPS-101',
      createdAt: at('2026-11-16T12:00:00Z'),
      statusCategory: 'done',
      status: 'Done',
      resolvedAt: at('2026-11-18T12:00:00Z'),
      jiraDueDate: '2026-11-25',
    }),
    actionItem('ACT-3', {
      incidentKey: 'OPS-90',
      createdAt: at('2026-11-11T09:00:00Z'),
      jiraDueDate: '2026-11-13',
      owner: 'Sam',
    }),
    actionItem('ACT-4', {
      incidentKey: 'OPS-90',
      createdAt: at('2026-11-11T09:00:00Z'),
      statusCategory: 'done',
      status: 'Done',
      resolvedAt: at('2026-11-19T09:00:00Z'),
      jiraDueDate: '2026-11-14',
    }),
    actionItem('ACT-5', { incidentKey: 'OPS-50', createdAt: at('2026-09-02T09:00:00Z'), owner: null }), // SLA due 2026-09-16
    actionItem('ACT-6', {
      incidentKey: 'OPS-50',
      createdAt: at('2026-09-02T09:00:00Z'),
      jiraDueDate: '2026-10-01',
      owner: 'Lee',
    }),
    actionItem('ACT-7', {
      incidentKey: 'OPS-50',
      createdAt: at('2026-09-02T09:00:00Z'),
      jiraDueDate: '2026-10-01',
      owner: 'Kim',
    }),
    actionItem('ACT-8', {
      incidentKey: null,
      createdAt: at('2026-10-02T09:00:00Z'),
      jiraDueDate: '2026-11-02',
      owner: 'Ola',
    }),
    actionItem('ACT-9', {
      incidentKey: 'OPS-50',
      createdAt: at('2026-09-02T09:00:00Z'),
      jiraDueDate: '2026-11-20',
      owner: 'Mo',
    }),
  ];
  const postmortems: Postmortem[] = [postmortem('OPS-101', '2026-11-19T15:00:00.000Z')];
  return { incidents, actionItems, postmortems };
}

export function postmortem(incidentKey: string, importedAt: string): Postmortem {
  const empty = emptyPostmortem(incidentKey, importedAt);
  return { ...empty, summary: { ...empty.summary, incidentId: incidentKey } };
}
