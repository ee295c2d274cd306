import type { ActionItem, Incident, Severity } from '../../../server/domain/types.js';

export const SLA: Record<Severity, number> = { P0: 15, P1: 15, P2: 30, P3: 60, P4: 60 };

/** An incident with every point present unless overridden. placeAt follows the store's rule. */
export function incident(key: string, overrides: Partial<Incident> = {}): Incident {
  const base: Incident = {
    key,
    jiraId: null,
    source: 'jira',
    summary: `Incident ${key}`,
    url: `https://jira.example.test/browse/${key}`,
    status: 'Resolved',
    statusCategory: 'done',
    severity: 'P1',
    services: ['api'],
    detectionMethod: 'Monitoring alert',
    detection: 'automated',
    commander: 'Ada',
    createdAt: '2026-11-02T10:00:00.000Z',
    updatedAt: '2026-11-02T12:00:00.000Z',
    placeAt: '',
    timeline: [],
    readProblems: [],
    startedAt: '2026-11-02T10:00:00.000Z',
    detectedAt: '2026-11-02T10:05:00.000Z',
    acknowledgedAt: '2026-11-02T10:07:00.000Z',
    resolvedAt: '2026-11-02T11:00:00.000Z',
    endedAt: '2026-11-02T11:00:00.000Z',
    ...overrides,
  };
  return { ...base, placeAt: base.startedAt ?? base.createdAt };
}

export function actionItem(key: string, overrides: Partial<ActionItem> = {}): ActionItem {
  return {
    key,
    jiraId: null,
    summary: `Action ${key}`,
    incidentKey: 'OPS-1',
    owner: 'Grace',
    status: 'To Do',
    statusCategory: 'new',
    jiraDueDate: null,
    createdAt: '2026-11-03T09:00:00.000Z',
    updatedAt: '2026-11-03T09:00:00.000Z',
    resolvedAt: null,
    url: `https://jira.example.test/browse/${key}`,
    labels: ['postmortem-action'],
    documentRef: null,
    readProblems: [],
    ...overrides,
  };
}
