/**
 * GET /api/metrics carries the first DATA_QUALITY_PREVIEW entries of each data-quality
 * list and their totals; GET /api/data-quality serves the full lists, same filters, paged.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DataQualityResponse, MetricsResponse } from '../../server/domain/api.js';
import { DATA_QUALITY_PREVIEW } from '../../server/metrics/index.js';
import { makeActionItem, makeIncident } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const RANGE = 'from=2026-11-01T00:00:00Z&to=2026-11-15T00:00:00Z';
let t: TestApp;

const pad = (n: number) => String(n).padStart(2, '0');
// 30 incidents without a startedAt, one per 8 hours from 2026-11-02 (newest last), half on "web".
const at = (i: number, minutes: number) =>
  new Date(Date.parse('2026-11-02T00:00:00.000Z') + (29 - i) * 8 * 3_600_000 + minutes * 60_000).toISOString();
const badIncidents = Array.from({ length: 30 }, (_, i) =>
  makeIncident({
    key: `OPS-${pad(i)}`,
    services: [i % 2 ? 'web' : 'api'],
    startedAt: null,
    createdAt: at(i, 0),
    detectedAt: at(i, 0),
    acknowledgedAt: at(i, 5),
    resolvedAt: at(i, 60),
    endedAt: at(i, 60),
  }),
);
const goodIncident = makeIncident({
  key: 'OPS-99',
  startedAt: '2026-11-03T00:00:00.000Z',
  detectedAt: '2026-11-03T00:05:00.000Z',
  acknowledgedAt: '2026-11-03T00:06:00.000Z',
  resolvedAt: '2026-11-03T01:00:00.000Z',
  endedAt: '2026-11-03T01:00:00.000Z',
});
// 45 action items without an owner on the good incident.
const badItems = Array.from({ length: 45 }, (_, i) =>
  makeActionItem({ key: `ACT-${pad(i)}`, incidentKey: 'OPS-99', owner: null }),
);

beforeAll(async () => {
  t = await testApp({ TIMEZONE: 'UTC' }, { now: () => NOW });
  await t.store.upsertIncidents([...badIncidents, goodIncident]);
  await t.store.upsertActionItems(badItems);
});
afterAll(() => t.close());

async function full(query: string): Promise<DataQualityResponse> {
  return (await request(t.app).get(`/api/data-quality?${query}`).expect(200)).body as DataQualityResponse;
}

describe('GET /api/metrics: dataQuality', () => {
  it('carries the first entries of each list, in order, and the totals', async () => {
    const m = (await request(t.app).get(`/api/metrics?${RANGE}`).expect(200)).body as MetricsResponse;
    const all = await full(RANGE);
    expect(DATA_QUALITY_PREVIEW).toBe(20);
    expect(m.dataQuality?.totals).toEqual({ incidents: 30, actionItems: 45 });
    expect(m.dataQuality?.incidents).toHaveLength(DATA_QUALITY_PREVIEW);
    expect(m.dataQuality?.actionItems).toHaveLength(DATA_QUALITY_PREVIEW);
    const strip = ({ kind: _kind, ...entry }: DataQualityResponse['items'][number]) => entry;
    expect(m.dataQuality?.incidents).toEqual(
      all.items
        .filter((e) => e.kind === 'incident')
        .slice(0, DATA_QUALITY_PREVIEW)
        .map(strip),
    );
    expect(m.dataQuality?.actionItems).toEqual(
      all.items
        .filter((e) => e.kind === 'actionItem')
        .slice(0, DATA_QUALITY_PREVIEW)
        .map(strip),
    );
    expect(m.dataQuality?.actionItems[0]).toEqual({
      key: 'ACT-00',
      url: 'https://example.atlassian.net/browse/ACT-00',
      problems: ['no owner'],
    });
  });
});

describe('GET /api/data-quality', () => {
  it('serves every entry: incidents in place order, then action items by key', async () => {
    const all = await full(RANGE);
    expect(all.totals).toEqual({ incidents: 30, actionItems: 45 });
    expect(all.nextCursor).toBeUndefined();
    expect(all.items).toHaveLength(75);
    // placeAt grows as the index falls: OPS-29 is the oldest.
    expect(all.items.slice(0, 3).map((e) => e.key)).toEqual(['OPS-29', 'OPS-28', 'OPS-27']);
    expect(all.items[29]).toEqual({
      kind: 'incident',
      key: 'OPS-00',
      url: 'https://example.atlassian.net/browse/OPS-00',
      problems: ['startedAt is missing'],
    });
    expect(all.items.slice(30).map((e) => e.key)).toEqual(badItems.map((item) => item.key));
    expect(all.items.slice(30).every((e) => e.kind === 'actionItem')).toBe(true);
  });

  it('takes the filters of /api/metrics and defaults to the last 90 days', async () => {
    const web = await full(`${RANGE}&service=web`);
    expect(web.totals).toEqual({ incidents: 15, actionItems: 0 });
    expect(web.items.every((e) => Number(e.key.slice(4)) % 2 === 1)).toBe(true);
    expect((await full(`${RANGE}&severity=P0`)).totals).toEqual({ incidents: 0, actionItems: 0 });
    expect((await full('')).totals).toEqual({ incidents: 30, actionItems: 45 });
    expect((await full('from=2026-11-16T00:00:00Z&to=2026-11-20T00:00:00Z')).items).toEqual([]);
  });

  it('pages with limit and nextCursor across both lists', async () => {
    const all = await full(RANGE);
    const keys: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const answer = await full(`${RANGE}&limit=20${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.totals).toEqual(all.totals);
      keys.push(...answer.items.map((e) => e.key));
      cursor = answer.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    expect(keys).toEqual(all.items.map((e) => e.key));
  });

  it.each([
    ['kind=incident', 'kind', /Unknown query parameter "kind"/],
    ['limit=0', 'limit', /whole number from 1/],
    ['cursor=not%20a%20cursor', 'cursor', /nextCursor/],
    ['cursor=bm9wZQ', 'cursor', /nextCursor/],
    ['from=2026-11-15T00:00:00Z&to=2026-11-01T00:00:00Z', 'from', /before "to"/],
    ['severity=P9', 'severity', /P0, P1, P2, P3, P4, unknown/],
  ])('refuses ?%s with a 400 naming %s', async (query, parameter, message) => {
    const res = await request(t.app).get(`/api/data-quality?${query}`).expect(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toContain(`"${parameter}"`);
    expect(res.body.error.message).toMatch(message);
  });

  it('shares the cached computation with /api/metrics', async () => {
    const service = t.metrics;
    const query = 'from=2026-11-01T00:00:00Z&to=2026-11-14T00:00:00Z';
    await request(t.app).get(`/api/metrics?${query}`).expect(200);
    const before = service.stats.computations;
    await full(query);
    // the list and its page are derived from the cached metrics; the metrics are not computed again
    expect(service.stats.computations - before).toBe(2);
    await full(query);
    await request(t.app).get(`/api/metrics?${query}`).expect(200);
    expect(service.stats.computations - before).toBe(2);
  });
});

describe('sending cached answers', () => {
  it('sends the bytes with their length and ETag, 304 for a matching If-None-Match, headers only for HEAD', async () => {
    // As they are (compression: test/api/metrics.test.ts).
    const first = await request(t.app)
      .get(`/api/metrics?${RANGE}`)
      .set('Accept-Encoding', 'identity')
      .expect(200)
      .expect('Content-Type', 'application/json; charset=utf-8');
    expect(Number(first.headers['content-length'])).toBe(Buffer.byteLength(first.text));
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    const again = await request(t.app).get(`/api/metrics?${RANGE}`).expect(200);
    expect(again.headers.etag).toBe(etag);
    expect(again.text).toBe(first.text);
    const notModified = await request(t.app).get(`/api/metrics?${RANGE}`).set('If-None-Match', etag).expect(304);
    expect(notModified.text).toBe('');
    await request(t.app).get(`/api/metrics?${RANGE}`).set('If-None-Match', 'W/"other"').expect(200);
    const head = await request(t.app).head(`/api/metrics?${RANGE}`).set('Accept-Encoding', 'identity').expect(200);
    expect(head.headers['content-length']).toBe(first.headers['content-length']);
    expect(head.headers.etag).toBe(etag);
  });
});
