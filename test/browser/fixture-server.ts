/**
 * A stand-in API for the tab's browser tests when the real server cannot be assembled
 * (its routes live on other branches until they are merged): it serves the built tab from
 * build/tab and answers the API with small fixed data typed as the API's shapes.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ActionItemsResponse, IncidentDetailResponse, IncidentsResponse, MetricsResponse, TimeMetric } from '../../server/domain/api.js';
import type { ActionItemView, Incident } from '../../server/domain/types.js';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

const time = (median: number | null, p90: number | null, count: number): TimeMetric => ({
  count, missing: 1, invalid: 0, meanSeconds: median, medianSeconds: median, p90Seconds: p90,
});

function incident(key: string, severity: Incident['severity'], services: string[], startedAt: string): Incident {
  const start = Date.parse(startedAt);
  const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
  return {
    key, jiraId: key.replace(/\D/g, ''), source: 'jira', summary: `Outage ${key}`, url: `https://jira.example.test/browse/${key}`,
    status: 'Resolved', statusCategory: 'done', severity, services, detectionMethod: 'Monitoring alert', detection: 'automated',
    commander: 'Ada Lovelace', createdAt: startedAt, updatedAt: startedAt, placeAt: startedAt, timeline: [], readProblems: [],
    startedAt, detectedAt: at(5), acknowledgedAt: at(15), resolvedAt: at(120), endedAt: at(120),
  };
}

function item(key: string, incidentKey: string, owner: string | null, dueDate: string, daysOverdue: number, source: 'jira' | 'sla'): ActionItemView {
  return {
    key, jiraId: key.replace(/\D/g, ''), summary: `Fix ${key}`, incidentKey, owner, status: 'To Do', statusCategory: 'new',
    createdAt: '2026-10-01T00:00:00.000Z', updatedAt: '2026-10-01T00:00:00.000Z', resolvedAt: null,
    url: `https://jira.example.test/browse/${key}`, labels: ['postmortem-action'], documentRef: null, readProblems: [],
    dueDate, dueDateSource: source, daysOverdue,
  };
}

export function fixtureData(now: Date) {
  const day = 86_400_000;
  const iso = (daysAgo: number) => new Date(now.getTime() - daysAgo * day).toISOString();
  const incidents = [incident('OPS-1', 'P1', ['api'], iso(40)), incident('OPS-2', 'P0', ['api', 'db'], iso(20)), incident('OPS-3', 'P2', ['web'], iso(5))];
  const overdue = [item('ACT-2', 'OPS-1', 'Grace Hopper', '2026-10-20', 12, 'sla'), item('ACT-1', 'OPS-2', null, '2026-10-25', 7, 'jira'), item('ACT-9', 'OPS-3', 'Alan Turing', '2026-10-30', 2, 'jira')];
  const weeks = Array.from({ length: 13 }, (_, i) => new Date(now.getTime() - (12 - i) * 7 * day).toISOString().slice(0, 10));
  const metrics: MetricsResponse = {
    range: { from: iso(90), to: now.toISOString() },
    incidents: {
      total: 3, bySeverity: { P0: 1, P1: 1, P2: 1 }, byService: { api: 2, db: 1, web: 1 },
      byWeek: weeks.map((weekStart, i) => ({ weekStart, total: i === 6 ? 2 : i === 11 ? 1 : 0, bySeverity: i === 6 ? { P1: 1, P0: 1 } : i === 11 ? { P2: 1 } : {} })),
      byDetection: { automated: 3, customer: 0, internal: 0, unknown: 0 },
    },
    timeToDetect: time(300, 300, 3), timeToAcknowledge: time(600, 600, 3), timeToResolve: time(7200, 7200, 3),
    actionItems: { total: 5, open: 3, done: 2, overdue: 3, completionRate: 0.4, onTimeRate: 0.5, medianDaysToClose: 4 },
    previous: {
      range: { from: iso(180), to: iso(90) },
      incidents: { total: 5, bySeverity: {}, byService: {}, byWeek: [], byDetection: { automated: 0, customer: 0, internal: 0, unknown: 0 } },
      timeToDetect: time(600, 900, 5), timeToAcknowledge: time(600, 600, 5), timeToResolve: time(3600, 9000, 5),
      actionItems: { total: 4, open: 1, done: 3, overdue: 1, completionRate: 0.75, onTimeRate: 1, medianDaysToClose: 2 },
    },
    weekly: weeks.map((weekStart, i) => ({
      weekStart,
      timeToDetect: i === 6 ? time(300, 300, 2) : time(null, null, 0),
      timeToAcknowledge: i === 6 ? time(600, 600, 2) : time(null, null, 0),
      timeToResolve: i === 6 ? time(7200, 7200, 2) : time(null, null, 0),
      actionItemsOpened: i === 6 ? 3 : i === 11 ? 2 : 0, actionItemsClosed: i === 8 ? 2 : 0,
      actionItemsOpenAtEnd: i < 6 ? 0 : i < 8 ? 3 : i < 11 ? 1 : 3,
    })),
    dataQuality: { incidents: [{ key: 'OPS-3', url: 'https://jira.example.test/browse/OPS-3', problems: ['acknowledgedAt missing'] }], actionItems: [{ key: 'ACT-1', url: null, problems: ['no owner'] }] },
    formulas: { inRange: 'Incidents in [from, to).', timeToResolve: 'TTR = resolvedAt - startedAt.' },
  };
  return { metrics, incidents, overdue };
}

export async function startFixtureServer(tabDir: string): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const data = fixtureData(new Date());
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      if (path === '/api/metrics') return json(res, 200, { ...data.metrics, range: { from: url.searchParams.get('from'), to: url.searchParams.get('to') } });
      if (path === '/api/incidents') return json(res, 200, { items: data.incidents } satisfies IncidentsResponse);
      if (path === '/api/action-items') return json(res, 200, { items: url.searchParams.get('overdue') ? data.overdue : data.overdue } satisfies ActionItemsResponse);
      const markdown = /^\/api\/incidents\/([^/]+)\/postmortem\.md$/.exec(path);
      if (markdown) return res.writeHead(200, { 'Content-Type': 'text/markdown' }).end(`# Post-mortem: ${decodeURIComponent(markdown[1]!)}\n`);
      const detail = /^\/api\/incidents\/([^/]+)$/.exec(path);
      if (detail) {
        const found = data.incidents.find((i) => i.key === decodeURIComponent(detail[1]!));
        if (!found) return json(res, 404, { error: { code: 'not_found', message: 'No such incident.' } });
        return json(res, 200, { ...found, actionItems: data.overdue.filter((i) => i.incidentKey === found.key), postmortem: null } satisfies IncidentDetailResponse);
      }
      if (path.startsWith('/api/')) return json(res, 404, { error: { code: 'not_found', message: 'No such route.' } });
      const file = path === '/tab' || path === '/tab/' ? 'index.html' : path === '/tab/config' ? 'config.html' : path.replace(/^\/tab\//, '');
      const full = normalize(join(tabDir, file));
      if (!full.startsWith(tabDir)) return json(res, 404, {});
      try {
        const body = await readFile(full);
        res.writeHead(200, { 'Content-Type': TYPES[extname(full)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end('not found');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
