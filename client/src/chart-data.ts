/**
 * What each chart shows, as plain data built from the metrics response. The chart and its
 * text alternative (a table) are both drawn from these, so they cannot disagree.
 */
import type { MetricsResponse, TimeMetric } from '../../server/domain/api.js';
import type { DetectionCategory, SeverityKey } from '../../server/domain/types.js';
import { SEVERITY_KEYS, type TimeMetricName } from './view-state.js';

export type SeriesColour = SeverityKey | 'median' | 'p90' | 'opened' | 'closed' | 'backlog' | 'count';

export interface Series {
  label: string;
  kind: 'bar' | 'line';
  colour: SeriesColour;
  data: Array<number | null>;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** One sentence describing the data, for screen readers and the canvas label. */
  summary: string;
  labels: string[];
  series: Series[];
  stacked: boolean;
  horizontal: boolean;
  /** Unit of the values, shown on the axis and in the table header. */
  unit: string;
}

export const TIME_METRIC_LABELS: Record<TimeMetricName, { short: string; long: string }> = {
  timeToDetect: { short: 'TTD', long: 'Time to detect' },
  timeToAcknowledge: { short: 'TTA', long: 'Time to acknowledge' },
  timeToResolve: { short: 'TTR', long: 'Time to resolve' },
};

/** The time metrics in the order an incident goes through them: detect, acknowledge, resolve. */
export const TIME_METRIC_ORDER: readonly TimeMetricName[] = ['timeToDetect', 'timeToAcknowledge', 'timeToResolve'];

const DETECTION: DetectionCategory[] = ['automated', 'customer', 'internal', 'unknown'];

const hours = (seconds: number | null): number | null => (seconds == null ? null : seconds / 3600);

export function incidentsPerWeek(metrics: MetricsResponse): ChartSpec {
  const weeks = metrics.incidents.byWeek;
  const present = SEVERITY_KEYS.filter((sev) => weeks.some((w) => (w.bySeverity[sev] ?? 0) > 0));
  const busiest = weeks.reduce<{ weekStart: string; total: number } | null>(
    (best, w) => (best == null || w.total > best.total ? w : best),
    null,
  );
  return {
    id: 'incidents-per-week',
    title: 'Incidents per week, by severity',
    summary:
      `${metrics.incidents.total} incidents over ${weeks.length} weeks` +
      (busiest && busiest.total > 0 ? `; busiest week ${busiest.weekStart} with ${busiest.total}.` : '.'),
    labels: weeks.map((w) => w.weekStart),
    series: present.map((sev) => ({
      label: sev,
      kind: 'bar',
      colour: sev,
      data: weeks.map((w) => w.bySeverity[sev] ?? 0),
    })),
    stacked: true,
    horizontal: false,
    unit: 'incidents',
  };
}

export function timePerWeek(metrics: MetricsResponse, metric: TimeMetricName): ChartSpec {
  const weekly = metrics.weekly ?? [];
  const name = TIME_METRIC_LABELS[metric];
  const pick = (m: TimeMetric) => m;
  const overall = metrics[metric];
  return {
    id: 'time-per-week',
    title: `${name.long} (${name.short}) per week, median and p90`,
    summary: weekly.length
      ? `${name.long} over ${weekly.length} weeks; window median ${fmtHours(hours(overall.medianSeconds))}, p90 ${fmtHours(hours(overall.p90Seconds))}.`
      : 'The server did not report per-week times.',
    labels: weekly.map((w) => w.weekStart),
    series: [
      {
        label: 'median',
        kind: 'line',
        colour: 'median',
        data: weekly.map((w) => hours(pick(w[metric]).medianSeconds)),
      },
      { label: 'p90', kind: 'line', colour: 'p90', data: weekly.map((w) => hours(pick(w[metric]).p90Seconds)) },
    ],
    stacked: false,
    horizontal: false,
    unit: 'hours',
  };
}

export function actionItemsPerWeek(metrics: MetricsResponse): ChartSpec {
  const weekly = metrics.weekly ?? [];
  const opened = weekly.reduce((n, w) => n + w.actionItemsOpened, 0);
  const closed = weekly.reduce((n, w) => n + w.actionItemsClosed, 0);
  const last = weekly[weekly.length - 1];
  return {
    id: 'action-items-per-week',
    title: 'Action items opened vs closed per week, with open backlog',
    summary: weekly.length
      ? `${opened} opened and ${closed} closed over ${weekly.length} weeks; ${last?.actionItemsOpenAtEnd ?? 0} open at the end.`
      : 'The server did not report action items per week.',
    labels: weekly.map((w) => w.weekStart),
    series: [
      { label: 'opened', kind: 'bar', colour: 'opened', data: weekly.map((w) => w.actionItemsOpened) },
      { label: 'closed', kind: 'bar', colour: 'closed', data: weekly.map((w) => w.actionItemsClosed) },
      { label: 'open backlog', kind: 'line', colour: 'backlog', data: weekly.map((w) => w.actionItemsOpenAtEnd) },
    ],
    stacked: false,
    horizontal: false,
    unit: 'action items',
  };
}

export function incidentsByService(metrics: MetricsResponse): ChartSpec {
  const entries = Object.entries(metrics.incidents.byService)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const top = entries[0];
  return {
    id: 'incidents-by-service',
    title: 'Incidents by service',
    summary: top
      ? `${entries.length} services; most incidents: ${top[0]} (${top[1]}).`
      : 'No incidents with a service.',
    labels: entries.map(([name]) => name),
    series: [{ label: 'incidents', kind: 'bar', colour: 'count', data: entries.map(([, n]) => n) }],
    stacked: false,
    horizontal: true,
    unit: 'incidents',
  };
}

export function detectionCategories(metrics: MetricsResponse): ChartSpec {
  const counts = DETECTION.map((c) => metrics.incidents.byDetection[c] ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  const automated = metrics.incidents.byDetection.automated ?? 0;
  return {
    id: 'detection-categories',
    title: 'How incidents were detected',
    summary: total ? `${automated} of ${total} incidents detected by automation.` : 'No incidents.',
    labels: DETECTION,
    series: [{ label: 'incidents', kind: 'bar', colour: 'count', data: counts }],
    stacked: false,
    horizontal: true,
    unit: 'incidents',
  };
}

function fmtHours(value: number | null): string {
  return value == null ? 'none' : `${value.toFixed(1)} h`;
}

export function allCharts(metrics: MetricsResponse, metric: TimeMetricName): ChartSpec[] {
  return [
    incidentsPerWeek(metrics),
    timePerWeek(metrics, metric),
    actionItemsPerWeek(metrics),
    incidentsByService(metrics),
    detectionCategories(metrics),
  ];
}
