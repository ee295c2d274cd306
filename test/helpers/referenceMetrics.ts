/**
 * A second, deliberately plain implementation of the metric definitions (docs/metrics.md), used to
 * check every number of GET /api/metrics. It shares no code with server/metrics or
 * server/time: calendar dates come from Intl (not luxon), percentiles, weeks, due dates
 * and rates are written out as loops.
 */
import type { ActionItem, Incident, Severity } from '../../server/domain/types.js';
import { referenceBinomialP, referenceMannWhitneyP } from './referenceStatistics.js';

const DAY = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of an instant in a zone, from Intl. */
function wallClock(ms: number, zone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute'), s: get('second') };
}

/** The zone's offset at an instant, in ms (local wall clock minus UTC). */
function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const wallAsUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s);
  return wallAsUtc - Math.floor(ms / 1000) * 1000;
}

export function localDate(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  return `${String(w.y).padStart(4, '0')}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** 00:00 of a local date in a zone, as epoch ms. */
function localMidnight(date: string, zone: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  let guess = utcMidnight - offsetAt(utcMidnight, zone);
  guess = utcMidnight - offsetAt(guess, zone);
  return guess;
}

function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  const back = weekday === 0 ? 6 : weekday - 1;
  return plusDays(date, -back);
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const r = p * (sorted.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return sorted[lo]! + (r - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface RefTime {
  count: number;
  missing: number;
  invalid: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

function timeMetric(incidents: Incident[], earlier: keyof Incident, later: keyof Incident): RefTime {
  const values: number[] = [];
  let missing = 0;
  let invalid = 0;
  for (const incident of incidents) {
    const a = incident[earlier] as string | null;
    const b = incident[later] as string | null;
    if (a === null || b === null) {
      missing++;
    } else if (Date.parse(b) < Date.parse(a)) {
      invalid++;
    } else {
      values.push((Date.parse(b) - Date.parse(a)) / 1000);
    }
  }
  values.sort((x, y) => x - y);
  let sum = 0;
  for (const v of values) sum += v;
  return {
    count: values.length,
    missing,
    invalid,
    meanSeconds: values.length ? sum / values.length : null,
    medianSeconds: percentile(values, 0.5),
    p90Seconds: percentile(values, 0.9),
  };
}

export interface RefParams {
  from: number;
  to: number;
  service?: string;
  severity?: string;
  now: number;
  zone: string;
  sla: Record<Severity, number>;
}

export function refIncidents(
  incidents: Incident[],
  p: Pick<RefParams, 'from' | 'to' | 'service' | 'severity'>,
): Incident[] {
  const kept: Incident[] = [];
  for (const incident of incidents) {
    const place = Date.parse(incident.startedAt ?? incident.createdAt);
    if (place < p.from || place >= p.to) continue;
    if (p.service !== undefined && !incident.services.includes(p.service)) continue;
    if (p.severity !== undefined && (incident.severity ?? 'unknown') !== p.severity) continue;
    kept.push(incident);
  }
  return kept;
}

export function refDueDate(item: ActionItem, incident: Incident | undefined, p: RefParams): string | null {
  if (item.jiraDueDate) return item.jiraDueDate;
  if (incident && incident.resolvedAt && incident.severity) {
    return plusDays(localDate(Date.parse(incident.resolvedAt), p.zone), p.sla[incident.severity]);
  }
  return null;
}

export function refDaysOverdue(item: ActionItem, incident: Incident | undefined, p: RefParams): number | null {
  const due = refDueDate(item, incident, p);
  const today = localDate(p.now, p.zone);
  if (item.statusCategory === 'done' || due === null || !(due < today)) return null;
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) / DAY);
}

export function refWindow(incidents: Incident[], items: ActionItem[], p: RefParams) {
  const kept = refIncidents(incidents, p);
  const keys = new Set(kept.map((i) => i.key));
  const byKey = new Map(incidents.map((i) => [i.key, i]));

  const bySeverity: Record<string, number> = {};
  const byService: Record<string, number> = {};
  const byDetection: Record<string, number> = { automated: 0, customer: 0, internal: 0, unknown: 0 };
  for (const incident of kept) {
    const sev = incident.severity ?? 'unknown';
    bySeverity[sev] = (bySeverity[sev] ?? 0) + 1;
    for (const service of new Set(incident.services)) byService[service] = (byService[service] ?? 0) + 1;
    byDetection[incident.detection] = (byDetection[incident.detection] ?? 0) + 1;
  }

  const weeks: Array<{
    weekStart: string;
    start: number;
    end: number;
    total: number;
    bySeverity: Record<string, number>;
  }> = [];
  let monday = mondayOf(localDate(p.from, p.zone));
  while (localMidnight(monday, p.zone) < p.to) {
    weeks.push({
      weekStart: monday,
      start: localMidnight(monday, p.zone),
      end: localMidnight(plusDays(monday, 7), p.zone),
      total: 0,
      bySeverity: {},
    });
    monday = plusDays(monday, 7);
  }
  for (const incident of kept) {
    const weekStart = mondayOf(localDate(Date.parse(incident.startedAt ?? incident.createdAt), p.zone));
    const week = weeks.find((w) => w.weekStart === weekStart);
    if (!week) throw new Error(`reference: no week ${weekStart}`);
    week.total++;
    const sev = incident.severity ?? 'unknown';
    week.bySeverity[sev] = (week.bySeverity[sev] ?? 0) + 1;
  }

  const windowItems = items.filter((item) => item.incidentKey !== null && keys.has(item.incidentKey));
  let done = 0;
  let overdue = 0;
  let withDue = 0;
  let onTime = 0;
  const closeDays: number[] = [];
  for (const item of windowItems) {
    const incident = byKey.get(item.incidentKey as string);
    const due = refDueDate(item, incident, p);
    if (item.statusCategory === 'done') {
      done++;
      if (due !== null) {
        withDue++;
        if (item.resolvedAt !== null && localDate(Date.parse(item.resolvedAt), p.zone) <= due) onTime++;
      }
      if (item.resolvedAt !== null) closeDays.push((Date.parse(item.resolvedAt) - Date.parse(item.createdAt)) / DAY);
    } else if (refDaysOverdue(item, incident, p) !== null) {
      overdue++;
    }
  }
  closeDays.sort((a, b) => a - b);

  return {
    kept,
    windowItems,
    weeks,
    core: {
      range: { from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString() },
      incidents: {
        total: kept.length,
        bySeverity,
        byService,
        byWeek: weeks.map((w) => ({ weekStart: w.weekStart, total: w.total, bySeverity: w.bySeverity })),
        byDetection,
      },
      timeToDetect: timeMetric(kept, 'startedAt', 'detectedAt'),
      timeToAcknowledge: timeMetric(kept, 'detectedAt', 'acknowledgedAt'),
      timeToResolve: timeMetric(kept, 'startedAt', 'resolvedAt'),
      actionItems: {
        total: windowItems.length,
        open: windowItems.length - done,
        done,
        overdue,
        completionRate: windowItems.length ? done / windowItems.length : null,
        onTimeRate: withDue ? onTime / withDue : null,
        medianDaysToClose: percentile(closeDays, 0.5),
      },
    },
  };
}

/** Every number of a MetricsResponse, the plain way. */
export function referenceMetrics(incidents: Incident[], items: ActionItem[], p: RefParams) {
  const current = refWindow(incidents, items, p);
  const previous = refWindow(incidents, items, { ...p, from: p.from - (p.to - p.from), to: p.from });

  const bySeverity: Record<string, { timeToDetect: RefTime; timeToAcknowledge: RefTime; timeToResolve: RefTime }> = {};
  for (const sev of ['P0', 'P1', 'P2', 'P3', 'P4', 'unknown']) {
    if (p.severity !== undefined && p.severity !== sev) continue;
    const group = refWindow(incidents, items, { ...p, severity: sev });
    if (group.kept.length === 0) continue;
    bySeverity[sev] = {
      timeToDetect: group.core.timeToDetect,
      timeToAcknowledge: group.core.timeToAcknowledge,
      timeToResolve: group.core.timeToResolve,
    };
  }

  const weekly = current.weeks.map((week) => {
    const clipped = refWindow(incidents, items, {
      ...p,
      from: Math.max(week.start, p.from),
      to: Math.min(week.end, p.to),
    });
    let opened = 0;
    let closed = 0;
    let openAtEnd = 0;
    for (const item of current.windowItems) {
      const created = Date.parse(item.createdAt);
      const resolved = item.statusCategory === 'done' && item.resolvedAt !== null ? Date.parse(item.resolvedAt) : null;
      if (created >= week.start && created < week.end) opened++;
      if (resolved !== null && resolved >= week.start && resolved < week.end) closed++;
      const closedByEnd = item.statusCategory === 'done' && (resolved === null || resolved < week.end);
      if (created < week.end && !closedByEnd) openAtEnd++;
    }
    return {
      weekStart: week.weekStart,
      timeToDetect: clipped.core.timeToDetect,
      timeToAcknowledge: clipped.core.timeToAcknowledge,
      timeToResolve: clipped.core.timeToResolve,
      actionItemsOpened: opened,
      actionItemsClosed: closed,
      actionItemsOpenAtEnd: openAtEnd,
    };
  });

  // Data quality: which incidents have a missing or out-of-order point, which items lack an owner or a due date.
  const byKey = new Map(incidents.map((i) => [i.key, i]));
  const badIncidents: string[] = [];
  for (const incident of current.kept) {
    const missing =
      incident.startedAt === null ||
      incident.detectedAt === null ||
      (incident.acknowledgedAt === null && incident.statusCategory !== 'new') ||
      (incident.resolvedAt === null && incident.statusCategory === 'done');
    const before = (a: string | null, b: string | null) => a !== null && b !== null && Date.parse(b) < Date.parse(a);
    const disorder =
      before(incident.startedAt, incident.detectedAt) ||
      before(incident.detectedAt, incident.acknowledgedAt) ||
      before(incident.startedAt, incident.resolvedAt) ||
      before(incident.startedAt, incident.endedAt);
    if (missing || disorder || incident.readProblems.length > 0) badIncidents.push(incident.key);
  }
  const badItems: string[] = [];
  for (const item of current.windowItems) {
    if (!item.owner || refDueDate(item, byKey.get(item.incidentKey as string), p) === null) badItems.push(item.key);
  }

  return {
    ...current.core,
    bySeverity,
    previous: previous.core,
    weekly,
    recurrence: refRecurrence(incidents, items, current.kept, p),
    change: refChange(current.kept, previous.kept),
    dataQuality: { incidents: badIncidents, actionItems: badItems },
  };
}

function placeOf(incident: Incident): number {
  return Date.parse(incident.startedAt ?? incident.createdAt);
}

/**
 * docs/insights.md, "behind an overdue fix", pair by pair: every kept incident against
 * every action item of every incident.
 */
export function refRecurrence(incidents: Incident[], items: ActionItem[], kept: Incident[], p: RefParams) {
  const byKey = new Map(incidents.map((i) => [i.key, i]));
  const candidates: Array<{ item: ActionItem; origin: Incident; due: string }> = [];
  for (const item of items) {
    const origin = item.incidentKey === null ? undefined : byKey.get(item.incidentKey);
    if (!origin) continue;
    const due = refDueDate(item, origin, p);
    if (due !== null) candidates.push({ item, origin, due });
  }
  const hits = new Map<string, { item: ActionItem; due: string; incidents: Incident[] }>();
  let behind = 0;
  for (const b of kept) {
    const bDate = localDate(placeOf(b), p.zone);
    let isBehind = false;
    for (const { item, origin, due } of candidates) {
      if (origin.key === b.key) continue;
      if (!origin.services.some((s) => b.services.includes(s))) continue;
      if (!(placeOf(origin) < placeOf(b))) continue;
      if (!(due < bDate)) continue;
      let doneAt = Number.POSITIVE_INFINITY;
      if (item.statusCategory === 'done')
        doneAt = item.resolvedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(item.resolvedAt);
      if (!(doneAt > placeOf(b))) continue;
      isBehind = true;
      const entry = hits.get(item.key) ?? { item, due, incidents: [] };
      entry.incidents.push(b);
      hits.set(item.key, entry);
    }
    if (isBehind) behind++;
  }
  const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const all = [...hits.values()].sort(
    (a, b) => b.incidents.length - a.incidents.length || byString(a.due, b.due) || byString(a.item.key, b.item.key),
  );
  return {
    behindOverdueFix: behind,
    rate: kept.length ? behind / kept.length : null,
    items: all.slice(0, 20).map((entry) => ({
      key: entry.item.key,
      incidentKey: entry.item.incidentKey,
      dueDate: entry.due,
      incidents: entry.incidents.sort((a, b) => placeOf(a) - placeOf(b) || byString(a.key, b.key)).map((i) => i.key),
    })),
    itemsTotal: all.length,
  };
}

function countedValues(incidents: Incident[], earlier: keyof Incident, later: keyof Incident): number[] {
  const values: number[] = [];
  for (const incident of incidents) {
    const a = incident[earlier] as string | null;
    const b = incident[later] as string | null;
    if (a !== null && b !== null && Date.parse(b) >= Date.parse(a)) values.push((Date.parse(b) - Date.parse(a)) / 1000);
  }
  return values;
}

/** docs/insights.md, "is this change real?": the tests by their definitions, with the reference statistics. */
export function refChange(current: Incident[], previous: Incident[]) {
  const durations = (earlier: keyof Incident, later: keyof Incident) => {
    const x = countedValues(current, earlier, later);
    const y = countedValues(previous, earlier, later);
    if (x.length < 5 || y.length < 5) return { p: null, significant: false };
    const pValue = referenceMannWhitneyP(x, y);
    return { p: pValue, significant: pValue < 0.05 };
  };
  const incidentsP = referenceBinomialP(current.length, previous.length);
  return {
    incidents: { p: incidentsP, significant: incidentsP < 0.05 },
    timeToDetect: durations('startedAt', 'detectedAt'),
    timeToAcknowledge: durations('detectedAt', 'acknowledgedAt'),
    timeToResolve: durations('startedAt', 'resolvedAt'),
  };
}
