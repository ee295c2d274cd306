/**
 * Which late fixes the next incidents hit (docs/insights.md).
 *
 * An action item X of incident A was overdue at incident B when B is not A, B shares a
 * service with A (exact names), A's place in time is before B's, X's due date is before
 * B's calendar date in TIMEZONE, and X was not done at B's place in time (open now, or
 * resolved after it; done without a resolvedAt counts as done).
 *
 * In instants: X is late over [from, until), from = max(A's place + 1 ms, 00:00 of the day
 * after the due date), until = X's resolvedAt (never, while open). X was overdue at B
 * exactly when B shares a service with A and B's place lies in that interval. So:
 * - the incidents each item was overdue at are counted by binary search in the kept
 *   incidents grouped by their set of services and sorted by place (no pair is visited);
 * - whether a kept incident is behind an overdue fix is one binary search per service in
 *   that service's merged late intervals;
 * - only the first RECURRENCE_ITEMS items list their incidents.
 * Nothing here is quadratic in the incidents of a service.
 */
import type { Recurrence, RecurrenceItem } from '../domain/api.js';
import type { ActionItem, Incident, IsoDate, Severity } from '../domain/types.js';
import { addDays, startOfDate } from '../time.js';
import { compareKeys, effectiveDueDate } from './actionItems.js';
import type { ZoneCalendar } from './calendar.js';

/** How many items `recurrence.items` lists (itemsTotal counts them all). */
export const RECURRENCE_ITEMS = 20;

export interface RecurrenceOptions {
  timezone: string;
  slaDays: Record<Severity, number>;
  calendar: ZoneCalendar;
}

/** When an item was late, as instants: [fromMs, untilMs). */
export interface LateInterval {
  dueDate: IsoDate;
  fromMs: number;
  untilMs: number;
}

/** 00:00 (in the zone) of the day after a date, cached per computation. */
function dayAfterStart(cache: Map<IsoDate, number>, dueDate: IsoDate, timezone: string): number {
  let ms = cache.get(dueDate);
  if (ms === undefined) {
    ms = Date.parse(startOfDate(addDays(dueDate, 1), timezone));
    cache.set(dueDate, ms);
  }
  return ms;
}

/** The instants an item of incident A was late at, or null when it never was. */
export function lateInterval(
  item: ActionItem,
  incident: Incident,
  options: RecurrenceOptions,
  dayStarts: Map<IsoDate, number> = new Map(),
): LateInterval | null {
  const done = item.statusCategory === 'done';
  if (done && item.resolvedAt === null) return null;
  const untilMs = done ? Date.parse(item.resolvedAt as string) : Number.POSITIVE_INFINITY;
  const { dueDate } = effectiveDueDate(item, incident, options.slaDays, options.calendar);
  if (dueDate === null || Number.isNaN(untilMs)) return null;
  const fromMs = Math.max(Date.parse(incident.placeAt) + 1, dayAfterStart(dayStarts, dueDate, options.timezone));
  return fromMs < untilMs ? { dueDate, fromMs, untilMs } : null;
}

/** Index of the first element of sorted values not below ms. */
function lowerBound(sorted: Float64Array | number[], ms: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function distinctServices(incident: Incident): string[] {
  return [...new Set(incident.services)].sort(compareKeys);
}

/** Kept incidents with the same set of services, by place then key. */
interface ServiceSetGroup {
  places: Float64Array;
  incidents: Incident[];
}

interface Candidate {
  item: ActionItem;
  interval: LateInterval;
  groups: ServiceSetGroup[];
  count: number;
}

/**
 * The recurrence block of GET /api/metrics: kept = the incidents the window and filters
 * keep; incidents and items = everything (a late fix and its incident may lie outside both).
 */
export function computeRecurrence(
  kept: Incident[],
  incidentsByKey: Map<string, Incident>,
  itemsByIncident: Map<string, ActionItem[]>,
  options: RecurrenceOptions,
): Recurrence {
  const empty: Recurrence = { behindOverdueFix: 0, rate: null, items: [], itemsTotal: 0 };
  if (kept.length === 0) return empty;

  // Kept incidents grouped by their exact set of services; each service knows its groups.
  const byServiceSet = new Map<string, Incident[]>();
  let firstKeptMs = Number.POSITIVE_INFINITY;
  let lastKeptMs = Number.NEGATIVE_INFINITY;
  for (const incident of kept) {
    const placeMs = Date.parse(incident.placeAt);
    firstKeptMs = Math.min(firstKeptMs, placeMs);
    lastKeptMs = Math.max(lastKeptMs, placeMs);
    const services = distinctServices(incident);
    if (services.length === 0) continue;
    const key = services.join('\u0000');
    const list = byServiceSet.get(key);
    if (list) list.push(incident);
    else byServiceSet.set(key, [incident]);
  }
  const groupsOfService = new Map<string, ServiceSetGroup[]>();
  for (const [key, incidents] of byServiceSet) {
    const places = incidents.map((incident) => Date.parse(incident.placeAt));
    const order = incidents.map((_, i) => i).sort((a, b) => (places[a] as number) - (places[b] as number) || compareKeys((incidents[a] as Incident).key, (incidents[b] as Incident).key));
    const group: ServiceSetGroup = {
      places: Float64Array.from(order, (i) => places[i] as number),
      incidents: order.map((i) => incidents[i] as Incident),
    };
    for (const service of key.split('\u0000')) {
      const groups = groupsOfService.get(service);
      if (groups) groups.push(group);
      else groupsOfService.set(service, [group]);
    }
  }

  // Each late item: its count of kept incidents, and its interval under each of its services.
  const groupsBySet = new Map<string, ServiceSetGroup[]>();
  const intervalsOfService = new Map<string, Array<[number, number]>>();
  const dayStarts = new Map<IsoDate, number>();
  const candidates: Candidate[] = [];
  for (const [incidentKey, items] of itemsByIncident) {
    const incident = incidentsByKey.get(incidentKey);
    if (!incident || incident.services.length === 0) continue;
    if (!(Date.parse(incident.placeAt) < lastKeptMs)) continue;
    const services = distinctServices(incident);
    const setKey = services.join('\u0000');
    let groups = groupsBySet.get(setKey);
    if (!groups) {
      const seen = new Set<ServiceSetGroup>();
      for (const service of services) for (const group of groupsOfService.get(service) ?? []) seen.add(group);
      groups = [...seen];
      groupsBySet.set(setKey, groups);
    }
    if (groups.length === 0) continue;
    for (const item of items) {
      // Cheap exclusions first: resolved before the first kept incident.
      if (item.statusCategory === 'done' && !(item.resolvedAt !== null && Date.parse(item.resolvedAt) > firstKeptMs)) continue;
      const interval = lateInterval(item, incident, options, dayStarts);
      if (!interval || interval.fromMs > lastKeptMs || interval.untilMs <= firstKeptMs) continue;
      let count = 0;
      for (const group of groups) count += lowerBound(group.places, interval.untilMs) - lowerBound(group.places, interval.fromMs);
      if (count === 0) continue;
      candidates.push({ item, interval, groups, count });
      for (const service of services) {
        const list = intervalsOfService.get(service);
        if (list) list.push([interval.fromMs, interval.untilMs]);
        else intervalsOfService.set(service, [[interval.fromMs, interval.untilMs]]);
      }
    }
  }
  if (candidates.length === 0) return { ...empty, rate: 0 };

  const merged = new Map<string, { starts: number[]; ends: number[] }>();
  for (const [service, intervals] of intervalsOfService) merged.set(service, mergeIntervals(intervals));
  let behindOverdueFix = 0;
  for (const incident of kept) {
    const placeMs = Date.parse(incident.placeAt);
    const covered = incident.services.some((service) => {
      const union = merged.get(service);
      if (!union) return false;
      const i = lowerBound(union.starts, placeMs + 1) - 1; // last interval starting at or before placeMs
      return i >= 0 && placeMs < (union.ends[i] as number);
    });
    if (covered) behindOverdueFix += 1;
  }

  candidates.sort(
    (a, b) => b.count - a.count || compareKeys(a.interval.dueDate, b.interval.dueDate) || compareKeys(a.item.key, b.item.key),
  );
  const items: RecurrenceItem[] = candidates.slice(0, RECURRENCE_ITEMS).map(({ item, interval, groups }) => {
    const hit: Incident[] = [];
    for (const group of groups) {
      const end = lowerBound(group.places, interval.untilMs);
      for (let i = lowerBound(group.places, interval.fromMs); i < end; i += 1) hit.push(group.incidents[i] as Incident);
    }
    hit.sort((a, b) => Date.parse(a.placeAt) - Date.parse(b.placeAt) || compareKeys(a.key, b.key));
    return { key: item.key, incidentKey: item.incidentKey as string, dueDate: interval.dueDate, incidents: hit.map((incident) => incident.key) };
  });
  return { behindOverdueFix, rate: behindOverdueFix / kept.length, items, itemsTotal: candidates.length };
}

/** Sorted, disjoint union of half-open intervals. */
function mergeIntervals(intervals: Array<[number, number]>): { starts: number[]; ends: number[] } {
  intervals.sort((a, b) => a[0] - b[0]);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const [from, until] of intervals) {
    const last = ends.length - 1;
    if (last >= 0 && from <= (ends[last] as number)) ends[last] = Math.max(ends[last] as number, until);
    else {
      starts.push(from);
      ends.push(until);
    }
  }
  return { starts, ends };
}

/**
 * The action items that were overdue at one incident, sorted by key (GET /api/incidents/:key).
 * One pass over the incidents before it: a single incident's answer needs no index.
 */
export function overdueFixesAt(
  incident: Incident,
  incidents: Iterable<Incident>,
  itemsByIncident: Map<string, ActionItem[]>,
  options: RecurrenceOptions,
): string[] {
  const placeMs = Date.parse(incident.placeAt);
  const services = new Set(incident.services);
  const dayStarts = new Map<IsoDate, number>();
  const keys: string[] = [];
  for (const earlier of incidents) {
    if (earlier.key === incident.key || !(Date.parse(earlier.placeAt) < placeMs)) continue;
    if (!earlier.services.some((service) => services.has(service))) continue;
    for (const item of itemsByIncident.get(earlier.key) ?? []) {
      const interval = lateInterval(item, earlier, options, dayStarts);
      if (interval && interval.fromMs <= placeMs && placeMs < interval.untilMs) keys.push(item.key);
    }
  }
  return keys.sort(compareKeys);
}
