/**
 * Action items as the API shows them (with the effective due date) and their statistics.
 */
import type { ActionItemStats } from '../domain/api.js';
import type { ActionItem, ActionItemView, Incident, IsoDate, Severity } from '../domain/types.js';
import { addDays } from '../time.js';
import { dayNumber, zoneCalendar } from './calendar.js';
import type { ZoneCalendar } from './calendar.js';
import { percentileInc } from './stats.js';

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

export function actionItemViews(
  items: ActionItem[],
  incidentsByKey: Map<string, Incident>,
  options: ActionItemViewOptions,
): ActionItemView[] {
  const calendar = options.calendar ?? zoneCalendar(options.timezone);
  const today = calendar.dateOf(options.now.getTime());
  const todayNumber = dayNumber(today);
  // Items of one incident share its SLA date: derive it once per incident.
  const slaDueByIncident = new Map<string, ReturnType<typeof effectiveDueDate>>();
  return items.map((item) => {
    const incident = item.incidentKey === null ? undefined : incidentsByKey.get(item.incidentKey);
    let due: ReturnType<typeof effectiveDueDate>;
    if (item.jiraDueDate || !incident) {
      due = effectiveDueDate(item, incident, options.slaDays, calendar);
    } else {
      const known = slaDueByIncident.get(incident.key);
      due = known ?? effectiveDueDate(item, incident, options.slaDays, calendar);
      if (!known) slaDueByIncident.set(incident.key, due);
    }
    const { dueDate, dueDateSource } = due;
    const open = item.statusCategory !== 'done';
    const daysOverdue = open && dueDate !== null && dueDate < today ? todayNumber - dayNumber(dueDate) : null;
    // Built field by field: a rest-spread per item is the slowest part of a cold run.
    return {
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
    };
  });
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
  let done = 0;
  let overdue = 0;
  let withDue = 0;
  let onTime = 0;
  const daysToClose: number[] = [];
  for (const view of views) {
    if (view.statusCategory !== 'done') {
      if (view.daysOverdue !== null && view.daysOverdue > 0) overdue += 1;
      continue;
    }
    done += 1;
    const resolvedMs = view.resolvedAt === null ? Number.NaN : Date.parse(view.resolvedAt);
    if (view.dueDate !== null) {
      withDue += 1;
      if (!Number.isNaN(resolvedMs) && calendar.dateOf(resolvedMs) <= view.dueDate) onTime += 1;
    }
    if (!Number.isNaN(resolvedMs)) daysToClose.push((resolvedMs - Date.parse(view.createdAt)) / 86_400_000);
  }
  daysToClose.sort((a, b) => a - b);
  const total = views.length;
  return {
    total,
    open: total - done,
    done,
    overdue,
    completionRate: total === 0 ? null : done / total,
    onTimeRate: withDue === 0 ? null : onTime / withDue,
    medianDaysToClose: percentileInc(daysToClose, 0.5),
  };
}
