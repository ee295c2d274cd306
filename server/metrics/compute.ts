/**
 * The numbers of `GET /api/metrics` (docs/metrics.md), as one pure
 * function over incidents and action items.
 */
import type {
  DataQuality,
  DataQualityEntry,
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
import { actionItemStatsOf, compareKeys, incidentItemFacts, itemFactCounts } from './actionItems.js';
import type { ActionItemFacts, ActionItemViewOptions } from './actionItems.js';
import { zoneCalendar } from './calendar.js';
import { computeRecurrence, LateFixIndex, serviceSetKey, serviceSetServices } from './recurrence.js';
import { countChange, durationChange } from './significance.js';
import type { DurationOutcome } from './stats.js';
import { durationOutcome, outcomeNumber, summarizeGroups, summarizeOutcomes } from './stats.js';

export interface MetricsOptions {
  from: Date;
  to: Date;
  service?: string;
  severity?: SeverityKey;
  now: Date;
  timezone: string;
  slaDays: Record<Severity, number>;
  /** When set, the data-quality lists hold only their first entries, with totals (windowDataQuality). */
  dataQualityPreview?: number;
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
 * (as of one day: `daysOverdue` counts from it), with the items' counts a window adds up.
 * The service keeps these between queries (./state.ts); a one-off computation derives them
 * for the incidents in range only.
 */
export interface PreparedIncident {
  incident: Incident;
  placeMs: number;
  /** Position of its severity (unmapped: unknown) in SEVERITY_KEYS. */
  severityIndex: number;
  /** Position of the detection in DETECTION_CATEGORIES (-1 for any other value). */
  detectionIndex: number;
  /** Its exact set of services as one string (recurrence.ts). */
  serviceSetKey: string;
  /** TTD, TTA and TTR as outcomeNumber (stats.ts): seconds, NaN when missing, -1 when invalid. */
  detectSeconds: number;
  acknowledgeSeconds: number;
  resolveSeconds: number;
  problems: string[];
  /** The facts of its action items, in the order given. */
  items: ActionItemFacts[];
  /** Of those (kept as plain numbers, so a window reads them without another object): done, open and overdue today, done with a due date, and of these resolved by it. */
  itemsDone: number;
  itemsOverdue: number;
  itemsWithDue: number;
  itemsOnTime: number;
  /** (resolvedAt - createdAt) in days of its done items with a resolvedAt. */
  daysToClose: number[];
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
  const { counts, daysToClose } = itemFactCounts(facts, options.calendar ?? zoneCalendar(options.timezone));
  const durations = incidentDurations(incident);
  return {
    incident,
    placeMs: Date.parse(incident.placeAt),
    severityIndex: SEVERITY_KEYS.indexOf(severityKeyOf(incident)),
    detectionIndex: (DETECTION_CATEGORIES as readonly string[]).indexOf(incident.detection),
    serviceSetKey: serviceSetKey(incident.services),
    detectSeconds: outcomeNumber(durations.timeToDetect),
    acknowledgeSeconds: outcomeNumber(durations.timeToAcknowledge),
    resolveSeconds: outcomeNumber(durations.timeToResolve),
    problems: incidentProblems(incident),
    items: facts,
    itemsDone: counts.done,
    itemsOverdue: counts.overdue,
    itemsWithDue: counts.withDue,
    itemsOnTime: counts.onTime,
    daysToClose,
    itemProblems,
  };
}

/** The prepared incidents of a window [fromMs, toMs) that the query's filters keep, in place-in-time order. */
export type WindowSelector = (fromMs: number, toMs: number) => PreparedIncident[];

/** The three time metrics, in the order of the columns below. */
const TIME_METRICS = ['timeToDetect', 'timeToAcknowledge', 'timeToResolve'] as const;
type TimeMetricName = (typeof TIME_METRICS)[number];

interface WindowResult {
  core: MetricsCore;
  incidents: PreparedIncident[];
  weeks: Week[];
  /** Per kept incident: its week (position in weeks) and severity (position in SEVERITY_KEYS). */
  weekOf: Int32Array;
  severityOf: Int32Array;
  /** Per time metric, per kept incident: outcomeNumber of its duration. */
  columns: Record<TimeMetricName, Float64Array>;
  /** Per time metric: the values the window counts, ascending. */
  counted: Record<TimeMetricName, Float64Array>;
}

/**
 * One window's numbers in one pass over its kept incidents: counts into typed arrays, each
 * time metric into a column of numbers (summarizeGroups), the items' counts per incident
 * as prepared.
 */
function computeWindow(kept: PreparedIncident[], fromMs: number, toMs: number, options: MetricsOptions): WindowResult {
  const n = kept.length;
  const weeks = weeksOverlapping(fromMs, toMs, options.timezone);
  const severityCount = SEVERITY_KEYS.length;
  const severityTotals = new Int32Array(severityCount);
  const weekSeverity = new Int32Array(weeks.length * severityCount);
  const weekTotals = new Int32Array(weeks.length);
  const detectionTotals = new Int32Array(DETECTION_CATEGORIES.length);
  const otherDetection: Record<string, number> = {};
  // Counted per exact set of services (one look-up per incident), then spread over the services.
  const bySet = new Map<string, number>();
  const weekOf = new Int32Array(n);
  const severityOf = new Int32Array(n);
  const columns = {
    timeToDetect: new Float64Array(n),
    timeToAcknowledge: new Float64Array(n),
    timeToResolve: new Float64Array(n),
  };
  const itemTotals = { total: 0, done: 0, overdue: 0, withDue: 0, onTime: 0, closed: 0 };
  for (let i = 0; i < n; i += 1) {
    const prepared = kept[i] as PreparedIncident;
    const severity = prepared.severityIndex;
    severityOf[i] = severity;
    severityTotals[severity] = (severityTotals[severity] as number) + 1;
    bySet.set(prepared.serviceSetKey, (bySet.get(prepared.serviceSetKey) ?? 0) + 1);
    if (prepared.detectionIndex >= 0)
      detectionTotals[prepared.detectionIndex] = (detectionTotals[prepared.detectionIndex] as number) + 1;
    else otherDetection[prepared.incident.detection] = (otherDetection[prepared.incident.detection] ?? 0) + 1;
    const week = weekIndex(weeks, prepared.placeMs);
    weekOf[i] = week;
    if (week >= 0) {
      weekTotals[week] = (weekTotals[week] as number) + 1;
      const at = week * severityCount + severity;
      weekSeverity[at] = (weekSeverity[at] as number) + 1;
    }
    columns.timeToDetect[i] = prepared.detectSeconds;
    columns.timeToAcknowledge[i] = prepared.acknowledgeSeconds;
    columns.timeToResolve[i] = prepared.resolveSeconds;
    itemTotals.total += prepared.items.length;
    itemTotals.done += prepared.itemsDone;
    itemTotals.overdue += prepared.itemsOverdue;
    itemTotals.withDue += prepared.itemsWithDue;
    itemTotals.onTime += prepared.itemsOnTime;
    itemTotals.closed += prepared.daysToClose.length;
  }
  const bySeverity: Partial<Record<SeverityKey, number>> = {};
  SEVERITY_KEYS.forEach((key, s) => (bySeverity[key] = severityTotals[s] as number));
  const byDetection = {} as Record<DetectionCategory, number>;
  DETECTION_CATEGORIES.forEach((category, c) => (byDetection[category] = detectionTotals[c] as number));
  for (const [category, count] of Object.entries(otherDetection)) byDetection[category as DetectionCategory] = count;
  const byWeek: WeekCount[] = weeks.map((w, index) => {
    const weekBySeverity: Partial<Record<SeverityKey, number>> = {};
    SEVERITY_KEYS.forEach((key, s) => {
      const count = weekSeverity[index * severityCount + s] as number;
      if (count > 0) weekBySeverity[key] = count;
    });
    return { weekStart: w.weekStart, total: weekTotals[index] as number, bySeverity: weekBySeverity };
  });
  const byService = new Map<string, number>();
  for (const [setKey, count] of bySet)
    for (const service of serviceSetServices(setKey)) byService.set(service, (byService.get(service) ?? 0) + count);
  // Stable, readable key order: services alphabetically, severities P0..P4 then unknown.
  const sortedServices = Object.fromEntries([...byService].sort(([a], [b]) => compareKeys(a, b)));

  const daysToClose = new Float64Array(itemTotals.closed);
  let at = 0;
  for (const prepared of kept) for (const days of prepared.daysToClose) daysToClose[at++] = days;
  const actionItems = actionItemStatsOf(itemTotals.total, itemTotals, daysToClose);

  const times = {} as Record<TimeMetricName, TimeMetric>;
  const counted = {} as Record<TimeMetricName, Float64Array>;
  for (const metric of TIME_METRICS) {
    const summary = summarizeGroups(columns[metric], null, 1);
    times[metric] = summary.metrics[0] as TimeMetric;
    counted[metric] = summary.sorted;
  }
  const core: MetricsCore = {
    range: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    incidents: { total: n, bySeverity, byService: sortedServices, byWeek, byDetection },
    ...times,
    actionItems,
  };
  return { core, incidents: kept, weeks, weekOf, severityOf, columns, counted };
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
  const current = computeWindow(select(fromMs, toMs), fromMs, toMs, options);
  const previousFrom = fromMs - (toMs - fromMs);
  const previous = computeWindow(select(previousFrom, fromMs), previousFrom, fromMs, options);

  const bySeverity: MetricsResponse['bySeverity'] = {};
  const perSeverity = groupedTimes(current.columns, current.severityOf, SEVERITY_KEYS.length);
  SEVERITY_KEYS.forEach((key, s) => {
    if ((current.core.incidents.bySeverity[key] ?? 0) > 0) bySeverity[key] = perSeverity(s);
  });

  return {
    ...current.core,
    bySeverity,
    previous: previous.core,
    weekly: weeklyBreakdown(current),
    dataQuality: windowDataQuality(current.incidents, options.dataQualityPreview),
    recurrence: computeRecurrence(current.incidents, everything.lateFixes),
    change: {
      incidents: countChange(current.core.incidents.total, previous.core.incidents.total),
      timeToDetect: durationChange(current.counted.timeToDetect, previous.counted.timeToDetect),
      timeToAcknowledge: durationChange(current.counted.timeToAcknowledge, previous.counted.timeToAcknowledge),
      timeToResolve: durationChange(current.counted.timeToResolve, previous.counted.timeToResolve),
    },
    formulas: FORMULAS,
  };
}

/** The three time metrics of each group (group of incident i: groups[i]), as a function of the group. */
function groupedTimes(
  columns: WindowResult['columns'],
  groups: Int32Array,
  groupCount: number,
): (group: number) => Record<TimeMetricName, TimeMetric> {
  const detect = summarizeGroups(columns.timeToDetect, groups, groupCount).metrics;
  const acknowledge = summarizeGroups(columns.timeToAcknowledge, groups, groupCount).metrics;
  const resolve = summarizeGroups(columns.timeToResolve, groups, groupCount).metrics;
  return (group) => ({
    timeToDetect: detect[group] as TimeMetric,
    timeToAcknowledge: acknowledge[group] as TimeMetric,
    timeToResolve: resolve[group] as TimeMetric,
  });
}

/**
 * The data-quality lists of a window's kept incidents, from each incident's problems as
 * prepared. With a `preview` length, each list holds only its first entries (the action
 * items' smallest keys, found without sorting the whole list) and `totals` counts them all.
 */
export function windowDataQuality(incidents: readonly PreparedIncident[], preview?: number): DataQuality {
  const quality: DataQuality = { incidents: [], actionItems: [] };
  if (preview === undefined) {
    for (const { incident, problems, itemProblems } of incidents) {
      if (problems.length > 0) quality.incidents.push({ key: incident.key, url: incident.url, problems });
      for (const entry of itemProblems) quality.actionItems.push(entry);
    }
    quality.actionItems.sort((a, b) => compareKeys(a.key, b.key));
    return quality;
  }
  let incidentTotal = 0;
  let itemTotal = 0;
  const first = quality.actionItems;
  for (const { incident, problems, itemProblems } of incidents) {
    if (problems.length > 0) {
      incidentTotal += 1;
      if (quality.incidents.length < preview)
        quality.incidents.push({ key: incident.key, url: incident.url, problems });
    }
    for (const entry of itemProblems) {
      itemTotal += 1;
      if (first.length === preview && compareKeys(entry.key, (first[preview - 1] as DataQualityEntry).key) >= 0)
        continue;
      let at = first.length;
      while (at > 0 && compareKeys(entry.key, (first[at - 1] as DataQualityEntry).key) < 0) at -= 1;
      first.splice(at, 0, entry);
      if (first.length > preview) first.pop();
    }
  }
  quality.totals = { incidents: incidentTotal, actionItems: itemTotal };
  return quality;
}

function weeklyBreakdown(window: WindowResult): NonNullable<MetricsResponse['weekly']> {
  const { weeks } = window;
  const perWeek = groupedTimes(window.columns, window.weekOf, weeks.length);
  const opened = new Int32Array(weeks.length);
  const closed = new Int32Array(weeks.length);
  // Open at the end of week w = created before its end and not closed before its end.
  // Each item adds +1 from the first week ending after its creation, -1 from the first
  // week ending after its close (a done item without resolvedAt: closed when created).
  // Weeks are contiguous, so the week holding an instant is the first ending after it,
  // when that instant is not before the first week.
  const firstStartMs = weeks.length === 0 ? Number.POSITIVE_INFINITY : (weeks[0] as Week).startMs;
  const openDelta = new Int32Array(weeks.length + 1);
  for (const prepared of window.incidents) {
    for (const item of prepared.items) {
      const { createdMs, resolvedMs } = item;
      const openFrom = firstWeekEndingAfter(weeks, createdMs);
      if (createdMs >= firstStartMs && openFrom < weeks.length) opened[openFrom] = (opened[openFrom] as number) + 1;
      let closedWeek = weeks.length;
      if (!Number.isNaN(resolvedMs)) {
        closedWeek = firstWeekEndingAfter(weeks, resolvedMs);
        if (resolvedMs >= firstStartMs && closedWeek < weeks.length)
          closed[closedWeek] = (closed[closedWeek] as number) + 1;
      }
      const openUntil = item.done
        ? Number.isNaN(resolvedMs) || resolvedMs < createdMs
          ? openFrom
          : closedWeek
        : weeks.length;
      openDelta[openFrom] = (openDelta[openFrom] as number) + 1;
      openDelta[openUntil] = (openDelta[openUntil] as number) - 1;
    }
  }
  let running = 0;
  return weeks.map((week, w) => {
    running += openDelta[w] as number;
    return {
      weekStart: week.weekStart,
      ...perWeek(w),
      actionItemsOpened: opened[w] as number,
      actionItemsClosed: closed[w] as number,
      actionItemsOpenAtEnd: running,
    };
  });
}
