/**
 * Action items as the API shows them (with the effective due date) and their statistics.
 */
import type { ActionItemStats } from '../domain/api.js';
import type { ActionItem, ActionItemView, Incident, IsoDate, Severity } from '../domain/types.js';
import { addDays, daysBetween } from '../time.js';
import { ZoneCalendar } from './calendar.js';
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
  const calendar = options.calendar ?? new ZoneCalendar(options.timezone);
  const today = calendar.dateOf(options.now.getTime());
  return items.map((item) => {
    const incident = item.incidentKey === null ? undefined : incidentsByKey.get(item.incidentKey);
    const { dueDate, dueDateSource } = effectiveDueDate(item, incident, options.slaDays, calendar);
    const open = item.statusCategory !== 'done';
    const daysOverdue = open && dueDate !== null && dueDate < today ? daysBetween(dueDate, today) : null;
    const { jiraDueDate: _omitted, ...rest } = item;
    return { ...rest, dueDate, dueDateSource, daysOverdue };
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
