/**
 * The "done when" check of the metrics API: the sample Jira is synced into an embedded
 * store, and every number GET /api/metrics returns is compared with the plain reference
 * implementation in test/helpers/referenceMetrics.ts (Intl and loops; no code shared with
 * server/metrics). A second sync after a change in Jira must move the numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DataQualityResponse, MetricsResponse } from '../../server/domain/api.js';
import type { ActionItem, Incident } from '../../server/domain/types.js';
import { createJiraReader } from '../../server/jira/jiraJsReader.js';
import { parseConfigFileObject } from '../../server/config/config.js';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { runSync } from '../../server/sync/runSync.js';
import { DATA_QUALITY_PREVIEW } from '../../server/metrics/index.js';
import type { SyncSettings } from '../../server/sync/runSync.js';
import { expectSameNumbers } from '../helpers/compareNumbers.js';
import { referenceMetrics } from '../helpers/referenceMetrics.js';
import { testApp, type TestApp } from '../support/app.js';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const ZONE = 'Europe/Berlin';
let jira: SampleJira;
let t: TestApp;
let settings: SyncSettings;

async function sync(): Promise<void> {
  const reader = createJiraReader({ baseUrl: jira.url, email: jira.email, apiToken: jira.apiToken });
  const run = await runSync({ store: t.store, jira: reader, settings }, NOW);
  expect(run.error).toBeNull();
  expect(run.ok).toBe(true);
}

async function stored(): Promise<{ incidents: Incident[]; items: ActionItem[] }> {
  return { incidents: await t.store.findIncidents({}), items: await t.store.findActionItems({}) };
}

beforeAll(async () => {
  jira = await startSampleJira({ now: NOW });
  t = await testApp({ TIMEZONE: ZONE }, { now: () => NOW });
  // The sample's own demo mapping (custom fields by display name), as demo mode uses it.
  settings = { timezone: ZONE, baseUrl: jira.url, jira: parseConfigFileObject(demoConfig).mapping };
  await sync();
});

afterAll(async () => {
  await t?.close();
  await jira?.close();
});

const DAY = 86_400_000;
const queries: Array<{ name: string; query: string; from: number; to: number; service?: string; severity?: string }> = [
  { name: 'default (last 90 days)', query: '', from: NOW.getTime() - 90 * DAY, to: NOW.getTime() },
  {
    name: 'a year',
    query: `from=${new Date(NOW.getTime() - 365 * DAY).toISOString()}&to=${NOW.toISOString()}`,
    from: NOW.getTime() - 365 * DAY,
    to: NOW.getTime(),
  },
  {
    name: 'the spring DST change, service checkout',
    query: 'from=2026-03-01T00:00:00Z&to=2026-05-01T00:00:00Z&service=checkout',
    from: Date.parse('2026-03-01T00:00:00Z'),
    to: Date.parse('2026-05-01T00:00:00Z'),
    service: 'checkout',
  },
  {
    name: '180 days, severity P1',
    query: `from=${new Date(NOW.getTime() - 180 * DAY).toISOString()}&to=${NOW.toISOString()}&severity=P1`,
    from: NOW.getTime() - 180 * DAY,
    to: NOW.getTime(),
    severity: 'P1',
  },
  {
    name: '180 days, severity unknown',
    query: `from=${new Date(NOW.getTime() - 180 * DAY).toISOString()}&to=${NOW.toISOString()}&severity=unknown`,
    from: NOW.getTime() - 180 * DAY,
    to: NOW.getTime(),
    severity: 'unknown',
  },
];

describe('GET /api/metrics over the synced sample Jira', () => {
  it('the sample has the awkward cases the check must cover', async () => {
    const { incidents, items } = await stored();
    expect(incidents.length).toBeGreaterThan(100);
    expect(items.length).toBeGreaterThan(300);
    const m = (await request(t.app).get(`/api/metrics?${queries[1]!.query}`).expect(200)).body as MetricsResponse;
    expect(m.timeToResolve.missing).toBeGreaterThan(0);
    expect(m.incidents.total).toBeGreaterThan(50);
    expect(m.actionItems.overdue).toBeGreaterThan(0);
    expect(m.actionItems.done).toBeGreaterThan(0);
  });

  it('the sample shows both insights: late fixes hit by later incidents, a real change and noise', async () => {
    const m = (await request(t.app).get('/api/metrics').expect(200)).body as MetricsResponse;
    expect(m.recurrence?.behindOverdueFix).toBeGreaterThan(0);
    expect(m.recurrence?.items[0]?.incidents.length).toBeGreaterThan(1);
    // The seed's runbook rollout halved TTR: significant; the incident count moved within noise.
    expect(m.change?.timeToResolve.significant).toBe(true);
    expect(m.change?.incidents.significant).toBe(false);
    expect(m.change?.incidents.p).toBeGreaterThan(0.05);
  });

  it.each(queries)('every number agrees with the reference: $name', async ({ query, from, to, service, severity }) => {
    const res = await request(t.app)
      .get(`/api/metrics${query ? `?${query}` : ''}`)
      .expect(200);
    const actual = res.body as MetricsResponse;
    const { incidents, items } = await stored();
    const expected = referenceMetrics(incidents, items, {
      from,
      to,
      now: NOW.getTime(),
      zone: ZONE,
      sla: t.config.actionItemSlaDays,
      ...(service ? { service } : {}),
      ...(severity ? { severity } : {}),
    });
    const { dataQuality, ...numbers } = expected;
    const { dataQuality: actualQuality, formulas: _formulas, ...actualNumbers } = actual;
    const compared = expectSameNumbers(actualNumbers, numbers);
    expect(compared).toBeGreaterThan(100);
    // /api/metrics carries the first entries and the totals; /api/data-quality the full lists.
    expect(actualQuality?.totals).toEqual({
      incidents: dataQuality.incidents.length,
      actionItems: dataQuality.actionItems.length,
    });
    const full = (
      await request(t.app)
        .get(`/api/data-quality${query ? `?${query}` : ''}`)
        .expect(200)
    ).body as DataQualityResponse;
    const keysOf = (kind: string) => full.items.filter((i) => i.kind === kind).map((i) => i.key);
    expect({ incidents: keysOf('incident').sort(), actionItems: keysOf('actionItem').sort() }).toEqual({
      incidents: [...dataQuality.incidents].sort(),
      actionItems: [...dataQuality.actionItems].sort(),
    });
    expect(actualQuality?.incidents.map((i) => i.key)).toEqual(keysOf('incident').slice(0, DATA_QUALITY_PREVIEW));
    expect(actualQuality?.actionItems.map((i) => i.key)).toEqual(keysOf('actionItem').slice(0, DATA_QUALITY_PREVIEW));
  });

  it('a sync that changes Jira invalidates the cache', async () => {
    const before = (await request(t.app).get(`/api/metrics?${queries[1]!.query}`).expect(200)).body as MetricsResponse;
    const versionBefore = await t.store.dataVersion();
    // close every open action item of one incident in range in Jira, then sync
    const { incidents, items } = await stored();
    const target = incidents.find(
      (incident) =>
        Date.parse(incident.placeAt) >= queries[1]!.from &&
        items.some((item) => item.incidentKey === incident.key && item.statusCategory !== 'done'),
    );
    expect(target).toBeDefined();
    const open = items.filter((item) => item.incidentKey === target!.key && item.statusCategory !== 'done');
    for (const item of open) jira.data.transition(item.key, 'Done', { at: new Date(NOW.getTime() - 60_000) });
    await sync();
    expect(await t.store.dataVersion()).not.toBe(versionBefore);

    const after = (await request(t.app).get(`/api/metrics?${queries[1]!.query}`).expect(200)).body as MetricsResponse;
    expect(after.actionItems.done).toBe(before.actionItems.done + open.length);
    expect(after.actionItems.open).toBe(before.actionItems.open - open.length);
    const fresh = await stored();
    const expected = referenceMetrics(fresh.incidents, fresh.items, {
      from: queries[1]!.from,
      to: queries[1]!.to,
      now: NOW.getTime(),
      zone: ZONE,
      sla: t.config.actionItemSlaDays,
    });
    expectSameNumbers(after.actionItems, expected.actionItems);
  });
});
