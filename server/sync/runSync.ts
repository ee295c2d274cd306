/**
 * One Jira sync: incidents first, then action items (an action item belongs only to an
 * issue already known as an incident). Each query pages through the enhanced search in
 * `updated, key` order; every page is stored and then that query's watermark advances
 * (compare-and-set), so a crash keeps every committed page and the next run resumes from
 * the last watermark minus an overlap. Fetching page N+1 (search, missing changelogs,
 * store look-ups) overlaps with storing page N.
 */
import type { ActionItem, Incident, StatusCategory, SyncRun, UpsertCounts } from '../domain/types.js';
import { ConflictError, JiraError } from '../errors.js';
import type { JiraHistory, JiraIssue, JiraReader, JiraSearchPage } from '../jira/JiraReader.js';
import type { Store } from '../store/Store.js';
import { resolveFieldMapping, type ResolvedFields, type SyncMappingConfig } from './fieldMapping.js';
import { readInstant } from './fieldValues.js';
import { buildSyncJql, jqlZone } from './jql.js';
import {
  ACTION_ITEM_FIELDS,
  CHANGELOG_FIELD_IDS,
  candidateIncidentKeys,
  currentStatus,
  incidentFields,
  toActionItem,
  toIncident,
  toStatusCategory,
  type MappingContext,
} from './mapIssue.js';

export const SYNC_STATE_NAMES = { incidents: 'jira-incidents', actionItems: 'jira-action-items' } as const;
export type SyncQuery = keyof typeof SYNC_STATE_NAMES;

/** Re-read this much before the watermark: search is eventually consistent and JQL has minute precision. */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;
/** Extra overlap when Jira does not tell the user's time zone (JQL literals may be read up to 14 h off). */
const UNKNOWN_ZONE_OVERLAP_MS = 14 * 3_600_000;
const MAX_REPORTED_PROBLEMS = 1_000;
/**
 * Search pages fetched ahead of the page being stored. Searches stay one at a time (each
 * needs the previous token); this only lets them run on while writes lag, and bounds memory.
 */
const LOOKAHEAD = 4;

export interface SyncSettings {
  /** TIMEZONE: dates without a time are 00:00 there. */
  timezone: string;
  jira: SyncMappingConfig;
  /** JIRA_BASE_URL, for browse links. */
  baseUrl: string;
}

export interface SyncProgress {
  query: SyncQuery;
  pages: number;
  /** Issues read by this query so far. */
  issues: number;
  counts: UpsertCounts;
  /** Requests sent to Jira by this run so far. */
  requests: number;
}

export interface SyncDeps {
  store: Store;
  jira: JiraReader;
  settings: SyncSettings;
  onProgress?: (progress: SyncProgress) => void;
  onWarning?: (message: string) => void;
  overlapMs?: number;
  pageSize?: number;
  clock?: () => Date;
}

export interface SyncOptions {
  /** Re-read everything, ignoring watermarks (and re-write every record). */
  full?: boolean;
  /** Aborted when the run's lease is lost: no further page is written (pages written are kept). */
  signal?: AbortSignal;
}

const zeroCounts = (): UpsertCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

interface PreparedPage<T> {
  /** Issues to map and write. */
  changed: JiraIssue[];
  /** Stored records of skipped issues (same `updated` as stored, incremental runs only). */
  unchanged: T[];
  existing: Map<string, T>;
  incidentKeys: Set<string>;
  maxUpdated: string | null;
  issueCount: number;
  nextPageToken: string | null;
  isLast: boolean;
}

interface QuerySpec<T extends Incident | ActionItem> {
  query: SyncQuery;
  userJql: string;
  fields: string[];
  /** Read stored records of a page (for skipping unchanged issues and keeping import-owned values). */
  readExisting: boolean;
  findExisting(keys: string[]): Promise<T[]>;
  needsIncidentKeys: boolean;
  map(issue: JiraIssue, page: PreparedPage<T>): T;
  upsert(records: T[]): Promise<UpsertCounts>;
}

/** Status categories by id (and name), learnt from issues and, when needed, Jira's status list. */
export class StatusCategories {
  private readonly byId = new Map<string, StatusCategory>();
  private readonly byName = new Map<string, StatusCategory>();
  private loading: Promise<void> | null = null;

  constructor(private readonly jira: JiraReader) {}

  learn(fields: Record<string, unknown>): void {
    const status = currentStatus(fields);
    if (status.category === null) return;
    if (status.id !== null) this.byId.set(status.id, status.category);
    if (status.name) this.byName.set(status.name, status.category);
  }

  categoryOf = (id: string | null, name: string | null): StatusCategory | null =>
    (id !== null ? this.byId.get(id) : undefined) ?? (name !== null ? this.byName.get(name) : undefined) ?? null;

  /** Loads Jira's status list once, if a changelog names a status not seen yet. */
  async ensureKnown(histories: JiraHistory[][]): Promise<void> {
    if (this.loading) return this.loading;
    const unknown = histories.some((list) =>
      list.some((h) =>
        h.items.some(
          (item) =>
            (item.fieldId === 'status' || item.field === 'status') &&
            ((item.from !== null && this.categoryOf(item.from, item.fromString) === null) ||
              (item.to !== null && this.categoryOf(item.to, item.toString) === null)),
        ),
      ),
    );
    if (!unknown) return;
    this.loading = this.jira.statuses().then(
      (statuses) => {
        for (const status of statuses) {
          const category = toStatusCategory(status.categoryKey);
          if (category === null) continue;
          this.byId.set(status.id, category);
          if (!this.byName.has(status.name)) this.byName.set(status.name, category);
        }
      },
      (error: unknown) => {
        // A Jira-compatible server without the status list: changelog moves between statuses never seen stay unknown.
        if (!(error instanceof JiraError && error.status === 404)) throw error;
      },
    );
    return this.loading;
  }
}

function addCounts(into: UpsertCounts, more: UpsertCounts): void {
  into.inserted += more.inserted;
  into.updated += more.updated;
  into.unchanged += more.unchanged;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}

export interface PreparedMapping {
  fieldIds: ResolvedFields;
  zone: ReturnType<typeof jqlZone>;
  statuses: StatusCategories;
  ctx: MappingContext;
  /** The API user's profile zone as Jira gave it. */
  timeZone: string | null;
}

/** What mapping an issue needs from Jira (the field list, the API user's zone), read once per run. */
export async function prepareMapping(jira: JiraReader, settings: SyncSettings): Promise<PreparedMapping> {
  const [jiraFields, me] = await Promise.all([jira.fields(), jira.myself()]);
  const fieldIds: ResolvedFields = resolveFieldMapping(settings.jira.fields, jiraFields);
  const statuses = new StatusCategories(jira);
  const baseUrl = settings.baseUrl.replace(/\/+$/, '');
  const ctx: MappingContext = {
    timezone: settings.timezone,
    fieldIds,
    severityMap: settings.jira.severityMap,
    detectionMap: settings.jira.detectionMap,
    statusCategory: statuses.categoryOf,
    browseUrl: (key) => `${baseUrl}/browse/${encodeURIComponent(key)}`,
  };
  return { fieldIds, zone: jqlZone(me.timeZone), statuses, ctx, timeZone: me.timeZone };
}

export async function runSync(deps: SyncDeps, now: Date, options: SyncOptions = {}): Promise<SyncRun> {
  const { store, jira, settings } = deps;
  const full = options.full === true;
  const clock = deps.clock ?? (() => new Date());
  const before = jira.stats();
  const requestsSoFar = () => jira.stats().requests - before.requests;
  const run: SyncRun = {
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    ok: false,
    full,
    incidents: zeroCounts(),
    actionItems: zeroCounts(),
    requests: 0,
    retries: 0,
    problems: [],
    error: null,
  };
  let problemCount = 0;
  const report = (key: string, problems: Array<{ field: string; reason: string }>) => {
    for (const problem of problems) {
      problemCount += 1;
      if (run.problems.length < MAX_REPORTED_PROBLEMS) run.problems.push({ key, ...problem });
    }
  };

  try {
    const { fieldIds, zone, statuses, ctx, timeZone } = await prepareMapping(jira, settings);
    if (!zone.known) {
      deps.onWarning?.(
        `Jira did not give a usable time zone for the API user ("${timeZone}"); widening the sync overlap to 14 h`,
      );
    }
    const overlapMs = (deps.overlapMs ?? DEFAULT_OVERLAP_MS) + (zone.known ? 0 : UNKNOWN_ZONE_OVERLAP_MS);

    /**
     * Which of the keys a page of action items points at are stored incidents. A first or
     * full run reads every incident key once; an incremental run asks per page.
     */
    let allIncidentKeys: Promise<Set<string>> | null = null;
    const knownIncidents = async (issues: JiraIssue[], incremental: boolean): Promise<Set<string>> => {
      const candidates = [...new Set(issues.flatMap((issue) => candidateIncidentKeys(issue.fields)))];
      if (candidates.length === 0) return new Set();
      if (incremental)
        return new Set((await store.findIncidents({ keys: candidates })).map((incident) => incident.key));
      allIncidentKeys ??= store.findIncidents({}).then((all) => new Set(all.map((incident) => incident.key)));
      return allIncidentKeys;
    };

    /** Where a query starts: its stored watermark and the JQL from it. */
    const planQuery = async (query: SyncQuery, userJql: string) => {
      const stateName = SYNC_STATE_NAMES[query];
      const state = await store.getSyncState(stateName);
      const watermark = state?.watermark ?? null;
      const incremental = !full && watermark !== null;
      const sinceMs = incremental ? Date.parse(watermark as string) - overlapMs : null;
      return {
        stateName,
        version: state?.version ?? null,
        watermark,
        incremental,
        jql: buildSyncJql(userJql, sinceMs, zone.zone),
      };
    };
    type Plan = Awaited<ReturnType<typeof planQuery>>;
    const firstSearch = (plan: Plan, fields: string[]) =>
      jira.search({
        jql: plan.jql,
        fields,
        changelogFields: CHANGELOG_FIELD_IDS,
        nextPageToken: null,
        maxResults: deps.pageSize,
      });

    /**
     * One query, page by page. `early`: its plan and first search, started before (while the
     * previous query was still storing its last pages). `onSearchesDone`: called once this
     * query's last search has answered.
     */
    const syncQuery = async <T extends Incident | ActionItem>(
      spec: QuerySpec<T>,
      totals: UpsertCounts,
      early?: { plan: Plan; first: Promise<JiraSearchPage> },
      onSearchesDone?: () => void,
    ) => {
      const plan = early?.plan ?? (await planQuery(spec.query, spec.userJql));
      const { stateName, incremental, jql } = plan;
      let { version, watermark } = plan;
      let searchesDone = false;
      const searchEnded = (page: JiraSearchPage | null) => {
        if (!searchesDone && (page === null || page.isLast || page.nextPageToken === null)) {
          searchesDone = true;
          onSearchesDone?.();
        }
      };

      const prepare = async (page: JiraSearchPage): Promise<PreparedPage<T>> => {
        const keys = page.issues.map((issue) => issue.key);
        const [existingList, incidentKeys] = await Promise.all([
          spec.readExisting || incremental ? spec.findExisting(keys) : Promise.resolve([] as T[]),
          spec.needsIncidentKeys ? knownIncidents(page.issues, incremental) : Promise.resolve(new Set<string>()),
        ]);
        const existing = new Map(existingList.map((record) => [record.key, record]));
        const result: PreparedPage<T> = {
          changed: [],
          unchanged: [],
          existing,
          incidentKeys,
          maxUpdated: null,
          issueCount: page.issues.length,
          nextPageToken: page.nextPageToken,
          isLast: page.isLast,
        };
        for (const issue of page.issues) {
          statuses.learn(issue.fields);
          const updated = readInstant(issue.fields.updated, settings.timezone);
          const updatedAt = updated.ok ? updated.value : null;
          if (updatedAt !== null && (result.maxUpdated === null || updatedAt > result.maxUpdated)) {
            result.maxUpdated = updatedAt;
          }
          const stored = existing.get(issue.key);
          const isSame =
            incremental &&
            stored !== undefined &&
            updatedAt !== null &&
            stored.updatedAt === updatedAt &&
            (!('source' in stored) || stored.source === 'jira');
          if (isSame) result.unchanged.push(stored);
          else result.changed.push(issue);
        }
        // Search sends at most the 40 newest histories; read the rest so first moves are right.
        const truncated = result.changed.filter((issue) => !issue.historiesComplete);
        if (truncated.length > 0) {
          const whole = await jira.changelogs(truncated, CHANGELOG_FIELD_IDS);
          for (const issue of truncated) {
            issue.histories = whole.get(issue.id) ?? issue.histories;
            issue.historiesComplete = true;
          }
        }
        await statuses.ensureKnown(result.changed.map((issue) => issue.histories));
        return result;
      };

      // Searches run back to back, up to LOOKAHEAD pages ahead of the page being stored; each
      // page's changelogs and store look-ups overlap with the next search and the previous write.
      const searched: Array<Promise<JiraSearchPage | null>> = [];
      const prepared: Array<Promise<PreparedPage<T> | null>> = [];
      const schedule = (index: number) => {
        for (let i = prepared.length; i <= index; i += 1) {
          const search: Promise<JiraSearchPage | null> =
            i === 0
              ? (early?.first ?? firstSearch(plan, spec.fields))
              : (searched[i - 1] as Promise<JiraSearchPage | null>).then((previous) =>
                  previous === null || previous.isLast || previous.nextPageToken === null
                    ? null
                    : jira.search({
                        jql,
                        fields: spec.fields,
                        changelogFields: CHANGELOG_FIELD_IDS,
                        nextPageToken: previous.nextPageToken,
                        maxResults: deps.pageSize,
                      }),
                );
          void search.then(searchEnded, () => undefined);
          const ready = search.then((page) => (page === null ? null : prepare(page)));
          // Awaited in order by the loop below; until then a failure must not count as unhandled.
          search.catch(() => {});
          ready.catch(() => {});
          searched.push(search);
          prepared.push(ready);
        }
      };

      let pages = 0;
      let issues = 0;
      for (let index = 0; ; index += 1) {
        schedule(index + LOOKAHEAD);
        const page = await (prepared[index] as Promise<PreparedPage<T> | null>);
        if (page === null) break;
        // Let go of pages already stored.
        searched[index] = Promise.resolve(null);
        prepared[index] = Promise.resolve(null);

        options.signal?.throwIfAborted();
        const records = page.changed.map((issue) => spec.map(issue, page));
        const counts = records.length > 0 ? await spec.upsert(records) : zeroCounts();
        addCounts(totals, counts);
        totals.unchanged += page.unchanged.length;
        for (const record of records) report(record.key, record.readProblems);
        for (const record of page.unchanged) report(record.key, record.readProblems);

        if (page.maxUpdated !== null && (watermark === null || page.maxUpdated > watermark)) {
          const next = await store.compareAndSetSyncState(stateName, version, page.maxUpdated, clock());
          if (next === null) {
            throw new ConflictError(
              `Another sync moved the ${spec.query} watermark during this run; the pages stored so far are kept, run the sync again.`,
            );
          }
          version = next.version;
          watermark = page.maxUpdated;
        }
        pages += 1;
        issues += page.issueCount;
        deps.onProgress?.({ query: spec.query, pages, issues, counts: { ...totals }, requests: requestsSoFar() });
        if (page.isLast) break;
      }
    };

    // The action items' first search does not depend on the incidents being stored: it is
    // sent as soon as the incidents' last search has answered, so Jira is not left idle while
    // the last incident pages are written.
    let actionItemsEarly: { plan: Plan; first: Promise<JiraSearchPage> } | null = null;
    let startActionItems: Promise<void> | null = null;
    const beginActionItems = () => {
      startActionItems = planQuery('actionItems', settings.jira.actionItemJql).then((plan) => {
        const first = firstSearch(plan, ACTION_ITEM_FIELDS);
        first.catch(() => {});
        actionItemsEarly = { plan, first };
      });
      startActionItems.catch(() => {});
    };
    await syncQuery<Incident>(
      {
        query: 'incidents',
        userJql: settings.jira.incidentJql,
        fields: incidentFields(fieldIds),
        readExisting: false,
        findExisting: (keys) => store.findIncidents({ keys }),
        needsIncidentKeys: false,
        map: (issue) => toIncident(issue, ctx),
        upsert: (records) => store.upsertIncidents(records),
      },
      run.incidents,
      undefined,
      beginActionItems,
    );
    if (startActionItems !== null) await startActionItems;
    // Tickets created for a document-only incident have no Jira link to it; the import
    // recorded which incident they belong to, and a sync must not drop that.
    const documentIncidents = new Set((await store.findIncidents({ source: 'document' })).map((i) => i.key));
    const keepDocumentOwner = (item: ActionItem, stored: ActionItem | undefined): ActionItem =>
      item.incidentKey === null && stored?.incidentKey != null && documentIncidents.has(stored.incidentKey)
        ? { ...item, incidentKey: stored.incidentKey }
        : item;
    await syncQuery<ActionItem>(
      {
        query: 'actionItems',
        userJql: settings.jira.actionItemJql,
        fields: ACTION_ITEM_FIELDS,
        // The import owns `documentRef`; a sync must not erase it. An empty store has none to keep.
        readExisting: (await store.counts()).actionItems > 0,
        findExisting: (keys) => store.findActionItems({ keys }),
        needsIncidentKeys: true,
        map: (issue, page) =>
          keepDocumentOwner(
            toActionItem(
              issue,
              ctx,
              (key) => page.incidentKeys.has(key),
              page.existing.get(issue.key)?.documentRef ?? null,
            ),
            page.existing.get(issue.key),
          ),
        upsert: (records) => store.upsertActionItems(records),
      },
      run.actionItems,
      actionItemsEarly ?? undefined,
    );
    run.ok = true;
  } catch (error) {
    run.error = oneLine(error);
  }

  if (problemCount > run.problems.length) {
    run.problems.push({
      key: '*',
      field: '*',
      reason: `${problemCount - run.problems.length} more problems not listed`,
    });
  }
  const after = jira.stats();
  run.requests = after.requests - before.requests;
  run.retries = after.retries - before.retries;
  run.finishedAt = clock().toISOString();
  await store.recordSyncRun(run);
  return run;
}
