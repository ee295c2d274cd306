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
 * - whether a kept incident is behind an overdue fix comes from the same searches: each late
 *   interval marks its start and end in the group, and a running sum tells covered positions;
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

const dayAfterStarts = new Map<string, number>();

/**
 * 00:00 (in the zone) of the day after a date. Cached across computations (luxon's answer
 * costs more than the rest of an item's work), like calendar.ts's dayNumber.
 */
function dayAfterStart(cache: Map<IsoDate, number>, dueDate: IsoDate, timezone: string): number {
  let ms = cache.get(dueDate);
  if (ms === undefined) {
    const key = `${timezone} ${dueDate}`;
    ms = dayAfterStarts.get(key);
    if (ms === undefined) {
      ms = Date.parse(startOfDate(addDays(dueDate, 1), timezone));
      if (dayAfterStarts.size > 100_000) dayAfterStarts.clear();
      dayAfterStarts.set(key, ms);
    }
    cache.set(dueDate, ms);
  }
  return ms;
}

/** Caches of one computation: 00:00 of the day after each due date, the SLA due date of each incident. */
export interface LateIntervalCache {
  dayStarts: Map<IsoDate, number>;
  slaDueDates: Map<string, IsoDate | null>;
}

export function lateIntervalCache(): LateIntervalCache {
  return { dayStarts: new Map(), slaDueDates: new Map() };
}

/**
 * The instants an item of incident A was late at, or null when it never was. placeMs is A's
 * place in time and resolvedMs the item's resolvedAt (NaN when it has none), parsed once by the caller.
 */
function lateIntervalOf(
  item: ActionItem,
  incident: Incident,
  placeMs: number,
  resolvedMs: number,
  options: RecurrenceOptions,
  cache: LateIntervalCache,
): LateInterval | null {
  const done = item.statusCategory === 'done';
  if (done && Number.isNaN(resolvedMs)) return null; // done without a resolvedAt counts as done
  const untilMs = done ? resolvedMs : Number.POSITIVE_INFINITY;
  let dueDate: IsoDate | null;
  if (item.jiraDueDate) dueDate = item.jiraDueDate;
  else {
    // Items of one incident share its SLA date: derive it once per incident.
    const known = cache.slaDueDates.get(incident.key);
    dueDate = known === undefined ? effectiveDueDate(item, incident, options.slaDays, options.calendar).dueDate : known;
    if (known === undefined) cache.slaDueDates.set(incident.key, dueDate);
  }
  if (dueDate === null) return null;
  const fromMs = Math.max(placeMs + 1, dayAfterStart(cache.dayStarts, dueDate, options.timezone));
  return fromMs < untilMs ? { dueDate, fromMs, untilMs } : null;
}

/** The instants an item of incident A was late at, or null when it never was. */
export function lateInterval(
  item: ActionItem,
  incident: Incident,
  options: RecurrenceOptions,
  cache: LateIntervalCache = lateIntervalCache(),
): LateInterval | null {
  const resolvedMs = item.resolvedAt === null ? Number.NaN : instantMs(item.resolvedAt);
  return lateIntervalOf(item, incident, instantMs(incident.placeAt), resolvedMs, options, cache);
}

/**
 * Epoch ms of an instant. The store's instants are `YYYY-MM-DDTHH:MM:SS.sssZ`, read here
 * digit by digit (Date.parse was the largest cost of the look-up); any other form goes to
 * Date.parse.
 */
export function instantMs(iso: string): number {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 /* Z */ || iso.charCodeAt(10) !== 84 /* T */)
    return Date.parse(iso);
  const d = (i: number) => iso.charCodeAt(i) - 48;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  const minute = d(14) * 10 + d(15);
  const second = d(17) * 10 + d(18);
  const ms = d(20) * 100 + d(21) * 10 + d(22);
  if (!(
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31 &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    ms >= 0 &&
    ms <= 999
  )) {
    return Date.parse(iso);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** Index of the first element of sorted values not below ms. */
function lowerBound(sorted: number[], ms: number): number {
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
  places: number[];
  incidents: Incident[];
  /** +1/-1 marks of the late intervals over the positions (length places + 1). */
  behind: Int32Array;
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
  incidentsByKey: { get(key: string): Incident | undefined },
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
    const placeMs = instantMs(incident.placeAt);
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
    const places = incidents.map((incident) => instantMs(incident.placeAt));
    const order = incidents
      .map((_, i) => i)
      .sort(
        (a, b) =>
          (places[a] as number) - (places[b] as number) ||
          compareKeys((incidents[a] as Incident).key, (incidents[b] as Incident).key),
      );
    const group: ServiceSetGroup = {
      places: order.map((i) => places[i] as number),
      incidents: order.map((i) => incidents[i] as Incident),
      behind: new Int32Array(order.length + 1),
    };
    for (const service of key.split('\u0000')) {
      const groups = groupsOfService.get(service);
      if (groups) groups.push(group);
      else groupsOfService.set(service, [group]);
    }
  }

  // Each late item: its count of kept incidents, and its interval under each of its services.
  const groupsBySet = new Map<string, ServiceSetGroup[]>();
  const cache = lateIntervalCache();
  const candidates: Candidate[] = [];
  for (const [incidentKey, items] of itemsByIncident) {
    const incident = incidentsByKey.get(incidentKey);
    if (!incident || incident.services.length === 0) continue;
    const placeMs = instantMs(incident.placeAt);
    if (!(placeMs < lastKeptMs)) continue;
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
      let resolvedMs = Number.NaN;
      if (item.statusCategory === 'done') {
        // Cheap exclusion first: done by the first kept incident.
        resolvedMs = item.resolvedAt === null ? Number.NaN : instantMs(item.resolvedAt);
        if (!(resolvedMs > firstKeptMs)) continue;
      }
      const interval = lateIntervalOf(item, incident, placeMs, resolvedMs, options, cache);
      if (!interval || interval.fromMs > lastKeptMs || interval.untilMs <= firstKeptMs) continue;
      let count = 0;
      const open = interval.untilMs === Number.POSITIVE_INFINITY;
      for (const group of groups) {
        const first = lowerBound(group.places, interval.fromMs);
        const end = open ? group.places.length : lowerBound(group.places, interval.untilMs);
        if (end <= first) continue;
        count += end - first;
        // Mark [first, end) of the group as behind a fix (summed below).
        group.behind[first] = (group.behind[first] as number) + 1;
        group.behind[end] = (group.behind[end] as number) - 1;
      }
      if (count > 0) candidates.push({ item, interval, groups, count });
    }
  }
  if (candidates.length === 0) return { ...empty, rate: 0 };

  // The groups split the kept incidents that have services; an incident is behind a fix when
  // some late item's interval covers its position in its group.
  let behindOverdueFix = 0;
  for (const group of new Set([...groupsOfService.values()].flat())) {
    let running = 0;
    for (let i = 0; i < group.places.length; i += 1) {
      running += group.behind[i] as number;
      if (running > 0) behindOverdueFix += 1;
    }
  }

  const items: RecurrenceItem[] = firstRanked(candidates, RECURRENCE_ITEMS).map(({ item, interval, groups }) => {
    const hit: Array<{ placeMs: number; key: string }> = [];
    for (const group of groups) {
      const end = lowerBound(group.places, interval.untilMs);
      for (let i = lowerBound(group.places, interval.fromMs); i < end; i += 1) {
        hit.push({ placeMs: group.places[i] as number, key: (group.incidents[i] as Incident).key });
      }
    }
    hit.sort((a, b) => a.placeMs - b.placeMs || compareKeys(a.key, b.key));
    return {
      key: item.key,
      incidentKey: item.incidentKey as string,
      dueDate: interval.dueDate,
      incidents: hit.map((incident) => incident.key),
    };
  });
  return { behindOverdueFix, rate: behindOverdueFix / kept.length, items, itemsTotal: candidates.length };
}

/** Most incidents first, then due date, then key. */
function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    b.count - a.count || compareKeys(a.interval.dueDate, b.interval.dueDate) || compareKeys(a.item.key, b.item.key)
  );
}

/** The first `limit` candidates in rank order, without sorting them all. */
function firstRanked(candidates: Candidate[], limit: number): Candidate[] {
  const top: Candidate[] = [];
  for (const candidate of candidates) {
    if (top.length === limit && compareCandidates(candidate, top[limit - 1] as Candidate) >= 0) continue;
    let i = top.length;
    while (i > 0 && compareCandidates(candidate, top[i - 1] as Candidate) < 0) i -= 1;
    top.splice(i, 0, candidate);
    if (top.length > limit) top.pop();
  }
  return top;
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
  const placeMs = instantMs(incident.placeAt);
  const services = new Set(incident.services);
  const cache = lateIntervalCache();
  const keys: string[] = [];
  for (const earlier of incidents) {
    if (earlier.key === incident.key || !(instantMs(earlier.placeAt) < placeMs)) continue;
    if (!earlier.services.some((service) => services.has(service))) continue;
    for (const item of itemsByIncident.get(earlier.key) ?? []) {
      const interval = lateInterval(item, earlier, options, cache);
      if (interval && interval.fromMs <= placeMs && placeMs < interval.untilMs) keys.push(item.key);
    }
  }
  return keys.sort(compareKeys);
}
