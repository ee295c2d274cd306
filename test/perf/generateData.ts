/** A deterministic, realistic-looking data set of any size, for speed measurements. */
import type { ActionItem, Incident, Severity } from '../../server/domain/types.js';
import { SEVERITIES } from '../../server/domain/types.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function generateData(
  incidentCount: number,
  itemCount: number,
  end: Date,
): { incidents: Incident[]; actionItems: ActionItem[] } {
  const rnd = random(42);
  const services = ['api', 'web', 'payments', 'search', 'auth', 'db', 'queue', 'mobile'];
  const detections = ['automated', 'customer', 'internal', 'unknown'] as const;
  const spanMs = 1000 * 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const incidents: Incident[] = [];
  for (let i = 0; i < incidentCount; i += 1) {
    const started = end.getTime() - rnd() * spanMs;
    const detected = started + rnd() * 3_600_000;
    const acknowledged = detected + rnd() * 1_800_000 - (rnd() < 0.02 ? 3_600_000 : 0);
    const resolved = rnd() < 0.05 ? null : started + rnd() * 86_400_000;
    const severity: Severity | null = rnd() < 0.05 ? null : (SEVERITIES[Math.floor(rnd() * 5)] as Severity);
    const startedAt = rnd() < 0.03 ? null : iso(started);
    incidents.push({
      key: `OPS-${i + 1}`,
      jiraId: String(10_000 + i),
      source: 'jira',
      summary: `Incident ${i + 1}`,
      url: `http://127.0.0.1/browse/OPS-${i + 1}`,
      status: resolved === null ? 'In Progress' : 'Resolved',
      statusCategory: resolved === null ? 'indeterminate' : 'done',
      severity,
      services: [
        services[Math.floor(rnd() * services.length)] as string,
        ...(rnd() < 0.3 ? [services[Math.floor(rnd() * services.length)] as string] : []),
      ],
      detectionMethod: null,
      detection: detections[Math.floor(rnd() * 4)] as (typeof detections)[number],
      commander: null,
      createdAt: iso(started + 60_000),
      updatedAt: iso(started + 120_000),
      placeAt: startedAt ?? iso(started + 60_000),
      timeline: [],
      readProblems: [],
      startedAt,
      detectedAt: rnd() < 0.03 ? null : iso(detected),
      acknowledgedAt: rnd() < 0.05 ? null : iso(acknowledged),
      resolvedAt: resolved === null ? null : iso(resolved),
      endedAt: resolved === null ? null : iso(resolved),
    });
  }
  const actionItems: ActionItem[] = [];
  for (let i = 0; i < itemCount; i += 1) {
    const incident = incidents[Math.floor(rnd() * incidents.length)] as Incident;
    const created = Date.parse(incident.createdAt) + rnd() * 5 * 86_400_000;
    const done = rnd() < 0.6;
    actionItems.push({
      key: `ACT-${i + 1}`,
      jiraId: String(100_000 + i),
      summary: `Action ${i + 1}`,
      incidentKey: rnd() < 0.02 ? null : incident.key,
      owner: rnd() < 0.05 ? null : `owner-${Math.floor(rnd() * 40)}`,
      status: done ? 'Done' : 'To Do',
      statusCategory: done ? 'done' : 'new',
      jiraDueDate: rnd() < 0.4 ? null : iso(created + rnd() * 60 * 86_400_000).slice(0, 10),
      createdAt: iso(created),
      updatedAt: iso(created),
      resolvedAt: done ? iso(created + rnd() * 50 * 86_400_000) : null,
      url: `http://127.0.0.1/browse/ACT-${i + 1}`,
      labels: ['postmortem-action'],
      documentRef: null,
      readProblems: [],
    });
  }
  return { incidents, actionItems };
}
