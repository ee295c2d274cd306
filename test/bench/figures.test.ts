import { describe, expect, it } from '@jest/globals';
import { apiFigures, freshFigures, newMetricsQueries, type LoadResult } from '../../bench/apiBench.js';
import { lastJsonLine } from '../../bench/children.js';
import { checkFigures } from '../../bench/report.js';
import { syncFigures, type SyncRunDetails } from '../../bench/syncBench.js';
import { tabFigures } from '../../bench/tabBench.js';

const byId = <T extends { id: string }>(figures: T[], id: string): T => {
  const found = figures.find((f) => f.id === id);
  if (!found) throw new Error(`no figure ${id}`);
  return found;
};

const run = (over: {
  wallMs: number;
  requests: number;
  latencySumMs: number;
  unchanged?: number;
  inserted?: number;
}): SyncRunDetails => ({
  child: {
    ok: true,
    error: null,
    wallMs: over.wallMs,
    requests: over.requests,
    retries: 0,
    incidents: { inserted: over.inserted ?? 10, updated: 0, unchanged: over.unchanged ?? 0 },
    actionItems: {
      inserted: over.inserted === undefined ? 50 : over.inserted * 5,
      updated: 0,
      unchanged: over.unchanged ?? 0,
    },
    maxRssBytes: 300 * 1024 * 1024,
  },
  jira: {
    requests: over.requests,
    latencySumMs: over.latencySumMs,
    byRoute: { 'POST /rest/api/3/search/jql': over.requests },
  },
});

describe('syncFigures', () => {
  it("divides the sync's wall time by Jira's own latency sum and counts requests per query", () => {
    const figures = checkFigures(
      syncFigures(
        'Sync',
        run({ wallMs: 1500, requests: 7, latencySumMs: 1000 }),
        run({ wallMs: 50, requests: 4, latencySumMs: 40, unchanged: 0, inserted: 0 }),
        { incidents: 10, actionItems: 50 },
        null,
      ),
    );
    expect(byId(figures, 'sync.latencyRatio')).toMatchObject({ value: 1.5, verdict: 'fail', target: { max: 1.2 } });
    expect(byId(figures, 'sync.unchanged.requestsPerQuery')).toMatchObject({ value: 2, verdict: 'pass' });
    expect(byId(figures, 'sync.peakRssMB').value).toBe(300);
    expect(byId(figures, 'sync.wallMs').note).toBe('stored 10 incidents, 50 action items');
    expect(byId(figures, 'sync.requests').note).toBe('POST /search/jql 7');
  });

  it('says when the first sync stored fewer records than were seeded', () => {
    const figures = syncFigures(
      'Sync',
      run({ wallMs: 1, requests: 1, latencySumMs: 1, inserted: 9 }),
      null,
      { incidents: 10, actionItems: 50 },
      'second sync crashed',
    );
    expect(byId(figures, 'sync.wallMs').note).toBe('stored 9 of 10 incidents and 45 of 50 action items');
    expect(byId(figures, 'sync.unchanged.requestsPerQuery')).toMatchObject({
      value: null,
      note: 'second sync crashed',
    });
  });

  it('marks both targets not measured when the sync failed', () => {
    const figures = checkFigures(
      syncFigures('Sync', null, null, { incidents: 1, actionItems: 1 }, 'the sync reported a failure: boom'),
    );
    expect(byId(figures, 'sync.latencyRatio')).toMatchObject({
      value: null,
      verdict: 'error',
      note: 'the sync reported a failure: boom',
    });
    expect(byId(figures, 'sync.unchanged.requestsPerQuery').verdict).toBe('error');
  });
});

const load = (over: Partial<LoadResult>): LoadResult => ({
  path: '/api/x',
  count: 1000,
  p50: 5,
  p95: 10,
  p99: 20,
  max: 30,
  requestsPerSecond: 500,
  non2xx: 0,
  errors: 0,
  ...over,
});

describe('apiFigures', () => {
  it('compares the p95 of metrics with the p95 of health', () => {
    const figures = checkFigures(
      apiFigures(
        'api',
        'API',
        {
          cold: { ms: 300, status: 200, bytes: 2048 },
          metrics: load({ p95: 18 }),
          health: load({ p95: 10 }),
          error: null,
        },
        50,
      ),
    );
    expect(byId(figures, 'api.p95Ratio')).toMatchObject({ value: 1.8, verdict: 'pass' });
    expect(byId(figures, 'api.metrics.p95Ms').value).toBe(18);
    expect(byId(figures, 'api.health.rps').value).toBe(500);
    expect(byId(figures, 'api.coldMetricsMs').value).toBe(300);
    expect(byId(figures, 'api.metricsBodyKB').value).toBe(2);
  });

  it('does not count a run whose answers were not all 2xx', () => {
    const figures = checkFigures(
      apiFigures(
        'api',
        'API',
        { cold: { ms: 3, status: 404, bytes: 10 }, metrics: load({ non2xx: 1000 }), health: load({}), error: null },
        50,
      ),
    );
    expect(byId(figures, 'api.p95Ratio')).toMatchObject({ value: null, verdict: 'error' });
    expect(byId(figures, 'api.metrics.p50Ms')).toMatchObject({ value: null, note: '1000 answers were not 2xx' });
    expect(byId(figures, 'api.coldMetricsMs')).toMatchObject({ value: null, note: 'answered 404' });
    expect(byId(figures, 'api.metricsBodyKB').value).toBeNull();
  });

  it('holds the ratio to its target only where one is given (the contract sets it at the product scale)', () => {
    const results = {
      cold: { ms: 300, status: 200, bytes: 2048 },
      metrics: load({ p95: 90 }),
      health: load({ p95: 10 }),
      error: null,
    };
    const five = byId(checkFigures(apiFigures('api', 'API', results, 50, null)), 'api.p95Ratio');
    expect(five).toMatchObject({ value: 9, verdict: 'info' });
    expect(five.note).toMatch(/product scale/);
    expect(byId(checkFigures(apiFigures('api', 'API', results, 50)), 'api.p95Ratio')).toMatchObject({
      value: 9,
      verdict: 'fail',
    });
  });

  it('carries the error when the run did not happen', () => {
    const figures = apiFigures(
      'mongo.api',
      'API (MongoDB)',
      { cold: null, metrics: null, health: null, error: 'server did not start' },
      50,
    );
    expect(byId(figures, 'mongo.api.p95Ratio')).toMatchObject({ value: null, note: 'server did not start' });
    expect(figures.every((f) => f.id.startsWith('mongo.api.'))).toBe(true);
  });
});

describe('tabFigures', () => {
  const budget = {
    limitBytes: 150 * 1024,
    totalGzipBytes: 100 * 1024,
    ok: true,
    files: [{ file: 'assets/index.js', bytes: 300_000, gzipBytes: 100 * 1024 }],
  };

  it('reports the gzip size in KB and the median load', () => {
    const figures = checkFigures(
      tabFigures(
        'Tab',
        budget,
        null,
        [
          { ms: 900, markMs: 900, problem: null },
          { ms: 700, markMs: 700, problem: null },
          { ms: 2000, markMs: 2000, problem: null },
        ],
        null,
      ),
    );
    expect(byId(figures, 'tab.jsGzipKB')).toMatchObject({
      value: 100,
      verdict: 'pass',
      note: 'assets/index.js 100.0 KB',
    });
    expect(byId(figures, 'tab.firstChartMs')).toMatchObject({
      value: 900,
      verdict: 'pass',
      note: "loads: 900, 700, 2000 ms (the tab's first-chart mark, with painted pixels checked)",
    });
  });

  it('says when loads were timed by painted pixels because the tab set no mark', () => {
    const figures = tabFigures('Tab', budget, null, [{ ms: 1600, markMs: null, paintedMs: 1600, problem: null }], null);
    expect(byId(figures, 'tab.firstChartMs')).toMatchObject({
      value: 1600,
      note: 'loads: 1600 ms (first frame with a painted chart canvas)',
    });
  });

  it('does not take a median over failed loads', () => {
    const figures = checkFigures(
      tabFigures(
        'Tab',
        null,
        'Over budget',
        [
          { ms: 500, problem: null },
          { ms: null, problem: 'Timeout' },
        ],
        null,
      ),
    );
    expect(byId(figures, 'tab.firstChartMs')).toMatchObject({
      value: null,
      verdict: 'error',
      note: '1 of 2 loads failed: Timeout',
    });
    expect(byId(figures, 'tab.jsGzipKB')).toMatchObject({ value: null, verdict: 'error', note: 'Over budget' });
  });

  it('says why the loads were skipped', () => {
    expect(byId(tabFigures('Tab', budget, null, [], 'Chromium not found'), 'tab.firstChartMs').note).toBe(
      'Chromium not found',
    );
  });
});

describe('lastJsonLine', () => {
  it('finds the last JSON object among log lines', () => {
    expect(lastJsonLine('starting\n{"a":1}\n{not json\n{"b":2}\ndone\n')).toEqual({ b: 2 });
    expect(lastJsonLine('nothing here')).toBeNull();
  });
});

describe('answers the cache cannot hold', () => {
  it('asks 30 different questions: windows, services and severities, none of them the default window', () => {
    const now = new Date('2026-12-01T00:00:00.000Z');
    const paths = newMetricsQueries(now, ['api', 'web', 'db']);
    expect(paths).toHaveLength(30);
    expect(new Set(paths).size).toBe(30);
    const params = paths.map((p) => new URLSearchParams(p.split('?')[1]));
    expect(params.every((q) => q.get('from') !== null && Date.parse(q.get('to') as string) < now.getTime())).toBe(true);
    expect(new Set(params.map((q) => q.get('service')))).toEqual(new Set([null, 'api', 'web', 'db']));
    expect(new Set(params.map((q) => q.get('severity'))).size).toBeGreaterThan(3);
  });

  it('reports the p95 of new queries, the median first answer after a change and the server RSS against their targets', () => {
    const summary = { count: 30, p50: 40, p95: 150, p99: 190, max: 200 };
    const figures = checkFigures(
      freshFigures('api', 'Fresh', {
        newQueries: summary,
        healthSequential: { ...summary, p95: 3 },
        afterChange: [30, 120, 40, 50, 60],
        afterChangeRacing: [300, 310, 290, 305, 700],
        changeToAnnounced: [900, 1200, 800, 1000, 1100],
        failures: [],
        serverPeakRssBytes: 1100 * 1024 * 1024,
        error: null,
      }),
    );
    expect(byId(figures, 'api.newQueries.p95Ms')).toMatchObject({ value: 150, verdict: 'pass' });
    expect(byId(figures, 'api.afterChange.ms')).toMatchObject({
      value: 50,
      verdict: 'pass',
      note: 'each: 30, 120, 40, 50, 60 ms',
    });
    // The request racing the write and the wait for the announcement are reported, without a target.
    expect(byId(figures, 'api.afterChangeRacing.ms')).toMatchObject({ value: 305, verdict: 'info' });
    expect(byId(figures, 'api.changeToAnnounced.ms')).toMatchObject({ value: 1000, verdict: 'info' });
    expect(byId(figures, 'api.serverPeakRssMB')).toMatchObject({ value: 1100, verdict: 'fail' });
  });

  it('does not count answers that were not 200', () => {
    const summary = { count: 30, p50: 1, p95: 1, p99: 1, max: 1 };
    const figures = checkFigures(
      freshFigures('api', 'Fresh', {
        newQueries: summary,
        healthSequential: summary,
        afterChange: [1],
        afterChangeRacing: [1],
        changeToAnnounced: [1],
        failures: ['/api/metrics?x answered 500'],
        serverPeakRssBytes: null,
        error: null,
      }),
    );
    expect(byId(figures, 'api.newQueries.p95Ms')).toMatchObject({
      value: null,
      verdict: 'error',
      note: '/api/metrics?x answered 500',
    });
    expect(byId(figures, 'api.afterChange.ms').verdict).toBe('error');
  });
});
