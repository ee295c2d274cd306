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
 * - each item's interval does not depend on the window or on today: a LateFixIndex keeps
 *   the intervals of every item that was ever late, grouped by its incident's set of
 *   services, and is patched when an incident or its items change;
 * - per query, each set of services has a reach: the kept incidents sharing one of its
 *   services, by place. The incidents a done fix was overdue at are found by binary search
 *   in its reach (no pair is visited); open fixes rank by their start, so a set's open
 *   fixes are searched only until they can no longer enter the ranking;
 * - whether a kept incident is behind an overdue fix comes from the same searches: each late
 *   interval marks its start and end in the reach, and a running sum tells covered positions;
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

/** 00:00 (in the zone) of the day after a date, remembered per date (luxon's answer costs more than the rest of an item's work). */
function dayAfterStart(cache: Map<IsoDate, number>, dueDate: IsoDate, timezone: string): number {
  let ms = cache.get(dueDate);
  if (ms === undefined) {
    ms = Date.parse(startOfDate(addDays(dueDate, 1), timezone));
    cache.set(dueDate, ms);
  }
  return ms;
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

const SERVICE_SEPARATOR = '\u0000';

/** An incident's exact set of services as one string (each once, sorted); '' when it has none. */
export function serviceSetKey(services: readonly string[]): string {
  if (services.length === 0) return '';
  if (services.length === 1) return services[0] as string;
  return [...new Set(services)].sort(compareKeys).join(SERVICE_SEPARATOR);
}

/** The services of a set key (serviceSetKey), each once. */
export function serviceSetServices(setKey: string): string[] {
  return setKey === '' ? [] : setKey.split(SERVICE_SEPARATOR);
}

/** One action item that was late at some time: the interval, and the item and incident it belongs to. */
export interface LateFix extends LateInterval {
  key: string;
  incidentKey: string;
}

interface Bucket {
  services: string[];
  /** The late fixes of each incident with this set of services. */
  byIncident: Map<string, LateFix[]>;
  /**
   * Open fixes by fromMs, done ones by untilMs: built from byIncident when first needed, then
   * kept in order by each change (a binary search and a splice per fix) until the changes
   * since the build reach a REBUILD_SHARE of the bucket, when building anew is cheaper.
   */
  sorted: { open: LateFix[]; done: LateFix[]; edits: number } | null;
}

/** Edits since the last sort, as a share of the bucket's fixes, above which it is sorted anew. */
const REBUILD_SHARE = 1 / 8;

const isOpen = (fix: LateFix) => fix.untilMs === Number.POSITIVE_INFINITY;
const openOrder = (fix: LateFix) => fix.fromMs;
const doneOrder = (fix: LateFix) => fix.untilMs;

/** Index of the first fix of `list` whose order value is not below `value` (or above it, with `after`). */
function boundOf(list: readonly LateFix[], value: number, order: (fix: LateFix) => number, after: boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const at = order(list[mid] as LateFix);
    if (at < value || (after && at === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keeps a bucket's sorted lists in order through one fix added or removed (or drops them, to be sorted anew). */
function editSorted(bucket: Bucket, fix: LateFix, add: boolean): void {
  const { sorted } = bucket;
  if (sorted === null) return;
  sorted.edits += 1;
  if (sorted.edits > Math.max(8, (sorted.open.length + sorted.done.length) * REBUILD_SHARE)) {
    bucket.sorted = null;
    return;
  }
  const list = isOpen(fix) ? sorted.open : sorted.done;
  const order = isOpen(fix) ? openOrder : doneOrder;
  const value = order(fix);
  if (add) {
    list.splice(boundOf(list, value, order, true), 0, fix);
    return;
  }
  for (let i = boundOf(list, value, order, false); i < list.length && order(list[i] as LateFix) === value; i += 1) {
    if (list[i] === fix) {
      list.splice(i, 1);
      return;
    }
  }
  bucket.sorted = null; // not where it should be: sorted anew when next needed
}

/** The late fixes of incidents with one exact set of services. */
export interface LateFixGroup {
  services: readonly string[];
  /** Still open (late until now), by fromMs. */
  open: readonly LateFix[];
  /** Done after being late, by untilMs. */
  done: readonly LateFix[];
}

/**
 * Every action item that was ever late, by its incident's exact set of services. Kept by the
 * metrics state across queries and patched per incident; built whole for a one-off computation.
 */
export class LateFixIndex {
  private readonly buckets = new Map<string, Bucket>();
  private readonly setOf = new Map<string, string>();
  /** 00:00 (in the zone) of the day after each due date seen. */
  private readonly dayStarts = new Map<IsoDate, number>();

  constructor(private readonly options: RecurrenceOptions) {}

  static of(
    incidents: Iterable<Incident>,
    itemsByIncident: Map<string, ActionItem[]>,
    options: RecurrenceOptions,
  ): LateFixIndex {
    const index = new LateFixIndex(options);
    for (const incident of incidents) index.set(incident, itemsByIncident.get(incident.key) ?? []);
    return index;
  }

  /** An incident and its items as they are now (replacing what the index had of it). */
  set(incident: Incident, items: readonly ActionItem[]): void {
    this.delete(incident.key);
    if (incident.services.length === 0 || items.length === 0) return;
    const placeMs = instantMs(incident.placeAt);
    // Items without a Jira due date share the incident's SLA date: derived once, when first needed.
    let slaDueDate: IsoDate | null | undefined;
    const fixes: LateFix[] = [];
    for (const item of items) {
      const done = item.statusCategory === 'done';
      // Done without a resolvedAt counts as done.
      const untilMs = !done
        ? Number.POSITIVE_INFINITY
        : item.resolvedAt === null
          ? Number.NaN
          : instantMs(item.resolvedAt);
      if (Number.isNaN(untilMs)) continue;
      let dueDate = item.jiraDueDate;
      if (!dueDate) {
        slaDueDate ??= effectiveDueDate(item, incident, this.options.slaDays, this.options.calendar).dueDate;
        dueDate = slaDueDate;
      }
      if (dueDate === null) continue;
      const fromMs = Math.max(placeMs + 1, dayAfterStart(this.dayStarts, dueDate, this.options.timezone));
      if (fromMs < untilMs) fixes.push({ key: item.key, incidentKey: incident.key, dueDate, fromMs, untilMs });
    }
    if (fixes.length === 0) return;
    const setKey = serviceSetKey(incident.services);
    let bucket = this.buckets.get(setKey);
    if (!bucket) {
      bucket = { services: serviceSetServices(setKey), byIncident: new Map(), sorted: null };
      this.buckets.set(setKey, bucket);
    }
    bucket.byIncident.set(incident.key, fixes);
    for (const fix of fixes) editSorted(bucket, fix, true);
    this.setOf.set(incident.key, setKey);
  }

  delete(incidentKey: string): void {
    const setKey = this.setOf.get(incidentKey);
    if (setKey === undefined) return;
    this.setOf.delete(incidentKey);
    const bucket = this.buckets.get(setKey);
    if (!bucket) return;
    for (const fix of bucket.byIncident.get(incidentKey) ?? []) editSorted(bucket, fix, false);
    bucket.byIncident.delete(incidentKey);
    if (bucket.byIncident.size === 0) this.buckets.delete(setKey);
  }

  /** The late fixes by their incident's set of services. */
  groups(): LateFixGroup[] {
    const groups: LateFixGroup[] = [];
    for (const bucket of this.buckets.values()) {
      if (bucket.sorted === null) {
        const open: LateFix[] = [];
        const done: LateFix[] = [];
        for (const fixes of bucket.byIncident.values())
          for (const fix of fixes) (fix.untilMs === Number.POSITIVE_INFINITY ? open : done).push(fix);
        // Open fixes rank by start (their count only falls as the start moves on); ties are ranked on offer.
        open.sort((a, b) => a.fromMs - b.fromMs);
        done.sort((a, b) => a.untilMs - b.untilMs);
        bucket.sorted = { open, done, edits: 0 };
      }
      groups.push({ services: bucket.services, open: bucket.sorted.open, done: bucket.sorted.done });
    }
    return groups;
  }
}

/** What the look-up needs of a kept incident (a PreparedIncident has it). */
export interface KeptIncident {
  incident: { key: string };
  placeMs: number;
  serviceSetKey: string;
}

interface Candidate {
  fix: LateFix;
  /** The group (position in the index's groups) whose reach holds its incidents: reach[first..end). */
  group: number;
  first: number;
  end: number;
}

function byPlaceThenKey(a: KeptIncident, b: KeptIncident): number {
  return a.placeMs - b.placeMs || compareKeys(a.incident.key, b.incident.key);
}

/** The kept incidents in place-then-key order (the state hands them over so already). */
function inPlaceOrder(kept: readonly KeptIncident[]): readonly KeptIncident[] {
  for (let i = 1; i < kept.length; i += 1)
    if (byPlaceThenKey(kept[i - 1] as KeptIncident, kept[i] as KeptIncident) > 0) return [...kept].sort(byPlaceThenKey);
  return kept;
}

/**
 * The kept incidents of each service, as ascending positions in `kept`, and the reach of a
 * set of services (the kept incidents sharing one of them). With at most 31 services each
 * kept incident carries a bit per service, and a reach is one scan of those bits; with more
 * it is a merge of the services' lists. A reach is written into a buffer the caller reuses.
 */
class KeptByService {
  private readonly lists = new Map<string, number[]>();
  private readonly bits = new Map<string, number>();
  private readonly masks: Int32Array | null;

  constructor(kept: readonly KeptIncident[]) {
    const setServices = new Map<string, string[]>();
    for (let position = 0; position < kept.length; position += 1) {
      const setKey = (kept[position] as KeptIncident).serviceSetKey;
      if (setKey === '') continue;
      let services = setServices.get(setKey);
      if (!services) {
        services = serviceSetServices(setKey);
        setServices.set(setKey, services);
      }
      for (const service of services) {
        const list = this.lists.get(service);
        if (list) list.push(position);
        else this.lists.set(service, [position]);
      }
    }
    if (this.lists.size > 31) {
      this.masks = null;
      return;
    }
    for (const service of this.lists.keys()) this.bits.set(service, 1 << this.bits.size);
    this.masks = new Int32Array(kept.length);
    for (const [service, list] of this.lists) {
      const bit = this.bits.get(service) as number;
      for (const position of list) this.masks[position] = (this.masks[position] as number) | bit;
    }
  }

  /**
   * Writes the ascending positions of the kept incidents sharing a service with the set
   * into `out` (as long as `kept`) and returns how many there are.
   */
  reach(services: readonly string[], out: Int32Array): number {
    const lists: number[][] = [];
    let mask = 0;
    let from = Number.POSITIVE_INFINITY;
    let to = -1;
    for (const service of services) {
      const list = this.lists.get(service);
      if (!list) continue;
      lists.push(list);
      mask |= this.bits.get(service) ?? 0;
      from = Math.min(from, list[0] as number);
      to = Math.max(to, list[list.length - 1] as number);
    }
    if (lists.length === 0) return 0;
    if (lists.length === 1) {
      const list = lists[0] as number[];
      for (let i = 0; i < list.length; i += 1) out[i] = list[i] as number;
      return list.length;
    }
    const { masks } = this;
    if (masks === null) return union(lists, out);
    // Without a branch per position (whether one shares a service is unpredictable): each
    // position is written, and the count moves on by 1 when it shares one (bits 0..30 only,
    // so a non-zero intersection plus 2^31 - 1 has bit 31 set).
    let n = 0;
    const last = to | 0;
    for (let position = from | 0; position <= last; position += 1) {
      out[n] = position;
      n += (((masks[position] as number) & mask) + 0x7fffffff) >>> 31;
    }
    return n;
  }
}

/** Writes the ascending union (each once) of ascending position lists into `out`; returns its length. */
function union(lists: readonly number[][], out: Int32Array): number {
  let merged = Int32Array.from(lists[0] as number[]);
  for (let l = 1; l < lists.length; l += 1) {
    const other = lists[l] as number[];
    const next = new Int32Array(merged.length + other.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < merged.length || j < other.length) {
      const a = i < merged.length ? (merged[i] as number) : Number.POSITIVE_INFINITY;
      const b = j < other.length ? (other[j] as number) : Number.POSITIVE_INFINITY;
      next[n++] = a <= b ? a : b;
      if (a <= b) i += 1;
      if (b <= a) j += 1;
    }
    merged = next.subarray(0, n);
  }
  out.set(merged);
  return merged.length;
}

/** Index of the first of sortedMs[lo..hi) not below ms. */
function firstAtOrAfter(sortedMs: Float64Array, ms: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sortedMs[mid] as number) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The RECURRENCE_ITEMS best candidates so far, in rank order. */
class TopCandidates {
  readonly list: Candidate[] = [];

  /** Whether a candidate with this many incidents could still enter. */
  wants(count: number): boolean {
    const last = this.list[RECURRENCE_ITEMS - 1];
    return last === undefined || count >= last.end - last.first;
  }

  offer(candidate: Candidate): void {
    const { list } = this;
    if (list.length === RECURRENCE_ITEMS && compareCandidates(candidate, list[RECURRENCE_ITEMS - 1] as Candidate) >= 0)
      return;
    let i = list.length;
    while (i > 0 && compareCandidates(candidate, list[i - 1] as Candidate) < 0) i -= 1;
    list.splice(i, 0, candidate);
    if (list.length > RECURRENCE_ITEMS) list.pop();
  }
}

/**
 * The recurrence block of GET /api/metrics: kept = the incidents the window and filters
 * keep; the index holds every late fix (a late fix and its incident may lie outside both).
 *
 * Per set of services, its reach (the kept incidents sharing one of them, with their places)
 * is built once in reused buffers. An open fix reaches every incident of the reach from its
 * start on, so the earliest covers the others, and open fixes rank in their start order.
 * Done fixes come by their end, so the end of each one's run in the reach only moves on;
 * its start is a binary search. Only the winners' incident lists are built, at the end.
 */
export function computeRecurrence(keptGiven: readonly KeptIncident[], index: LateFixIndex): Recurrence {
  const empty: Recurrence = { behindOverdueFix: 0, rate: null, items: [], itemsTotal: 0 };
  if (keptGiven.length === 0) return empty;
  const kept = inPlaceOrder(keptGiven);
  const n = kept.length;
  const places = new Float64Array(n);
  for (let i = 0; i < n; i += 1) places[i] = (kept[i] as KeptIncident).placeMs;
  const firstKeptMs = places[0] as number;
  const byService = new KeptByService(kept);

  const top = new TopCandidates();
  let itemsTotal = 0;
  const behind = new Uint8Array(n);
  // Reused for every group: its reach, the places of the reach, and +1/-1 where a covered run starts and ends.
  const reach = new Int32Array(n);
  const reachMs = new Float64Array(n);
  const marks = new Int32Array(n + 1);
  const groups = index.groups();
  for (let g = 0; g < groups.length; g += 1) {
    const group = groups[g] as LateFixGroup;
    const size = byService.reach(group.services, reach);
    if (size === 0) continue;
    for (let i = 0; i < size; i += 1) reachMs[i] = places[reach[i] as number] as number;
    const lastReachMs = reachMs[size - 1] as number;
    marks.fill(0, 0, size + 1);

    // Open fixes: those starting by the last incident of the reach count; they rank by start.
    const { open, done } = group;
    let openCounted = 0;
    while (openCounted < open.length && (open[openCounted] as LateFix).fromMs <= lastReachMs) openCounted += 1;
    itemsTotal += openCounted;
    let from = 0;
    for (let i = 0; i < openCounted; i += 1) {
      const fix = open[i] as LateFix;
      from = firstAtOrAfter(reachMs, fix.fromMs, from, size);
      if (i === 0) {
        marks[from] = (marks[from] as number) + 1;
        marks[size] = (marks[size] as number) - 1;
      }
      if (!top.wants(size - from)) break;
      top.offer({ fix, group: g, first: from, end: size });
    }

    // Done fixes: those done after the first kept incident, by their end.
    let i = boundOf(done, firstKeptMs, doneOrder, true);
    let end = 0;
    for (; i < done.length; i += 1) {
      const fix = done[i] as LateFix;
      while (end < size && (reachMs[end] as number) < fix.untilMs) end += 1;
      if (fix.fromMs > lastReachMs) continue;
      const first = firstAtOrAfter(reachMs, fix.fromMs, 0, end);
      if (end <= first) continue;
      itemsTotal += 1;
      marks[first] = (marks[first] as number) + 1;
      marks[end] = (marks[end] as number) - 1;
      if (top.wants(end - first)) top.offer({ fix, group: g, first, end });
    }

    let running = 0;
    for (let r = 0; r < size; r += 1) {
      running += marks[r] as number;
      if (running > 0) behind[reach[r] as number] = 1;
    }
  }
  if (itemsTotal === 0) return { ...empty, rate: 0 };
  let behindOverdueFix = 0;
  for (let p = 0; p < n; p += 1) behindOverdueFix += behind[p] as number;

  // The winners' lists (20 of ~20,000 keys each at 5x): keys read from one array, not through
  // each kept incident, and each group's reach built again once however many winners it has.
  const keys: string[] = [];
  for (let p = 0; p < n; p += 1) keys.push((kept[p] as KeptIncident).incident.key);
  let reachOf = -1;
  const items: RecurrenceItem[] = top.list.map(({ fix, group, first, end }) => {
    if (group !== reachOf) byService.reach((groups[group] as LateFixGroup).services, reach);
    reachOf = group;
    // Pushed, not written into `new Array(n)`: a holey array takes JSON.stringify's slow path,
    // 2.5 times the time of a packed one (the lists are nearly all of a 4.7 MB answer at 5x).
    const incidents: string[] = [];
    for (let r = first; r < end; r += 1) incidents.push(keys[reach[r] as number] as string);
    return { key: fix.key, incidentKey: fix.incidentKey, dueDate: fix.dueDate, incidents };
  });
  return { behindOverdueFix, rate: behindOverdueFix / n, items, itemsTotal };
}

/** Most incidents first, then due date, then key. */
function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    b.end - b.first - (a.end - a.first) ||
    compareKeys(a.fix.dueDate, b.fix.dueDate) ||
    compareKeys(a.fix.key, b.fix.key)
  );
}

/**
 * The action items that were overdue at one incident, sorted by key (GET /api/incidents/:key):
 * the late fixes of incidents sharing a service with it whose interval holds its place.
 */
export function overdueFixesAt(incident: Incident, index: LateFixIndex): string[] {
  const placeMs = instantMs(incident.placeAt);
  const services = new Set(incident.services);
  const keys: string[] = [];
  for (const group of index.groups()) {
    if (!group.services.some((service) => services.has(service))) continue;
    // Open fixes (by start): every one started by the place. Done fixes (by end): those ending after it that started by it.
    const { open, done } = group;
    for (let i = 0; i < open.length && (open[i] as LateFix).fromMs <= placeMs; i += 1)
      keys.push((open[i] as LateFix).key);
    for (let i = boundOf(done, placeMs, doneOrder, true); i < done.length; i += 1)
      if ((done[i] as LateFix).fromMs <= placeMs) keys.push((done[i] as LateFix).key);
  }
  return keys.sort(compareKeys);
}
