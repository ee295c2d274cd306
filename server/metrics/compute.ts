/**
 * The numbers of `GET /api/metrics` (docs/metrics.md), as one pure
 * function over incidents and action items.
 */
import type {
  ActionItemStats,
  DataQuality,
  MetricsCore,
  MetricsResponse,
  TimeMetric,
  WeekCount,
} from '../domain/api.js';
import type {
  ActionItem,
  ActionItemView,
  DetectionCategory,
  Incident,
  IsoDate,
  Severity,
  SeverityKey,
} from '../domain/types.js';
import { DETECTION_CATEGORIES, SEVERITIES } from '../domain/types.js';
import { addDays, isoWeekStart, startOfDate } from '../time.js';
import { actionItemFactsStats, compareKeys, incidentItemFacts } from './actionItems.js';
import type { ActionItemFacts, ActionItemViewOptions } from './actionItems.js';
import { zoneCalendar } from './calendar.js';
import type { ZoneCalendar } from './calendar.js';
import { computeRecurrence, LateFixIndex, serviceSetKey } from './recurrence.js';
import { countChange, durationChange } from './significance.js';
import type { DurationOutcome } from './stats.js';
import { durationOutcome, summarizeOutcomes } from './stats.js';

export interface MetricsOptions {
  from: Date;
  to: Date;
  service?: string;
  severity?: SeverityKey;
  now: Date;
  timezone: string;
  slaDays: Record<Severity, number>;
}

export const SEVERITY_KEYS: readonly SeverityKey[] = [...SEVERITIES, 'unknown'];

export const FORMULAS: Record<string, string> = {
  inRange:
    'An incident is in range when its place in time (startedAt, else created) is in [from, to); service keeps incidents whose services include it; severity keeps that severity (unmapped = unknown).',
  timeToDetect:
    'TTD = detectedAt - startedAt, in seconds, over incidents with both points and detectedAt not before startedAt.',
  timeToAcknowledge:
    'TTA = acknowledgedAt - detectedAt, in seconds, over incidents with both points and acknowledgedAt not before detectedAt.',
  timeToResolve:
    'TTR = resolvedAt - startedAt, in seconds, over incidents with both points and resolvedAt not before startedAt.',
  missing: 'missing = incidents where a point of the metric is absent (an unresolved incident is missing for TTR).',
  invalid: 'invalid = incidents where both points exist but the later is before the earlier.',
  mean: 'mean = sum of values / count.',
  median:
    'median = PERCENTILE.INC(x, 0.5): sorted x of n values, r = 0.5(n-1), x[floor r] + (r - floor r)(x[ceil r] - x[floor r]).',
  p90: 'p90 = PERCENTILE.INC(x, 0.9): sorted x of n values, r = 0.9(n-1), x[floor r] + (r - floor r)(x[ceil r] - x[floor r]).',
  byWeek:
    'Incidents per ISO week (Monday 00:00 in TIMEZONE) by place in time; every week overlapping [from, to) is listed, zero-filled.',
  actionItems: 'The action items of the incidents in range (service and severity filter them through their incident).',
  dueDate:
    'Due date = Jira duedate; else the incident\'s resolvedAt as a date in TIMEZONE + actionItemSlaDays[severity] (marked "sla"); else none.',
  overdue:
    'overdue = open items whose due date is before today (in TIMEZONE); daysOverdue = today - due date in whole days.',
  completionRate: 'completionRate = done / total (done = status category Done, so "Won\'t Do" is done).',
  onTimeRate:
    'onTimeRate = done items with a due date whose resolvedAt (as a date in TIMEZONE) is on or before it / done items with a due date.',
  medianDaysToClose:
    'medianDaysToClose = median over done items with a resolvedAt of (resolvedAt - created) / 86,400 s.',
  previous: 'previous = the same numbers for the window of equal length just before from: [from - (to - from), from).',
  behindOverdueFix:
    "An action item of incident A was overdue at incident B when B shares a service with A (exact names), A is placed before B, the item's due date is before B's date (in TIMEZONE), and the item was not done at B's place in time (open, or resolved after it). B is behind an overdue fix when some item was overdue at it; behindOverdueFix counts the incidents in range that are.",
  recurrenceRate: 'rate = behindOverdueFix / incidents in range.',
  lateFixes:
    'Late fixes = the action items overdue at one or more incidents in range (from any incident, in or out of range), most such incidents first, then due date, then key.',
  changeIncidents:
    'Incident change: two-sided exact binomial test of n1 (this window) among n1 + n2 (previous window) with probability 1/2; p = min(1, 2 min(P(X <= n1), P(X >= n1))). Significant when p < 0.05; otherwise within noise.',
  changeDurations:
    "Median change (TTD, TTA, TTR): two-sided Mann-Whitney U test of the two windows' values, normal approximation with tie and continuity correction; no test when either window has fewer than 5 values. Significant when p < 0.05; otherwise within noise.",
  weekly:
    'weekly = per ISO week of byWeek: the time metrics of the incidents in range placed in that week; action items of the range opened (created), closed (resolvedAt) in the week, and open at its end.',
};

export function severityKeyOf(incident: Incident): SeverityKey {
  return incident.severity ?? 'unknown';
}

/** The incidents a window and its filters keep, in their given order. */
export function incidentsInWindow(
  incidents: Incident[],
  fromMs: number,
  toMs: number,
  service?: string,
  severity?: SeverityKey,
): Incident[] {
  return incidents.filter((incident) => {
    const placeMs = Date.parse(incident.placeAt);
    if (!(placeMs >= fromMs && placeMs < toMs)) return false;
    if (service !== undefined && !incident.services.includes(service)) return false;
    if (severity !== undefined && severityKeyOf(incident) !== severity) return false;
    return true;
  });
}

/** The three time metrics' outcomes of one incident: TTD, TTA, TTR. */
export interface IncidentDurations {
  timeToDetect: DurationOutcome;
  timeToAcknowledge: DurationOutcome;
  timeToResolve: DurationOutcome;
}

export function incidentDurations(incident: Incident): IncidentDurations {
  return {
    timeToDetect: durationOutcome(incident.startedAt, incident.detectedAt),
    timeToAcknowledge: durationOutcome(incident.detectedAt, incident.acknowledgedAt),
    timeToResolve: durationOutcome(incident.startedAt, incident.resolvedAt),
  };
}

function summarizeAll(durations: IncidentDurations[]): {
  timeToDetect: TimeMetric;
  timeToAcknowledge: TimeMetric;
  timeToResolve: TimeMetric;
} {
  const detect: DurationOutcome[] = new Array<DurationOutcome>(durations.length);
  const acknowledge: DurationOutcome[] = new Array<DurationOutcome>(durations.length);
  const resolve: DurationOutcome[] = new Array<DurationOutcome>(durations.length);
  for (let i = 0; i < durations.length; i += 1) {
    const d = durations[i] as IncidentDurations;
    detect[i] = d.timeToDetect;
    acknowledge[i] = d.timeToAcknowledge;
    resolve[i] = d.timeToResolve;
  }
  return {
    timeToDetect: summarizeOutcomes(detect),
    timeToAcknowledge: summarizeOutcomes(acknowledge),
    timeToResolve: summarizeOutcomes(resolve),
  };
}

export function timeToDetect(incidents: Incident[]): TimeMetric {
  return summarizeOutcomes(incidents.map((i) => durationOutcome(i.startedAt, i.detectedAt)));
}
export function timeToAcknowledge(incidents: Incident[]): TimeMetric {
  return summarizeOutcomes(incidents.map((i) => durationOutcome(i.detectedAt, i.acknowledgedAt)));
}
export function timeToResolve(incidents: Incident[]): TimeMetric {
  return summarizeOutcomes(incidents.map((i) => durationOutcome(i.startedAt, i.resolvedAt)));
}

interface Week {
  weekStart: IsoDate;
  startMs: number;
  endMs: number;
}

/** Every ISO week (Monday 00:00 in the zone) overlapping [from, to), oldest first. */
export function weeksOverlapping(fromMs: number, toMs: number, timezone: string): Week[] {
  const weeks: Week[] = [];
  if (!(fromMs < toMs)) return weeks;
  let weekStart = isoWeekStart(new Date(fromMs), timezone);
  let startMs = Date.parse(startOfDate(weekStart, timezone));
  while (startMs < toMs) {
    const next = addDays(weekStart, 7);
    const endMs = Date.parse(startOfDate(next, timezone));
    weeks.push({ weekStart, startMs, endMs });
    weekStart = next;
    startMs = endMs;
  }
  return weeks;
}

/** Index of the week containing ms, or -1. Weeks are contiguous and sorted. */
function weekIndex(weeks: Week[], ms: number): number {
  let lo = 0;
  let hi = weeks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const week = weeks[mid] as Week;
    if (ms < week.startMs) hi = mid - 1;
    else if (ms >= week.endMs) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The first week whose end is after ms (weeks.length when none). */
function firstWeekEndingAfter(weeks: Week[], ms: number): number {
  let lo = 0;
  let hi = weeks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((weeks[mid] as Week).endMs > ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * An incident with everything a window needs of it, derived once: its place in time in
 * ms, its three durations, its data-quality problems and the facts of its action items
 * (as of one day: `daysOverdue` counts from it). The service keeps these between queries
 * (./state.ts); a one-off computation derives them for the incidents in range only.
 */
export interface PreparedIncident {
  incident: Incident;
  placeMs: number;
  severity: SeverityKey;
  /** Its services, each once. */
  services: string[];
  /** Its exact set of services as one string (recurrence.ts). */
  serviceSetKey: string;
  durations: IncidentDurations;
  problems: string[];
  /** The facts of its action items, in the order given. */
  items: ActionItemFacts[];
  /** The data-quality entries of those items that have problems. */
  itemProblems: DataQuality['actionItems'];
}

export function prepareIncident(
  incident: Incident,
  items: ActionItem[],
  options: ActionItemViewOptions,
): PreparedIncident {
  const facts = items.length === 0 ? [] : incidentItemFacts(items, incident, options);
  const itemProblems: DataQuality['actionItems'] = [];
  for (const fact of facts) {
    const problems = actionItemProblems(fact);
    if (problems.length > 0) itemProblems.push({ key: fact.key, url: fact.url, problems });
  }
  return {
    incident,
    placeMs: Date.parse(incident.placeAt),
    severity: severityKeyOf(incident),
    services: [...new Set(incident.services)],
    serviceSetKey: serviceSetKey(incident.services),
    durations: incidentDurations(incident),
    problems: incidentProblems(incident),
    items: facts,
    itemProblems,
  };
}

/** The prepared incidents of a window [fromMs, toMs) that the query's filters keep, in place-in-time order. */
export type WindowSelector = (fromMs: number, toMs: number) => PreparedIncident[];

interface WindowResult {
  core: MetricsCore;
  incidents: PreparedIncident[];
  items: ActionItemFacts[];
  weeks: Week[];
  weekOfIncident: number[];
}

function computeWindow(
  kept: PreparedIncident[],
  fromMs: number,
  toMs: number,
  options: MetricsOptions,
  calendar: ZoneCalendar,
): WindowResult {
  const bySeverity: Partial<Record<SeverityKey, number>> = {};
  for (const key of SEVERITY_KEYS) bySeverity[key] = 0;
  const byService: Record<string, number> = {};
  const byDetection = Object.fromEntries(DETECTION_CATEGORIES.map((c) => [c, 0])) as Record<DetectionCategory, number>;
  const weeks = weeksOverlapping(fromMs, toMs, options.timezone);
  const byWeek: WeekCount[] = weeks.map((w) => ({ weekStart: w.weekStart, total: 0, bySeverity: {} }));
  const weekOfIncident: number[] = [];
  const items: ActionItemFacts[] = [];
  for (const prepared of kept) {
    const { incident, severity } = prepared;
    bySeverity[severity] = (bySeverity[severity] ?? 0) + 1;
    for (const service of prepared.services) byService[service] = (byService[service] ?? 0) + 1;
    byDetection[incident.detection] = (byDetection[incident.detection] ?? 0) + 1;
    const index = weekIndex(weeks, prepared.placeMs);
    weekOfIncident.push(index);
    const week = byWeek[index];
    if (week) {
      week.total += 1;
      week.bySeverity[severity] = (week.bySeverity[severity] ?? 0) + 1;
    }
    for (const item of prepared.items) items.push(item);
  }
  // Stable, readable key order: services alphabetically, severities P0..P4 then unknown.
  const sortedServices = Object.fromEntries(Object.entries(byService).sort(([a], [b]) => compareKeys(a, b)));
  for (const week of byWeek) {
    week.bySeverity = Object.fromEntries(
      SEVERITY_KEYS.filter((key) => week.bySeverity[key] !== undefined).map((key) => [key, week.bySeverity[key]]),
    );
  }
  const times = summarizeAll(kept.map((prepared) => prepared.durations));
  const actionItems: ActionItemStats = actionItemFactsStats(items, calendar);
  const core: MetricsCore = {
    range: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    incidents: { total: kept.length, bySeverity, byService: sortedServices, byWeek, byDetection },
    ...times,
    actionItems,
  };
  return { core, incidents: kept, items, weeks, weekOfIncident };
}

export function groupActionItemsByIncident(actionItems: ActionItem[]): Map<string, ActionItem[]> {
  const byIncident = new Map<string, ActionItem[]>();
  for (const item of actionItems) {
    if (item.incidentKey === null) continue;
    const list = byIncident.get(item.incidentKey);
    if (list) list.push(item);
    else byIncident.set(item.incidentKey, [item]);
  }
  return byIncident;
}

const POINT_PAIRS: Array<[keyof Incident & string, keyof Incident & string]> = [
  ['startedAt', 'detectedAt'],
  ['detectedAt', 'acknowledgedAt'],
  ['startedAt', 'resolvedAt'],
  ['startedAt', 'endedAt'],
];

/** What is wrong with an incident's points, in words a reviewer can act on. */
export function incidentProblems(incident: Incident): string[] {
  const problems: string[] = [];
  for (const point of ['startedAt', 'detectedAt'] as const) {
    if (incident[point] === null) problems.push(`${point} is missing`);
  }
  // An incident still in To Do has not been acknowledged yet; that is not a gap in the data.
  if (incident.acknowledgedAt === null && incident.statusCategory !== 'new') {
    problems.push('acknowledgedAt is missing');
  }
  if (incident.resolvedAt === null && incident.statusCategory === 'done') {
    problems.push('resolvedAt is missing although the incident is done');
  }
  for (const [earlier, later] of POINT_PAIRS) {
    const a = incident[earlier] as string | null;
    const b = incident[later] as string | null;
    if (a !== null && b !== null && Date.parse(b) < Date.parse(a)) {
      problems.push(`${later} (${b}) is before ${earlier} (${a})`);
    }
  }
  for (const problem of incident.readProblems) {
    problems.push(`field ${problem.field} could not be read: ${problem.reason}`);
  }
  return problems;
}

/** The fields data quality looks at; both ActionItemView and ActionItemFacts have them. */
type ActionItemIdentity = Pick<ActionItemView, 'key' | 'url' | 'owner' | 'dueDate'>;

export function actionItemProblems(view: ActionItemIdentity): string[] {
  const problems: string[] = [];
  if (!view.owner) problems.push('no owner');
  if (view.dueDate === null) {
    problems.push('no due date (none in Jira, and no SLA date: the incident is unresolved or its severity unknown)');
  }
  return problems;
}

export function dataQuality(incidents: Incident[], views: ActionItemIdentity[]): DataQuality {
  const quality: DataQuality = { incidents: [], actionItems: [] };
  for (const incident of incidents) {
    const problems = incidentProblems(incident);
    if (problems.length > 0) quality.incidents.push({ key: incident.key, url: incident.url, problems });
  }
  for (const view of views) {
    const problems = actionItemProblems(view);
    if (problems.length > 0) quality.actionItems.push({ key: view.key, url: view.url, problems });
  }
  quality.actionItems.sort((a, b) => compareKeys(a.key, b.key));
  return quality;
}

export function computeMetrics(
  incidents: Incident[],
  actionItems: ActionItem[],
  options: MetricsOptions,
): MetricsResponse {
  return computeMetricsGrouped(incidents, groupActionItemsByIncident(actionItems), options);
}

/** computeMetrics with the action items already grouped by incident key. */
export function computeMetricsGrouped(
  incidents: Incident[],
  itemsByIncident: Map<string, ActionItem[]>,
  options: MetricsOptions,
): MetricsResponse {
  const calendar = zoneCalendar(options.timezone);
  const itemOptions = { now: options.now, timezone: options.timezone, slaDays: options.slaDays, calendar };
  return computeMetricsPrepared(
    (fromMs, toMs) =>
      incidentsInWindow(incidents, fromMs, toMs, options.service, options.severity).map((incident) =>
        prepareIncident(incident, itemsByIncident.get(incident.key) ?? [], itemOptions),
      ),
    { lateFixes: LateFixIndex.of(incidents, itemsByIncident, itemOptions) },
    options,
  );
}

/**
 * What a window's answer needs beyond its own incidents: every late fix, whatever the window
 * (a late fix and its incident may lie outside the window and its filters: recurrence.ts).
 */
export interface AllRecords {
  lateFixes: LateFixIndex;
}

/**
 * The metrics answer over prepared incidents: `select` gives those of a window that the
 * filters keep (options.service and options.severity are the selector's to apply).
 */
export function computeMetricsPrepared(
  select: WindowSelector,
  everything: AllRecords,
  options: MetricsOptions,
): MetricsResponse {
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  const calendar = zoneCalendar(options.timezone);
  const current = computeWindow(select(fromMs, toMs), fromMs, toMs, options, calendar);
  const previousFrom = fromMs - (toMs - fromMs);
  const previous = computeWindow(select(previousFrom, fromMs), previousFrom, fromMs, options, calendar);

  const bySeverity: MetricsResponse['bySeverity'] = {};
  const groups = new Map<SeverityKey, IncidentDurations[]>();
  for (const prepared of current.incidents) {
    const list = groups.get(prepared.severity);
    if (list) list.push(prepared.durations);
    else groups.set(prepared.severity, [prepared.durations]);
  }
  for (const key of SEVERITY_KEYS) {
    const group = groups.get(key);
    if (group) bySeverity[key] = summarizeAll(group);
  }

  const weekly = weeklyBreakdown(current);
  return {
    ...current.core,
    bySeverity,
    previous: previous.core,
    weekly,
    dataQuality: preparedDataQuality(current.incidents),
    recurrence: computeRecurrence(current.incidents, everything.lateFixes),
    change: {
      incidents: countChange(current.core.incidents.total, previous.core.incidents.total),
      timeToDetect: durationChange(countedSeconds(current, 'timeToDetect'), countedSeconds(previous, 'timeToDetect')),
      timeToAcknowledge: durationChange(
        countedSeconds(current, 'timeToAcknowledge'),
        countedSeconds(previous, 'timeToAcknowledge'),
      ),
      timeToResolve: durationChange(
        countedSeconds(current, 'timeToResolve'),
        countedSeconds(previous, 'timeToResolve'),
      ),
    },
    formulas: FORMULAS,
  };
}

/** dataQuality() with each incident's problems already derived. */
function preparedDataQuality(incidents: PreparedIncident[]): DataQuality {
  const quality: DataQuality = { incidents: [], actionItems: [] };
  for (const { incident, problems, itemProblems } of incidents) {
    if (problems.length > 0) quality.incidents.push({ key: incident.key, url: incident.url, problems });
    for (const entry of itemProblems) quality.actionItems.push(entry);
  }
  quality.actionItems.sort((a, b) => compareKeys(a.key, b.key));
  return quality;
}

/** The values a window's time metric counts (missing and invalid ones left out). */
function countedSeconds(window: WindowResult, metric: keyof IncidentDurations): number[] {
  const values: number[] = [];
  for (const { durations } of window.incidents) {
    const outcome = durations[metric];
    if (typeof outcome === 'number') values.push(outcome);
  }
  return values;
}

function weeklyBreakdown(window: WindowResult): NonNullable<MetricsResponse['weekly']> {
  const { weeks } = window;
  const durationsPerWeek: IncidentDurations[][] = weeks.map(() => []);
  window.incidents.forEach((prepared, i) => {
    durationsPerWeek[window.weekOfIncident[i] as number]?.push(prepared.durations);
  });
  const opened = weeks.map(() => 0);
  const closed = weeks.map(() => 0);
  // Open at the end of week w = created before its end and not closed before its end.
  // Each item adds +1 from the first week ending after its creation, -1 from the first
  // week ending after its close (a done item without resolvedAt: closed when created).
  const openDelta = new Array<number>(weeks.length + 1).fill(0);
  for (const item of window.items) {
    const { createdMs, resolvedMs } = item;
    const createdWeek = weekIndex(weeks, createdMs);
    if (createdWeek >= 0) opened[createdWeek] = (opened[createdWeek] ?? 0) + 1;
    if (!Number.isNaN(resolvedMs)) {
      const closedWeek = weekIndex(weeks, resolvedMs);
      if (closedWeek >= 0) closed[closedWeek] = (closed[closedWeek] ?? 0) + 1;
    }
    const openFrom = firstWeekEndingAfter(weeks, createdMs);
    const openUntil = item.done
      ? firstWeekEndingAfter(weeks, Number.isNaN(resolvedMs) ? createdMs : Math.max(resolvedMs, createdMs))
      : weeks.length;
    openDelta[openFrom] = (openDelta[openFrom] ?? 0) + 1;
    openDelta[openUntil] = (openDelta[openUntil] ?? 0) - 1;
  }
  const openAtEnd: number[] = [];
  let running = 0;
  for (let w = 0; w < weeks.length; w += 1) {
    running += openDelta[w] ?? 0;
    openAtEnd.push(running);
  }
  return weeks.map((week, w) => {
    return {
      weekStart: week.weekStart,
      ...summarizeAll(durationsPerWeek[w] ?? []),
      actionItemsOpened: opened[w] ?? 0,
      actionItemsClosed: closed[w] ?? 0,
      actionItemsOpenAtEnd: openAtEnd[w] ?? 0,
    };
  });
}
