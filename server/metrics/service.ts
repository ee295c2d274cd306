/**
 * MetricsService: what the routes and the digest ask for, computed once per store change.
 * The store's dataVersion() moves on every sync or write. All incidents and action items
 * are loaded once into a MetricsState (./state.ts); when the version moves, the state
 * re-reads just the records the store's change feed names (a full reload only when the
 * store cannot say). Each answer is cached under (version, today in TIMEZONE, normalised
 * query). Requests that arrive while an answer is being computed wait for it.
 */
import type {
  ActionItemsResponse,
  DataQualityResponse,
  IncidentDetailResponse,
  IncidentsResponse,
  MetricsResponse,
} from '../domain/api.js';
import type { Severity } from '../domain/types.js';
import { NotFoundError, InputError } from '../errors.js';
import { collectGarbage } from '../heap.js';
import type { Store } from '../store/Store.js';
import { compareKeys, overdueActionItems } from './actionItems.js';
import { zoneCalendar } from './calendar.js';
import type { ZoneCalendar } from './calendar.js';
import { computeMetricsPrepared, severityKeyOf, windowDataQuality } from './compute.js';
import { overdueFixesAt } from './recurrence.js';
import type { ActionItemListQuery, DataQualityQuery, IncidentListQuery, MetricsQuery } from './query.js';
import { DATA_QUALITY_PREVIEW, resolveRange } from './query.js';
import { MetricsState, publicIncident } from './state.js';

export interface MetricsServiceOptions {
  timezone: string;
  slaDays: Record<Severity, number>;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
  /** How long an answer over a default ("last 90 days until now") range is reused, ms. */
  defaultRangeTtlMs?: number;
  /** Most cached answers kept per data version. */
  maxEntries?: number;
}

interface Snapshot {
  version: number;
  state: MetricsState;
}

/** More changed keys than this: a full reload is cheaper than re-reading them one slice at a time. */
const MAX_PATCH_KEYS = 5_000;
/** Keys per re-read (NeDB checks each candidate against the whole key list). */
const READ_SLICE = 200;
/** Answers computed (and dropped) before the first question, so that V8 has optimised the code. */
export const WARM_UP_ANSWERS = 4;
/** Metrics answers refresh() computes again after a change: the most recently asked ones. */
export const REFRESHED_ANSWERS = 3;

interface CacheEntry {
  value: Promise<unknown>;
  expiresAt: number;
}

export class MetricsService {
  private readonly now: () => Date;
  private readonly calendar: ZoneCalendar;
  private snapshot: Promise<Snapshot> | null = null;
  private snapshotVersion: number | null = null;
  private readonly cache = new Map<string, CacheEntry>();
  /** The REFRESHED_ANSWERS metrics queries most recently asked for, by queryKey, the most recent last. */
  private readonly watched = new Map<string, MetricsQuery>();
  private readonly defaultRangeTtlMs: number;
  private readonly maxEntries: number;
  /** How many times a snapshot was loaded and answers computed (for tests and logs). */
  readonly stats = { loads: 0, computations: 0, patches: 0 };

  constructor(
    private readonly store: Store,
    private readonly options: MetricsServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.calendar = zoneCalendar(options.timezone);
    this.defaultRangeTtlMs = options.defaultRangeTtlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 200;
  }

  /**
   * The metrics of a window, with the data-quality lists cut to their first
   * DATA_QUALITY_PREVIEW entries and their totals (the full lists: dataQuality()).
   */
  async metrics(query: MetricsQuery = {}): Promise<MetricsResponse> {
    // The most recently asked last (see refresh()).
    const key = queryKey(query);
    this.watched.delete(key);
    this.watched.set(key, query);
    if (this.watched.size > REFRESHED_ANSWERS) this.watched.delete(this.watched.keys().next().value as string);
    return this.metricsAnswer(query);
  }

  private metricsAnswer(query: MetricsQuery): Promise<MetricsResponse> {
    const now = this.now();
    const range = resolveRange(query, now);
    return this.cached('metrics', query, now, async ({ state }) => this.answer(state, range, query, now));
  }

  /**
   * When the store's data has changed since the last answer: catches up with it and computes
   * again the REFRESHED_ANSWERS metrics answers most recently asked for, so that they are
   * ready before anyone asks again. The data-version feed awaits this before it announces a
   * change (and only while a tab listens), so the tabs it tells find their answers ready (at
   * 5x a metrics answer takes 200-300 ms to compute after a change). Answers computed here do
   * not count as asked. Resolves with the answers it computed (none when nothing changed).
   */
  async refresh(): Promise<MetricsResponse[]> {
    // Nothing loaded yet (so nothing asked): no reason to load it all now.
    if (this.snapshot === null) return [];
    const before = this.snapshotVersion;
    await this.currentSnapshot(); // catches up with the store, as the answers below would
    if (this.snapshotVersion === before) return [];
    const queries = [...this.watched.values()].reverse();
    const answers: MetricsResponse[] = [];
    for (const query of queries) answers.push(await this.metricsAnswer(query));
    return answers;
  }

  /** The metrics answer of a window over the state (what metrics() caches and warmUp() runs ahead). */
  private answer(
    state: MetricsState,
    range: { from: Date; to: Date },
    filters: Pick<MetricsQuery, 'service' | 'severity'>,
    now: Date,
  ): MetricsResponse {
    return computeMetricsPrepared(
      (fromMs, toMs) => state.select(fromMs, toMs, filters.service, filters.severity),
      state.everything,
      {
        ...range,
        ...(filters.service === undefined ? {} : { service: filters.service }),
        ...(filters.severity === undefined ? {} : { severity: filters.severity }),
        now,
        timezone: this.options.timezone,
        slaDays: this.options.slaDays,
        dataQualityPreview: DATA_QUALITY_PREVIEW,
      },
    );
  }

  /** The full data-quality lists of a window: incidents first, then action items, paged. */
  async dataQuality(query: DataQualityQuery = {}): Promise<DataQualityResponse> {
    const now = this.now();
    const { limit, cursor, ...filters } = query;
    const all = await this.cached('data-quality', filters, now, async (snapshot) => {
      const range = resolveRange(filters, now);
      const quality = windowDataQuality(
        snapshot.state.select(range.from.getTime(), range.to.getTime(), filters.service, filters.severity),
      );
      const items: DataQualityResponse['items'] = [
        ...quality.incidents.map((entry) => ({ kind: 'incident' as const, ...entry })),
        ...quality.actionItems.map((entry) => ({ kind: 'actionItem' as const, ...entry })),
      ];
      const totals = { incidents: quality.incidents.length, actionItems: quality.actionItems.length };
      return { items, totals, placeAt: (key: string) => snapshot.state.incident(key)?.placeAt ?? '' };
    });
    return this.cached('data-quality-page', query, now, async () => ({
      ...page(
        all.items,
        limit,
        cursor,
        (entry) => (entry.kind === 'incident' ? ['0', all.placeAt(entry.key), entry.key] : ['1', '', entry.key]),
        comparePositions,
      ),
      totals: all.totals,
    }));
  }

  async incidents(query: IncidentListQuery = {}): Promise<IncidentsResponse> {
    const now = this.now();
    const range = resolveRange(query, now);
    const { limit, cursor, ...filters } = query;
    const all = await this.cached('incidents', filters, now, async (snapshot) =>
      snapshot.state.incidentsIn(range.from.getTime(), range.to.getTime(), filters.service, filters.severity),
    );
    // The answer object itself is cached too, so that the HTTP layer serialises it once.
    return this.cached('incidents-page', query, now, async () =>
      page(all, limit, cursor, (incident) => [incident.placeAt, incident.key], comparePositions),
    );
  }

  async incident(key: string): Promise<IncidentDetailResponse> {
    const { state } = await this.currentSnapshot();
    const incident = state.incident(key);
    if (!incident) throw new NotFoundError(`No incident with key "${key}".`);
    state.setNow(this.now());
    const actionItems = state.actionItemViewsOf(key);
    const postmortem = await this.store.getPostmortem(key);
    const behindOverdueFixes = overdueFixesAt(incident, state.lateFixes);
    return { ...publicIncident(incident), actionItems, behindOverdueFixes, postmortem };
  }

  async actionItems(query: ActionItemListQuery = {}): Promise<ActionItemsResponse> {
    const now = this.now();
    const { limit, cursor, ...filters } = query;
    const all = await this.cached('action-items', filters, now, async (snapshot) => {
      let views = snapshot.state.actionItemViews().filter((view) => {
        if (filters.owner !== undefined && view.owner !== filters.owner) return false;
        if (filters.incident !== undefined && view.incidentKey !== filters.incident) return false;
        if (filters.service !== undefined || filters.severity !== undefined) {
          const incident = view.incidentKey === null ? undefined : snapshot.state.incident(view.incidentKey);
          if (!incident) return false;
          if (filters.service !== undefined && !incident.services.includes(filters.service)) return false;
          if (filters.severity !== undefined && severityKeyOf(incident) !== filters.severity) return false;
        }
        return true;
      });
      if (filters.overdue === true) views = overdueActionItems(views);
      else if (filters.overdue === false)
        views = views.filter((view) => !(view.daysOverdue !== null && view.daysOverdue > 0));
      return views;
    });
    return this.cached('action-items-page', query, now, async () =>
      filters.overdue === true
        ? page(all, limit, cursor, (view) => [String(view.daysOverdue), view.key], compareOverduePosition)
        : page(
            all,
            limit,
            cursor,
            (view) => [view.key],
            (a, b) => compareKeys(a[0] ?? '', b[0] ?? ''),
          ),
    );
  }

  /**
   * Loads the state and derives everything answers read, so that the first answer after a
   * start only counts and groups (`npm start` waits for it before it listens). Then the
   * garbage of loading is collected, so that the first answers do not pay for it.
   */
  async warmUp(): Promise<{ incidents: number; actionItems: number }> {
    const { state } = await this.currentSnapshot();
    const now = this.now();
    state.setNow(now);
    state.prepareAll();
    // The garbage of loading collected now rather than by the first requests.
    collectGarbage();
    // WARM_UP_ANSWERS answers computed and dropped, over 90-day windows ending 1, 2, ...
    // days before the default one ends (the same incidents, so the same code paths): the
    // code that answers runs and is optimised by V8 before the first question (at 5x the
    // first default answer took 368 ms after one such run, 182 ms after five). No answer a
    // user asks for is computed ahead; the cache stays empty.
    const { to: defaultTo } = resolveRange({}, now);
    for (let run = 1; run <= WARM_UP_ANSWERS; run += 1) {
      const to = new Date(defaultTo.getTime() - run * 86_400_000);
      this.answer(state, { from: new Date(to.getTime() - 90 * 86_400_000), to }, {}, now);
    }
    return { incidents: state.incidentCount, actionItems: state.actionItemCount };
  }

  private async currentSnapshot(): Promise<Snapshot> {
    const version = await this.store.dataVersion();
    if (this.snapshot === null || this.snapshotVersion !== version) {
      this.snapshotVersion = version;
      this.cache.clear();
      const previous = this.snapshot;
      const loading = previous === null ? this.loadSnapshot() : this.catchUp(previous, version);
      this.snapshot = loading;
      loading.catch(() => {
        if (this.snapshot === loading) {
          this.snapshot = null;
          this.snapshotVersion = null;
        }
      });
    }
    return this.snapshot;
  }

  /** Everything, read anew. */
  private async loadSnapshot(): Promise<Snapshot> {
    this.stats.loads += 1;
    // The version first: a write landing during the read is then seen again, never missed.
    const version = await this.store.dataVersion();
    const { incidents, actionItems } = await this.store.allRecords();
    const state = new MetricsState(
      incidents,
      actionItems,
      { timezone: this.options.timezone, slaDays: this.options.slaDays, calendar: this.calendar },
      this.now(),
    );
    // The first answer does not wait for the indexes patches need: they are built right after it.
    setImmediate(() => state.warmUp());
    return { version, state };
  }

  /** The previous state patched with the records written since its version (or a full reload). */
  private async catchUp(previous: Promise<Snapshot>, version: number): Promise<Snapshot> {
    let base: Snapshot;
    try {
      base = await previous;
    } catch {
      return this.loadSnapshot();
    }
    const changes = await this.store.changesSince(base.version);
    if (
      changes === null ||
      changes.version < version ||
      changes.incidentKeys.length + changes.actionItemKeys.length > MAX_PATCH_KEYS
    ) {
      return this.loadSnapshot();
    }
    const [incidents, actionItems] = await Promise.all([
      readInSlices(changes.incidentKeys, (keys) => this.store.findIncidents({ keys })),
      readInSlices(changes.actionItemKeys, (keys) => this.store.findActionItems({ keys })),
    ]);
    const found = (records: Array<{ key: string }>) => new Set(records.map((record) => record.key));
    const foundIncidents = found(incidents);
    const foundItems = found(actionItems);
    base.state.apply({
      incidents,
      goneIncidentKeys: changes.incidentKeys.filter((key) => !foundIncidents.has(key)),
      actionItems,
      goneActionItemKeys: changes.actionItemKeys.filter((key) => !foundItems.has(key)),
    });
    this.stats.patches += 1;
    return { version: changes.version, state: base.state };
  }

  private async cached<T>(
    kind: string,
    query: object,
    now: Date,
    compute: (snapshot: Snapshot) => Promise<T>,
  ): Promise<T> {
    const snapshot = await this.currentSnapshot();
    snapshot.state.setNow(now);
    const q = query as MetricsQuery;
    // An explicit range is a fixed question; a default range moves with the clock, so its
    // answer is reused only for a short while.
    const usesDefaultRange = !kind.startsWith('action-items') && q.to === undefined;
    const key = JSON.stringify([
      kind,
      snapshot.version,
      this.calendar.dateOf(now.getTime()),
      usesDefaultRange ? 'default-range' : null,
      queryKey(query),
    ]);
    const entry = this.cache.get(key);
    if (entry && entry.expiresAt > now.getTime()) {
      // Least recently used goes first: a hit moves the entry to the end.
      this.cache.delete(key);
      this.cache.set(key, entry);
      return entry.value as Promise<T>;
    }
    this.stats.computations += 1;
    const value = compute(snapshot);
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, {
      value,
      expiresAt: usesDefaultRange ? now.getTime() + this.defaultRangeTtlMs : Number.POSITIVE_INFINITY,
    });
    value.catch(() => this.cache.delete(key));
    return value;
  }
}

/** A query as a string, whatever the order of its fields (undefined ones left out). */
function queryKey(query: object): string {
  return JSON.stringify(
    Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])
      .sort(([a], [b]) => compareKeys(String(a), String(b))),
  );
}

async function readInSlices<T>(keys: string[], read: (keys: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += READ_SLICE) out.push(...(await read(keys.slice(i, i + READ_SLICE))));
  return out;
}

/** Positions compared part by part (each part a string). */
function comparePositions(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const order = compareKeys(a[i] ?? '', b[i] ?? '');
    if (order !== 0) return order;
  }
  return 0;
}

function compareOverduePosition(a: string[], b: string[]): number {
  return Number(b[0]) - Number(a[0]) || compareKeys(a[1] ?? '', b[1] ?? '');
}

/**
 * One page of a sorted list. The cursor carries the sort position of the last item
 * returned, so the next page starts right after it even if the data changed meanwhile.
 */
function page<T>(
  all: T[],
  limit: number | undefined,
  cursor: string | undefined,
  position: (item: T) => string[],
  compare: (a: string[], b: string[]) => number,
): { items: T[]; nextCursor?: string | null } {
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeCursor(cursor);
    start = all.findIndex((item) => compare(position(item), after) > 0);
    if (start === -1) start = all.length;
  }
  if (limit === undefined) return cursor === undefined ? { items: all } : { items: all.slice(start), nextCursor: null };
  const items = all.slice(start, start + limit);
  const last = items[items.length - 1];
  const more = start + limit < all.length && last !== undefined;
  return { items, nextCursor: more ? encodeCursor(position(last)) : null };
}

function encodeCursor(position: string[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.every((part) => typeof part === 'string')) return parsed as string[];
  } catch {
    // fall through to the error below
  }
  throw new InputError('Query parameter "cursor" must be the nextCursor of a previous answer, unchanged.', 'cursor');
}
