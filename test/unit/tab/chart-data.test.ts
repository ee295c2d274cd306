import { describe, it, expect } from '@jest/globals';
import type { MetricsResponse, TimeMetric } from '../../../server/domain/api.js';
import {
  actionItemsPerWeek,
  detectionCategories,
  incidentsByService,
  incidentsPerWeek,
  timePerWeek,
} from '../../../client/src/chart-data.js';

const none: TimeMetric = { count: 0, missing: 0, invalid: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null };
const t = (median: number, p90: number): TimeMetric => ({
  ...none,
  count: 2,
  meanSeconds: median,
  medianSeconds: median,
  p90Seconds: p90,
});

const metrics: MetricsResponse = {
  range: { from: '2026-11-02T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z' },
  incidents: {
    total: 4,
    bySeverity: { P0: 1, P2: 2, unknown: 1 },
    byService: { web: 1, api: 3, db: 0 },
    byWeek: [
      { weekStart: '2026-11-02', total: 3, bySeverity: { P0: 1, P2: 1, unknown: 1 } },
      { weekStart: '2026-11-09', total: 1, bySeverity: { P2: 1 } },
    ],
    byDetection: { automated: 3, customer: 1, internal: 0, unknown: 0 },
  },
  timeToDetect: none,
  timeToAcknowledge: none,
  timeToResolve: t(5400, 9000),
  actionItems: {
    total: 0,
    open: 0,
    done: 0,
    overdue: 0,
    completionRate: null,
    onTimeRate: null,
    medianDaysToClose: null,
  },
  weekly: [
    {
      weekStart: '2026-11-02',
      timeToDetect: t(60, 120),
      timeToAcknowledge: none,
      timeToResolve: t(3600, 7200),
      actionItemsOpened: 4,
      actionItemsClosed: 1,
      actionItemsOpenAtEnd: 3,
    },
    {
      weekStart: '2026-11-09',
      timeToDetect: none,
      timeToAcknowledge: none,
      timeToResolve: none,
      actionItemsOpened: 0,
      actionItemsClosed: 2,
      actionItemsOpenAtEnd: 1,
    },
  ],
};

describe('chart data from the metrics response', () => {
  it('stacks incidents per week by the severities that occur, zero where a week has none', () => {
    const spec = incidentsPerWeek(metrics);
    expect(spec.labels).toEqual(['2026-11-02', '2026-11-09']);
    expect(spec.series.map((s) => [s.label, s.data])).toEqual([
      ['P0', [1, 0]],
      ['P2', [1, 1]],
      ['unknown', [1, 0]],
    ]);
    expect(spec.stacked).toBe(true);
    expect(spec.summary).toBe('4 incidents over 2 weeks; busiest week 2026-11-02 with 3.');
  });

  it('shows the chosen time metric per week in hours, with gaps for weeks without values', () => {
    const spec = timePerWeek(metrics, 'timeToResolve');
    expect(spec.series.map((s) => [s.label, s.data])).toEqual([
      ['median', [1, null]],
      ['p90', [2, null]],
    ]);
    expect(spec.summary).toContain('window median 1.5 h, p90 2.5 h');
    expect(timePerWeek(metrics, 'timeToDetect').series[0]!.data).toEqual([60 / 3600, null]);
    expect(timePerWeek({ ...metrics, weekly: undefined }, 'timeToResolve').labels).toEqual([]);
  });

  it('draws action items opened and closed as bars and the backlog as a line', () => {
    const spec = actionItemsPerWeek(metrics);
    expect(spec.series.map((s) => [s.label, s.kind, s.data])).toEqual([
      ['opened', 'bar', [4, 0]],
      ['closed', 'bar', [1, 2]],
      ['open backlog', 'line', [3, 1]],
    ]);
    expect(spec.summary).toBe('4 opened and 3 closed over 2 weeks; 1 open at the end.');
  });

  it('sorts services by incidents, leaving out services without any', () => {
    const spec = incidentsByService(metrics);
    expect(spec.labels).toEqual(['api', 'web']);
    expect(spec.series[0]!.data).toEqual([3, 1]);
  });

  it('lists every detection category, even at zero', () => {
    const spec = detectionCategories(metrics);
    expect(spec.labels).toEqual(['automated', 'customer', 'internal', 'unknown']);
    expect(spec.series[0]!.data).toEqual([3, 1, 0, 0]);
    expect(spec.summary).toBe('3 of 4 incidents detected by automation.');
  });
});
