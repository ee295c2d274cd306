/**
 * What a week's digest says, gathered from the same MetricsService the API answers
 * from, so every number on the card can be checked against `/api/metrics` and
 * `/api/action-items`:
 *
 * - incidents by severity and the TTD/TTA/TTR medians of week W and week W-1, and the
 *   action items opened and closed in each, come from one `/api/metrics` window of
 *   ACTION_ITEM_WINDOW_WEEKS weeks ending with W (its `byWeek` and `weekly` rows);
 * - the on-time rate is that window's `actionItems.onTimeRate`, compared with the same
 *   window ending a week earlier;
 * - "overdue now" and the most overdue items are `/api/action-items?overdue=true`;
 * - the P0/P1 incidents are `/api/incidents` for week W, with their post-mortem state;
 * - whether each change is more than noise, and the late fixes the week's incidents hit,
 *   are the `change` and `recurrence` blocks of `/api/metrics` for week W alone (its
 *   previous window is the week before; docs/insights.md).
 */
import type {
  ActionItemsResponse,
  IncidentsResponse,
  MetricsChange,
  MetricsResponse,
  ReviewIncident,
  TimeMetric,
  WeekCount,
} from '../domain/api.js';
import type { ActionItemView, Incident, IsoInstant, Postmortem, SeverityKey } from '../domain/types.js';
import { shiftWeek, weekRange, weekStartDate } from './weeks.js';

/** The week window whose `weekly` rows give opened/closed counts, and whose on-time rate is shown. */
export const ACTION_ITEM_WINDOW_WEEKS = 52;
/** Weeks shown in the chart. */
export const TREND_WEEKS = 12;
export const TOP_OVERDUE = 5;
/** Late fixes listed before "and N more". */
export const TOP_LATE_FIXES = 5;
/** P0/P1 incidents listed before "and N more". */
export const MAX_MAJOR_INCIDENTS = 8;
export const MAJOR_SEVERITIES: readonly SeverityKey[] = ['P0', 'P1'];

/** What the digest reads; MetricsService provides all three. */
export interface DigestSource {
  metrics(query: { from: Date; to: Date }): Promise<MetricsResponse>;
  incidents(query: { from: Date; to: Date }): Promise<IncidentsResponse>;
  actionItems(query: { overdue?: boolean; incident?: string }): Promise<ActionItemsResponse>;
}

export interface PostmortemLookup {
  getPostmortem(incidentKey: string): Promise<Postmortem | null>;
}

export interface Compared<T> {
  current: T;
  previous: T;
}

/** A P0/P1 incident of the week as the review agenda shows it, with fewer action-item counts. */
export interface MajorIncident extends Omit<ReviewIncident, 'placeAt' | 'actionItems' | 'behindOverdueFixes'> {
  actionItems: { total: number; open: number };
}

/** An action item that was overdue at some of the week's incidents (docs/insights.md). */
export interface LateFix {
  key: string;
  summary: string;
  url: string | null;
  owner: string | null;
  dueDate: string;
  /** Days overdue today; null when it has been done since. */
  daysOverdue: number | null;
  /** The week's incidents it was overdue at, by place in time. */
  incidents: Array<{ key: string; url: string | null }>;
}

export interface DigestLinks {
  /** Opens the Teams tab (a Teams deep link), or the web dashboard. */
  dashboard: string | null;
  /** Opens the overdue list. */
  overdue: string | null;
  /** Opens the week's review agenda (docs/meetings.md); optional so older callers need not set it. */
  review?: string | null;
  /** The chart PNG, when the server has a public URL. */
  chart: string | null;
}

export interface DigestContent {
  week: string;
  previousWeek: string;
  timezone: string;
  /** The week's Monday and Sunday, as calendar dates. */
  firstDay: string;
  lastDay: string;
  generatedAt: IsoInstant;
  /** The metrics query behind the weekly numbers, so a reader can reproduce them. */
  window: { from: IsoInstant; to: IsoInstant };
  incidents: Compared<WeekCount>;
  timeToDetect: Compared<TimeMetric>;
  timeToAcknowledge: Compared<TimeMetric>;
  timeToResolve: Compared<TimeMetric>;
  actionItems: {
    opened: Compared<number>;
    closed: Compared<number>;
    overdueNow: number;
    /** Over the action items of the window's incidents; previous: the window ending a week earlier. */
    onTimeRate: Compared<number | null>;
  };
  /** Whether each change of the week against the week before is more than noise; null when unknown. */
  change: MetricsChange | null;
  /** The week's incidents behind an overdue fix, of all the week's incidents. */
  behindOverdueFix: { count: number; total: number };
  lateFixes: LateFix[];
  moreLateFixes: number;
  mostOverdue: ActionItemView[];
  moreOverdue: number;
  majorIncidents: MajorIncident[];
  moreMajorIncidents: number;
  /** Incidents per week, oldest first, TREND_WEEKS long, ending with the digest's week. */
  trend: WeekCount[];
  links: DigestLinks;
  formulas: Record<string, string>;
}

const EMPTY_TIME: TimeMetric = {
  count: 0,
  missing: 0,
  invalid: 0,
  meanSeconds: null,
  medianSeconds: null,
  p90Seconds: null,
};

/** The metrics window of `weeks` ISO weeks ending with `week` (inclusive). */
export function digestWindow(
  week: string,
  timezone: string,
  weeks = ACTION_ITEM_WINDOW_WEEKS,
): { from: Date; to: Date } {
  return {
    from: new Date(weekRange(shiftWeek(week, -(weeks - 1)), timezone).from),
    to: new Date(weekRange(week, timezone).to),
  };
}

function weekRow<T extends { weekStart: string }>(rows: T[] | undefined, weekStart: string): T | undefined {
  return rows?.find((row) => row.weekStart === weekStart);
}

export interface CollectOptions {
  week: string;
  timezone: string;
  now: Date;
  links: DigestLinks;
}

export async function collectDigestContent(
  source: DigestSource,
  postmortems: PostmortemLookup,
  options: CollectOptions,
): Promise<DigestContent> {
  const { week, timezone } = options;
  const previousWeek = shiftWeek(week, -1);
  const window = digestWindow(week, timezone);
  const earlierWindow = digestWindow(previousWeek, timezone);
  const thisWeek = weekRange(week, timezone);
  const [metrics, earlier, overdue, weekIncidents, weekMetrics] = await Promise.all([
    source.metrics(window),
    source.metrics(earlierWindow),
    source.actionItems({ overdue: true }),
    source.incidents({ from: new Date(thisWeek.from), to: new Date(thisWeek.to) }),
    source.metrics({ from: new Date(thisWeek.from), to: new Date(thisWeek.to) }),
  ]);
  const recurrence = weekMetrics.recurrence;
  const lateFixes = await Promise.all(
    (recurrence?.items ?? []).slice(0, TOP_LATE_FIXES).map((item) => lateFix(item, source, weekIncidents.items)),
  );
  const major = await majorIncidents(weekIncidents.items, source, postmortems);
  const currentStart = weekStartDate(week);
  const compared = comparedWeeks(metrics, currentStart, weekStartDate(previousWeek));

  return {
    week,
    previousWeek,
    timezone,
    firstDay: currentStart,
    lastDay: new Date(Date.parse(`${currentStart}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10),
    generatedAt: options.now.toISOString(),
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    incidents: compared.incidents,
    timeToDetect: compared.timeToDetect,
    timeToAcknowledge: compared.timeToAcknowledge,
    timeToResolve: compared.timeToResolve,
    actionItems: {
      opened: compared.opened,
      closed: compared.closed,
      overdueNow: overdue.items.length,
      onTimeRate: { current: metrics.actionItems.onTimeRate, previous: earlier.actionItems.onTimeRate },
    },
    change: weekMetrics.change ?? null,
    behindOverdueFix: { count: recurrence?.behindOverdueFix ?? 0, total: weekMetrics.incidents.total },
    lateFixes,
    moreLateFixes: Math.max(0, (recurrence?.itemsTotal ?? 0) - lateFixes.length),
    mostOverdue: overdue.items.slice(0, TOP_OVERDUE),
    moreOverdue: Math.max(0, overdue.items.length - TOP_OVERDUE),
    majorIncidents: major.shown,
    moreMajorIncidents: major.more,
    trend: metrics.incidents.byWeek.slice(-TREND_WEEKS),
    links: options.links,
    formulas: metrics.formulas ?? {},
  };
}

/** Week W against week W-1, from the `byWeek` and `weekly` rows of the window ending with W. */
function comparedWeeks(metrics: MetricsResponse, currentStart: string, previousStart: string) {
  const countOf = (weekStart: string): WeekCount =>
    weekRow(metrics.incidents.byWeek, weekStart) ?? { weekStart, total: 0, bySeverity: {} };
  const current = weekRow(metrics.weekly, currentStart);
  const previous = weekRow(metrics.weekly, previousStart);
  return {
    incidents: { current: countOf(currentStart), previous: countOf(previousStart) },
    timeToDetect: { current: current?.timeToDetect ?? EMPTY_TIME, previous: previous?.timeToDetect ?? EMPTY_TIME },
    timeToAcknowledge: {
      current: current?.timeToAcknowledge ?? EMPTY_TIME,
      previous: previous?.timeToAcknowledge ?? EMPTY_TIME,
    },
    timeToResolve: { current: current?.timeToResolve ?? EMPTY_TIME, previous: previous?.timeToResolve ?? EMPTY_TIME },
    opened: { current: current?.actionItemsOpened ?? 0, previous: previous?.actionItemsOpened ?? 0 },
    closed: { current: current?.actionItemsClosed ?? 0, previous: previous?.actionItemsClosed ?? 0 },
  };
}

/** The week's P0/P1 incidents, most severe first, then by place in time; at most MAX_MAJOR_INCIDENTS. */
async function majorIncidents(
  incidents: Incident[],
  source: DigestSource,
  postmortems: PostmortemLookup,
): Promise<{ shown: MajorIncident[]; more: number }> {
  const major = incidents.filter((incident) => MAJOR_SEVERITIES.includes(incident.severity ?? 'unknown'));
  major.sort((a, b) => (a.severity ?? '').localeCompare(b.severity ?? '') || a.placeAt.localeCompare(b.placeAt));
  const shown = major.slice(0, MAX_MAJOR_INCIDENTS);
  return {
    shown: await Promise.all(shown.map((incident) => majorIncident(incident, source, postmortems))),
    more: major.length - shown.length,
  };
}

async function majorIncident(
  incident: Incident,
  source: DigestSource,
  postmortems: PostmortemLookup,
): Promise<MajorIncident> {
  const [postmortem, items] = await Promise.all([
    postmortems.getPostmortem(incident.key),
    source.actionItems({ incident: incident.key }),
  ]);
  return {
    key: incident.key,
    summary: incident.summary,
    severity: incident.severity ?? 'unknown',
    status: incident.status,
    resolved: incident.resolvedAt !== null || incident.statusCategory === 'done',
    url: incident.url,
    postmortemImportedAt: postmortem?.importedAt ?? null,
    actionItems: {
      total: items.items.length,
      open: items.items.filter((item) => item.statusCategory !== 'done').length,
    },
  };
}

async function lateFix(
  item: NonNullable<MetricsResponse['recurrence']>['items'][number],
  source: DigestSource,
  weekIncidents: Incident[],
): Promise<LateFix> {
  const views = await source.actionItems({ incident: item.incidentKey });
  const view = views.items.find((candidate) => candidate.key === item.key);
  const urls = new Map(weekIncidents.map((incident) => [incident.key, incident.url]));
  return {
    key: item.key,
    summary: view?.summary ?? item.key,
    url: view?.url ?? null,
    owner: view?.owner ?? null,
    dueDate: item.dueDate,
    daysOverdue: view?.daysOverdue ?? null,
    incidents: item.incidents.map((key) => ({ key, url: urls.get(key) ?? null })),
  };
}
