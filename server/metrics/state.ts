/**
 * The metrics service's in-memory state of the whole store, kept between queries and
 * patched by the records a change touched (docs/benchmarks.md, "Where the time goes"):
 *
 * - incidents in place-in-time order, so a window is two binary searches, not a scan;
 * - each incident prepared (durations, data-quality problems, its action items' facts)
 *   the first time a window needs it, and again only when it or its items change;
 * - action items grouped by incident and, for the action-item list, in key order, with
 *   their views as of today built once per item.
 *
 * Everything that depends on today (days overdue) is re-derived when the date in
 * TIMEZONE moves on.
 */
import type { ActionItem, ActionItemView, Incident, IsoDate, Severity, SeverityKey } from '../domain/types.js';
import { actionItemViews, compareKeys } from './actionItems.js';
import type { ZoneCalendar } from './calendar.js';
import { prepareIncident } from './compute.js';
import type { AllRecords, PreparedIncident } from './compute.js';
import { LateFixIndex } from './recurrence.js';

export interface MetricsStateOptions {
  timezone: string;
  slaDays: Record<Severity, number>;
  calendar: ZoneCalendar;
}

/** What one change wrote: the current records of the keys it touched, and the keys now gone. */
export interface StatePatch {
  incidents: Incident[];
  goneIncidentKeys: string[];
  actionItems: ActionItem[];
  goneActionItemKeys: string[];
}

interface Entry {
  incident: Incident;
  /** Place in time in ms; an unreadable one sorts last and is in no window. */
  placeMs: number;
  prepared: PreparedIncident | null;
}

/** Above this many changed records a patch re-sorts instead of moving records one by one. */
const BULK = 2_000;

function sortMs(incident: Incident): number {
  const ms = Date.parse(incident.placeAt);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

function compareEntries(a: Entry, b: Entry): number {
  return a.placeMs - b.placeMs || compareKeys(a.incident.key, b.incident.key);
}

function compareItems(a: ActionItem, b: ActionItem): number {
  return compareKeys(a.key, b.key);
}

/** Index of the first element not before `probe`. */
function lowerBound<T>(list: T[], probe: T, compare: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(list[mid] as T, probe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function removeSorted<T>(list: T[], value: T, compare: (a: T, b: T) => number): void {
  const at = lowerBound(list, value, compare);
  if (list[at] !== undefined && compare(list[at] as T, value) === 0) list.splice(at, 1);
}

function insertSorted<T>(list: T[], value: T, compare: (a: T, b: T) => number): void {
  list.splice(lowerBound(list, value, compare), 0, value);
}

/** An incident as the API sends it: without a field the store added (NeDB's `_id`). */
export function publicIncident(incident: Incident): Incident {
  if (!('_id' in incident)) return incident;
  const { _id: _ignored, ...rest } = incident as Incident & { _id: unknown };
  return rest;
}

export class MetricsState {
  private readonly entries = new Map<string, Entry>();
  /** Sorted by place in time, then key. */
  private sorted: Entry[];
  /** Every item by key; built when first needed (a patch, the action-item list). */
  private itemIndex: Map<string, ActionItem> | null = null;
  private actionItemList: ActionItem[] | null;
  /** In no particular order (the metrics do not depend on it). */
  private readonly itemsByIncident = new Map<string, ActionItem[]>();
  /** All items sorted by key; null until the action-item list first needs it. */
  private itemsSorted: ActionItem[] | null = null;
  private readonly views = new Map<string, ActionItemView>();
  /** Every late fix (recurrence.ts); built when first needed, then patched. */
  private lateFixIndex: LateFixIndex | null = null;
  private today: IsoDate;
  private now: Date;

  constructor(
    incidents: Incident[],
    actionItems: ActionItem[],
    private readonly options: MetricsStateOptions,
    now: Date,
  ) {
    this.now = now;
    this.today = options.calendar.dateOf(now.getTime());
    for (const incident of incidents)
      this.entries.set(incident.key, { incident, placeMs: sortMs(incident), prepared: null });
    this.sorted = [...this.entries.values()].sort(compareEntries);
    // A store returns each key once; the index (built later) keeps the last copy if not.
    this.actionItemList = actionItems;
    for (const item of actionItems) {
      if (item.incidentKey === null) continue;
      const list = this.itemsByIncident.get(item.incidentKey);
      if (list) list.push(item);
      else this.itemsByIncident.set(item.incidentKey, [item]);
    }
  }

  /** Builds what patches and the action-item list need, ahead of time (e.g. once the first answer is out). */
  warmUp(): void {
    void this.items;
  }

  /**
   * Derives ahead of time everything an answer reads: every incident prepared, the late-fix
   * index built and sorted, the action-item index. A first answer then only counts and groups.
   */
  prepareAll(): void {
    for (const entry of this.sorted) this.prepared(entry);
    this.lateFixes.groups();
    this.warmUp();
  }

  private get items(): Map<string, ActionItem> {
    if (this.itemIndex === null) {
      this.itemIndex = new Map();
      for (const item of this.actionItemList ?? []) this.itemIndex.set(item.key, item);
      this.actionItemList = null;
    }
    return this.itemIndex;
  }

  get incidentCount(): number {
    return this.entries.size;
  }

  get actionItemCount(): number {
    return this.items.size;
  }

  /** Every late fix, whatever the window (what the recurrence look-up reads). */
  get lateFixes(): LateFixIndex {
    if (this.lateFixIndex === null) {
      const { timezone, slaDays, calendar } = this.options;
      this.lateFixIndex = new LateFixIndex({ timezone, slaDays, calendar });
      for (const [key, items] of this.itemsByIncident) {
        const incident = this.entries.get(key)?.incident;
        if (incident) this.lateFixIndex.set(incident, items);
      }
    }
    return this.lateFixIndex;
  }

  /** What an answer needs beyond its window's incidents. */
  get everything(): AllRecords {
    return { lateFixes: this.lateFixes };
  }

  /** The stored incident (it may carry the store's own fields: see publicIncident). */
  incident(key: string): Incident | undefined {
    return this.entries.get(key)?.incident;
  }

  /**
   * Moves today (in TIMEZONE) to that of `now`; on a new day every derived fact that
   * counts days overdue is dropped. The clock of the facts is the one of the day.
   */
  setNow(now: Date): void {
    const today = this.options.calendar.dateOf(now.getTime());
    if (today === this.today) return;
    this.today = today;
    this.now = now;
    for (const entry of this.sorted) entry.prepared = null;
    this.views.clear();
  }

  /** The prepared incidents with a place in time in [fromMs, toMs) that the filters keep, in order. */
  select(fromMs: number, toMs: number, service?: string, severity?: SeverityKey): PreparedIncident[] {
    return this.entriesIn(fromMs, toMs, service, severity).map((entry) => this.prepared(entry));
  }

  /** The incidents of a window, for the incident list. */
  incidentsIn(fromMs: number, toMs: number, service?: string, severity?: SeverityKey): Incident[] {
    return this.entriesIn(fromMs, toMs, service, severity).map((entry) => publicIncident(entry.incident));
  }

  private entriesIn(fromMs: number, toMs: number, service?: string, severity?: SeverityKey): Entry[] {
    const out: Entry[] = [];
    if (!(fromMs < toMs)) return out;
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.sorted[mid] as Entry).placeMs < fromMs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sorted.length; i += 1) {
      const entry = this.sorted[i] as Entry;
      if (!(entry.placeMs < toMs)) break;
      const { incident } = entry;
      if (service !== undefined && !incident.services.includes(service)) continue;
      if (severity !== undefined && (incident.severity ?? 'unknown') !== severity) continue;
      out.push(entry);
    }
    return out;
  }

  private prepared(entry: Entry): PreparedIncident {
    entry.prepared ??= prepareIncident(entry.incident, this.itemsByIncident.get(entry.incident.key) ?? [], {
      now: this.now,
      timezone: this.options.timezone,
      slaDays: this.options.slaDays,
      calendar: this.options.calendar,
    });
    return entry.prepared;
  }

  /** The action items of one incident, as views as of today, in key order. */
  actionItemViewsOf(incidentKey: string): ActionItemView[] {
    const items = [...(this.itemsByIncident.get(incidentKey) ?? [])].sort(compareItems);
    return this.viewsOf(items);
  }

  /** Every action item's view as of today, in key order. */
  actionItemViews(): ActionItemView[] {
    this.itemsSorted ??= [...this.items.values()].sort(compareItems);
    return this.viewsOf(this.itemsSorted);
  }

  /** The views of items (built once per item and day), in the order given. */
  private viewsOf(items: readonly ActionItem[]): ActionItemView[] {
    const missing = items.filter((item) => !this.views.has(item.key));
    if (missing.length > 0) {
      const incidents = new Map<string, Incident>();
      for (const item of missing) {
        const incident = item.incidentKey === null ? undefined : this.entries.get(item.incidentKey)?.incident;
        if (incident) incidents.set(incident.key, incident);
      }
      const built = actionItemViews(missing, incidents, {
        now: this.now,
        timezone: this.options.timezone,
        slaDays: this.options.slaDays,
        calendar: this.options.calendar,
      });
      for (const view of built) this.views.set(view.key, view);
    }
    return items.map((item) => this.views.get(item.key) as ActionItemView);
  }

  /** Applies the records a change wrote; afterwards the state equals one built from the store anew. */
  apply(patch: StatePatch): void {
    const touched = new Set<string>();
    const bulk =
      patch.incidents.length +
        patch.goneIncidentKeys.length +
        patch.actionItems.length +
        patch.goneActionItemKeys.length >
      BULK;

    const dropItem = (key: string) => {
      const old = this.items.get(key);
      if (!old) return;
      this.items.delete(key);
      this.views.delete(key);
      if (this.itemsSorted && !bulk) removeSorted(this.itemsSorted, old, compareItems);
      if (old.incidentKey === null) return;
      touched.add(old.incidentKey);
      const list = this.itemsByIncident.get(old.incidentKey);
      if (!list) return;
      const at = list.indexOf(old);
      if (at !== -1) list.splice(at, 1);
      if (list.length === 0) this.itemsByIncident.delete(old.incidentKey);
    };
    for (const key of patch.goneActionItemKeys) dropItem(key);
    for (const item of patch.actionItems) {
      dropItem(item.key);
      this.items.set(item.key, item);
      if (this.itemsSorted && !bulk) insertSorted(this.itemsSorted, item, compareItems);
      if (item.incidentKey === null) continue;
      touched.add(item.incidentKey);
      const list = this.itemsByIncident.get(item.incidentKey);
      if (list) list.push(item);
      else this.itemsByIncident.set(item.incidentKey, [item]);
    }
    if (bulk) this.itemsSorted = null;

    const dropIncident = (key: string) => {
      const old = this.entries.get(key);
      if (!old) return;
      this.entries.delete(key);
      if (!bulk) removeSorted(this.sorted, old, compareEntries);
    };
    for (const key of patch.goneIncidentKeys) {
      dropIncident(key);
      touched.add(key);
    }
    for (const incident of patch.incidents) {
      dropIncident(incident.key);
      const entry: Entry = { incident, placeMs: sortMs(incident), prepared: null };
      this.entries.set(incident.key, entry);
      if (!bulk) insertSorted(this.sorted, entry, compareEntries);
      touched.add(incident.key);
    }
    if (bulk) this.sorted = [...this.entries.values()].sort(compareEntries);

    // An incident's own facts and its items' SLA due dates follow it and its items.
    for (const key of touched) {
      const entry = this.entries.get(key);
      if (entry) entry.prepared = null;
      const items = this.itemsByIncident.get(key) ?? [];
      for (const item of items) this.views.delete(item.key);
      if (this.lateFixIndex === null) continue;
      if (entry) this.lateFixIndex.set(entry.incident, items);
      else this.lateFixIndex.delete(key);
    }
  }
}
