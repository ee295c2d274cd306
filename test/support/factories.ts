/** Builders for domain objects in tests: realistic defaults, override what the test is about. */
import type { ActionItem, Incident, SyncRun } from '../../server/domain/types.js';

export function makeIncident(overrides: Partial<Incident> & { key: string }): Incident {
  const createdAt = overrides.createdAt ?? '2026-10-01T09:00:00.000Z';
  return {
    jiraId: '10001',
    source: 'jira',
    summary: `Incident ${overrides.key}`,
    url: `https://example.atlassian.net/browse/${overrides.key}`,
    status: 'Resolved',
    statusCategory: 'done',
    severity: 'P1',
    services: ['api'],
    detectionMethod: 'Monitoring alert',
    detection: 'automated',
    commander: 'Dana Reyes',
    createdAt,
    updatedAt: createdAt,
    startedAt: null,
    detectedAt: null,
    acknowledgedAt: null,
    resolvedAt: null,
    endedAt: null,
    timeline: [],
    readProblems: [],
    ...overrides,
    placeAt: overrides.startedAt ?? createdAt,
  };
}

export function makeActionItem(overrides: Partial<ActionItem> & { key: string }): ActionItem {
  const createdAt = overrides.createdAt ?? '2026-10-02T10:00:00.000Z';
  return {
    jiraId: '20001',
    summary: `Action ${overrides.key}`,
    incidentKey: null,
    owner: 'Sam Lee',
    status: 'To Do',
    statusCategory: 'new',
    jiraDueDate: null,
    createdAt,
    updatedAt: createdAt,
    resolvedAt: null,
    url: `https://example.atlassian.net/browse/${overrides.key}`,
    labels: ['postmortem-action'],
    documentRef: null,
    readProblems: [],
    ...overrides,
  };
}

/** A successful incremental sync run that finished at `finishedAt` (a second after it started). */
export function makeSyncRun(overrides: Partial<SyncRun> & { finishedAt: string }): SyncRun {
  return {
    startedAt: overrides.finishedAt,
    ok: true,
    full: false,
    incidents: { inserted: 0, updated: 0, unchanged: 0 },
    actionItems: { inserted: 0, updated: 0, unchanged: 0 },
    requests: 1,
    retries: 0,
    problems: [],
    error: null,
    ...overrides,
  };
}
