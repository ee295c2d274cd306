/**
 * Action items as the API shows them (with the effective due date) and their statistics.
 */
import type { ActionItemStats } from '../domain/api.js';
import type { ActionItem, ActionItemView, Incident, IsoDate, Severity } from '../domain/types.js';
import { addDays } from '../time.js';
import { dayNumber, zoneCalendar } from './calendar.js';
import type { ZoneCalendar } from './calendar.js';
import { percentileIncUnsorted } from './stats.js';

export interface ActionItemViewOptions {
  now: Date;
  timezone: string;
  slaDays: Record<Severity, number>;
  /** Reused across calls to share its offset cache; built from `timezone` when absent. */
  calendar?: ZoneCalendar;
}

/**
 * The due date of an item: Jira's `duedate`; else the incident's resolvedAt as a date in
 * TIMEZONE plus the SLA days of the incident's severity; else none.
 */
export function effectiveDueDate(
  item: ActionItem,
  incident: Incident | undefined,
  slaDays: Record<Severity, number>,
  calendar: ZoneCalendar,
): { dueDate: IsoDate | null; dueDateSource: 'jira' | 'sla' | null } {
  if (item.jiraDueDate) return { dueDate: item.jiraDueDate, dueDateSource: 'jira' };
  if (incident?.resolvedAt && incident.severity) {
    const days = slaDays[incident.severity];
    const resolvedMs = Date.parse(incident.resolvedAt);
    if (Number.isFinite(days) && !Number.isNaN(resolvedMs)) {
      return { dueDate: addDays(calendar.dateOf(resolvedMs), days), dueDateSource: 'sla' };
    }
  }
  return { dueDate: null, dueDateSource: null };
}

/** What the metrics need of one action item, derived once per computation. */
export interface ActionItemFacts {
  key: string;
  url: string | null;
  owner: string | null;
  done: boolean;
  dueDate: IsoDate | null;
  dueDateSource: 'jira' | 'sla' | null;
  daysOverdue: number | null;
  createdMs: number;
  /** NaN while open, or when done without a resolvedAt. */
  resolvedMs: number;
  /** resolvedMs as a date in TIMEZONE (null when resolvedMs is NaN). */
  resolvedDate: IsoDate | null;
}

type Derived = ReturnType<typeof effectiveDueDate> & { daysOverdue: number | null };

/** Maps each item with its due date and days overdue as of today (in TIMEZONE). */
function mapWithDueDates<T>(
  items: ActionItem[],
  incidentOf: (item: ActionItem) => Incident | undefined,
  options: ActionItemViewOptions,
  build: (item: ActionItem, derived: Derived, calendar: ZoneCalendar) => T,
): T[] {
  const calendar = options.calendar ?? zoneCalendar(options.timezone);
  const today = calendar.dateOf(options.now.getTime());
  const todayNumber = dayNumber(today);
  // Items of one incident share its SLA date: derive it once per incident.
  const slaDueByIncident = new Map<string, ReturnType<typeof effectiveDueDate>>();
  return items.map((item) => {
    const incident = incidentOf(item);
    let due: ReturnType<typeof effectiveDueDate>;
    if (item.jiraDueDate || !incident) {
      due = effectiveDueDate(item, incident, options.slaDays, calendar);
    } else {
      const known = slaDueByIncident.get(incident.key);
      due = known ?? effectiveDueDate(item, incident, options.slaDays, calendar);
      if (!known) slaDueByIncident.set(incident.key, due);
    }
    const open = item.statusCategory !== 'done';
    const daysOverdue =
      open && due.dueDate !== null && due.dueDate < today ? todayNumber - dayNumber(due.dueDate) : null;
    return build(item, { dueDate: due.dueDate, dueDateSource: due.dueDateSource, daysOverdue }, calendar);
  });
}

export function actionItemViews(
  items: ActionItem[],
  incidentsByKey: Map<string, Incident>,
  options: ActionItemViewOptions,
): ActionItemView[] {
  // Built field by field: a rest-spread per item is the slowest part of a cold run.
  return mapWithDueDates(
    items,
    byIncidentKey(incidentsByKey),
    options,
    (item, { dueDate, dueDateSource, daysOverdue }) => ({
      key: item.key,
      jiraId: item.jiraId,
      summary: item.summary,
      incidentKey: item.incidentKey,
      owner: item.owner,
      status: item.status,
      statusCategory: item.statusCategory,
      dueDate,
      dueDateSource,
      daysOverdue,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      resolvedAt: item.resolvedAt,
      url: item.url,
      labels: item.labels,
      documentRef: item.documentRef,
      readProblems: item.readProblems,
    }),
  );
}

/** The lighter form the metrics use (no copy of the whole item, instants parsed once). */
export function actionItemFacts(
  items: ActionItem[],
  incidentsByKey: Map<string, Incident>,
  options: ActionItemViewOptions,
): ActionItemFacts[] {
  return mapWithDueDates(items, byIncidentKey(incidentsByKey), options, factsOf);
}

function byIncidentKey(incidentsByKey: Map<string, Incident>): (item: ActionItem) => Incident | undefined {
  return (item) => (item.incidentKey === null ? undefined : incidentsByKey.get(item.incidentKey));
}

/** The facts of one incident's own action items (all with incidentKey === incident.key). */
export function incidentItemFacts(
  items: ActionItem[],
  incident: Incident,
  options: ActionItemViewOptions,
): ActionItemFacts[] {
  return mapWithDueDates(items, () => incident, options, factsOf);
}

/** The facts of one item, given its derived due date. */
function factsOf(
  item: Pick<ActionItem, 'key' | 'url' | 'owner' | 'statusCategory' | 'createdAt' | 'resolvedAt'>,
  due: Pick<ActionItemView, 'dueDate' | 'dueDateSource' | 'daysOverdue'>,
  calendar: ZoneCalendar,
): ActionItemFacts {
  const done = item.statusCategory === 'done';
  const resolvedMs = done && item.resolvedAt !== null ? Date.parse(item.resolvedAt) : Number.NaN;
  return {
    key: item.key,
    url: item.url,
    owner: item.owner,
    done,
    dueDate: due.dueDate,
    dueDateSource: due.dueDateSource,
    daysOverdue: due.daysOverdue,
    createdMs: Date.parse(item.createdAt),
    resolvedMs,
    resolvedDate: Number.isNaN(resolvedMs) ? null : calendar.dateOf(resolvedMs),
  };
}

/** Open items past their due date, most days overdue first, then by key. */
export function overdueActionItems(views: ActionItemView[]): ActionItemView[] {
  return views
    .filter((view) => view.daysOverdue !== null && view.daysOverdue > 0)
    .sort((a, b) => (b.daysOverdue as number) - (a.daysOverdue as number) || compareKeys(a.key, b.key));
}

/** Plain code-unit order, the same in every locale (and the order the stores use). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * completionRate = done / total; onTimeRate = done items with a due date resolved (as a
 * date in TIMEZONE) on or before it / done items with a due date; medianDaysToClose =
 * median of (resolvedAt - createdAt) / 86,400 s over done items with a resolvedAt.
 */
export function actionItemStats(views: ActionItemView[], calendar: ZoneCalendar): ActionItemStats {
  return actionItemFactsStats(
    views.map((view) => factsOf(view, view, calendar)),
    calendar,
  );
}

/** What the statistics add up over action items: done, open and overdue today, done with a due date, and of these resolved by it. */
export interface ItemCounts {
  done: number;
  overdue: number;
  withDue: number;
  onTime: number;
}

/** The counts of some items' facts, and (resolvedAt - createdAt) in days of the done ones with a resolvedAt. */
export function itemFactCounts(
  facts: readonly ActionItemFacts[],
  calendar: ZoneCalendar,
): { counts: ItemCounts; daysToClose: number[] } {
  const counts: ItemCounts = { done: 0, overdue: 0, withDue: 0, onTime: 0 };
  const daysToClose: number[] = [];
  for (const item of facts) {
    if (!item.done) {
      if (item.daysOverdue !== null && item.daysOverdue > 0) counts.overdue += 1;
      continue;
    }
    counts.done += 1;
    const resolved = !Number.isNaN(item.resolvedMs);
    if (item.dueDate !== null) {
      counts.withDue += 1;
      if (resolved && (item.resolvedDate ?? calendar.dateOf(item.resolvedMs)) <= item.dueDate) counts.onTime += 1;
    }
    if (resolved) daysToClose.push((item.resolvedMs - item.createdMs) / 86_400_000);
  }
  return { counts, daysToClose };
}

export function actionItemFactsStats(facts: ActionItemFacts[], calendar: ZoneCalendar): ActionItemStats {
  const { counts, daysToClose } = itemFactCounts(facts, calendar);
  return actionItemStatsOf(facts.length, counts, Float64Array.from(daysToClose));
}

/** The statistics of `total` items with these counts and days to close (in any order; the array is reordered). */
export function actionItemStatsOf(total: number, counts: ItemCounts, daysToClose: Float64Array): ActionItemStats {
  return {
    total,
    open: total - counts.done,
    done: counts.done,
    overdue: counts.overdue,
    completionRate: total === 0 ? null : counts.done / total,
    onTimeRate: counts.withDue === 0 ? null : counts.onTime / counts.withDue,
    medianDaysToClose: percentileIncUnsorted(daysToClose, 0.5),
  };
}
