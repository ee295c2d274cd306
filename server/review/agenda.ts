/**
 * The agenda of a weekly reliability review (GET /api/review, docs/meetings.md), gathered
 * from the same MetricsService the other routes answer from, so every number can be
 * checked against /api/metrics, /api/incidents and /api/action-items:
 *
 * - headline: /api/metrics over the week's [from, to) in TIMEZONE, with its `previous`
 *   window (the week before) and, when the server computes it, `change`;
 * - incidents: the week's P0 and P1 incidents with their post-mortem's state;
 * - overdueByOwner: /api/action-items?overdue=true grouped by owner;
 * - sinceLastReview: action items done during the week, and action items whose due date
 *   fell in the week (and has passed) that were not done by it.
 */
import type { ActionItemView, SeverityKey } from '../domain/types.js';
import type { IncidentDetailResponse, MetricsCore, ReviewIncident, ReviewResponse } from '../domain/api.js';
import { compareKeys, type MetricsService } from '../metrics/index.js';
import { MAJOR_SEVERITIES } from '../digest/content.js';
import { shiftWeek, weekRange, weekStartDate } from '../digest/weeks.js';
import { calendarDate } from '../time.js';

type ReviewSource = Pick<MetricsService, 'metrics' | 'incidents' | 'incident' | 'actionItems'>;

const headlineOf = (core: MetricsCore) => ({
  incidents: core.incidents,
  timeToDetect: core.timeToDetect,
  timeToAcknowledge: core.timeToAcknowledge,
  timeToResolve: core.timeToResolve,
  actionItems: core.actionItems,
});

const isDone = (item: ActionItemView): boolean => item.statusCategory === 'done';
export const isOverdue = (item: ActionItemView): boolean => item.daysOverdue !== null && item.daysOverdue > 0;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function reviewIncident(detail: IncidentDetailResponse): ReviewIncident {
  const items = detail.actionItems;
  return {
    key: detail.key,
    summary: detail.summary,
    severity: (detail.severity ?? 'unknown') as SeverityKey,
    status: detail.status,
    resolved: detail.resolvedAt !== null || detail.statusCategory === 'done',
    url: detail.url,
    placeAt: detail.placeAt,
    postmortemImportedAt: detail.postmortem?.importedAt ?? null,
    actionItems: {
      total: items.length,
      open: items.filter((item) => !isDone(item)).length,
      done: items.filter(isDone).length,
      overdue: items.filter(isOverdue).length,
    },
    ...(detail.behindOverdueFixes ? { behindOverdueFixes: detail.behindOverdueFixes } : {}),
  };
}

/** Groups overdue items by owner: most items first, then owner name; items without an owner last. */
export function groupByOwner(items: ActionItemView[]): ReviewResponse['overdueByOwner'] {
  const groups = new Map<string | null, ActionItemView[]>();
  for (const item of items) {
    const list = groups.get(item.owner);
    if (list) list.push(item);
    else groups.set(item.owner, [item]);
  }
  return [...groups.entries()]
    .map(([owner, list]) => ({ owner, items: list }))
    .sort(
      (a, b) =>
        Number(a.owner === null) - Number(b.owner === null) ||
        b.items.length - a.items.length ||
        (a.owner ?? '').localeCompare(b.owner ?? ''),
    );
}

export async function reviewAgenda(
  source: ReviewSource,
  options: { week: string; timezone: string; now: Date },
): Promise<ReviewResponse> {
  const { week, timezone } = options;
  const range = weekRange(week, timezone);
  const window = { from: new Date(range.from), to: new Date(range.to) };
  const firstDay = weekStartDate(week);
  const lastDay = addDays(firstDay, 6);
  const today = calendarDate(options.now, timezone);
  const [metrics, weekIncidents, overdue, allItems] = await Promise.all([
    source.metrics(window),
    source.incidents(window),
    source.actionItems({ overdue: true }),
    source.actionItems({}),
  ]);
  const major = weekIncidents.items
    .filter((incident) => MAJOR_SEVERITIES.includes(incident.severity ?? 'unknown'))
    .sort(
      (a, b) =>
        (a.severity ?? '').localeCompare(b.severity ?? '') ||
        a.placeAt.localeCompare(b.placeAt) ||
        compareKeys(a.key, b.key),
    );
  const incidents = await Promise.all(
    major.map(async (incident) => reviewIncident(await source.incident(incident.key))),
  );

  const closed = allItems.items.filter(
    (item) => item.resolvedAt !== null && item.resolvedAt >= range.from && item.resolvedAt < range.to,
  );
  const becameOverdue = allItems.items.filter((item) => {
    if (item.dueDate === null || item.dueDate < firstDay || item.dueDate > lastDay || item.dueDate >= today)
      return false;
    if (!isDone(item)) return true;
    return item.resolvedAt !== null && calendarDate(item.resolvedAt, timezone) > item.dueDate;
  });

  return {
    week,
    previousWeek: shiftWeek(week, -1),
    nextWeek: shiftWeek(week, 1),
    timezone,
    firstDay,
    lastDay,
    range,
    headline: {
      ...headlineOf(metrics),
      previous: metrics.previous ? headlineOf(metrics.previous) : null,
      ...(metrics.change ? { change: metrics.change } : {}),
    },
    incidents,
    overdueByOwner: groupByOwner(overdue.items),
    sinceLastReview: { closed, becameOverdue },
    ...(metrics.recurrence ? { recurrence: metrics.recurrence } : {}),
  };
}
