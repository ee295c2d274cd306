/**
 * The tab's preset windows end at the start of the minute, so loads a few seconds apart
 * ask the server the same question and MetricsService answers the second from its cache.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DEFAULT_STATE, windowRange } from '../../client/src/view-state.js';
import { makeIncident } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';

let clock = new Date('2026-11-20T12:00:10.000Z');
let t: TestApp;
const now = () => clock;

beforeAll(async () => {
  t = await testApp({ TIMEZONE: 'UTC' }, { now });
  await t.store.upsertIncidents([
    makeIncident({ key: 'OPS-1', startedAt: '2026-11-10T00:00:00.000Z', detectedAt: '2026-11-10T00:01:00.000Z' }),
  ]);
});
afterAll(() => t.close());

async function tabLoad(window: '30' | '90' | '180', at: string): Promise<void> {
  clock = new Date(at);
  const range = windowRange({ ...DEFAULT_STATE, window }, clock);
  const query = `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
  await request(t.app).get(`/api/metrics?${query}`).expect(200);
  await request(t.app).get(`/api/incidents?${query}`).expect(200);
}

describe('the tab and the server cache', () => {
  it('answers a second load of a preset window within the minute from the cache', async () => {
    const service = t.metrics;
    await tabLoad('30', '2026-11-20T12:00:10.000Z');
    const afterFirst = service.stats.computations;
    expect(afterFirst).toBeGreaterThan(0);
    await tabLoad('30', '2026-11-20T12:00:14.500Z');
    await tabLoad('30', '2026-11-20T12:00:59.999Z');
    expect(service.stats.computations).toBe(afterFirst);
    // the next minute is a new question
    await tabLoad('30', '2026-11-20T12:01:00.000Z');
    expect(service.stats.computations).toBeGreaterThan(afterFirst);
  });
});
