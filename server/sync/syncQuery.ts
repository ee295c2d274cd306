/**
 * One query of a sync (incidents or action items), in two halves. `openQuery` plans it from
 * its stored watermark and starts reading: search pages in `updated, key` order through a
 * page pipeline, each page's changelog completed and its stored records looked up while the
 * next page is searched. `storeQuery` writes the pages in order: each page is mapped and
 * stored, and then that query's watermark advances (compare-and-set), so a crash keeps
 * every committed page and the next run resumes from the last watermark minus an overlap.
 */
import type { ActionItem, Incident, UpsertCounts } from '../domain/types.js';
import { ConflictError } from '../errors.js';
import type { JiraIssue, JiraReader, JiraSearchPage } from '../jira/JiraReader.js';
import type { Store } from '../store/Store.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readInstant } from './fieldValues.js';
import { buildSyncJql } from './jql.js';
import { CHANGELOG_FIELD_IDS } from './mapIssue.js';
import { PagePipeline } from './pagePipeline.js';
import type { StatusCategories } from './prepareMapping.js';
import { addCounts, zeroCounts, type RunRecord } from './runRecord.js';

export const SYNC_STATE_NAMES = { incidents: 'jira-incidents', actionItems: 'jira-action-items' } as const;
export type SyncQuery = keyof typeof SYNC_STATE_NAMES;

export interface SyncProgress {
  query: SyncQuery;
  pages: number;
  /** Issues read by this query so far. */
  issues: number;
  counts: UpsertCounts;
  /** Requests sent to Jira by this run so far. */
  requests: number;
}

/** What one query reads and how its records are made and written. */
export interface QuerySpec<T extends Incident | ActionItem> {
  query: SyncQuery;
  userJql: string;
  fields: string[];
  /** Read stored records of a page (for skipping unchanged issues and keeping import-owned values). */
  readExisting: boolean;
  findExisting(keys: string[]): Promise<T[]>;
  /** Records of a page's changed issues; called only once every earlier query is stored. */
  toRecords(issues: JiraIssue[], existing: Map<string, T>, plan: QueryPlan): Promise<T[]>;
  upsert(records: T[]): Promise<UpsertCounts>;
  /**
   * Search pages read ahead of the page being stored. Searches stay one at a time (each
   * needs the previous token); this lets them run on while writes lag, and bounds memory.
   */
  pagesAhead: number;
}

/** Where a query starts: its stored watermark and the JQL from it. */
export interface QueryPlan {
  stateName: string;
  version: number | null;
  watermark: string | null;
  incremental: boolean;
  jql: string;
}

export interface QueryDeps {
  store: Store;
  jira: JiraReader;
  timezone: string;
  statuses: StatusCategories;
  pageSize?: number;
}

/** A search page made ready to store. */
export interface PreparedPage<T> {
  /** Issues to map and write. */
  changed: JiraIssue[];
  /** Stored records of skipped issues (same `updated` as stored, incremental runs only). */
  unchanged: T[];
  existing: Map<string, T>;
  maxUpdated: string | null;
  issueCount: number;
}

export async function planQuery(
  store: Store,
  query: SyncQuery,
  userJql: string,
  options: { full: boolean; overlapMs: number; zone: string },
): Promise<QueryPlan> {
  const stateName = SYNC_STATE_NAMES[query];
  const state = await store.getSyncState(stateName);
  const watermark = state?.watermark ?? null;
  const incremental = !options.full && watermark !== null;
  const sinceMs = incremental ? Date.parse(watermark as string) - options.overlapMs : null;
  return {
    stateName,
    version: state?.version ?? null,
    watermark,
    incremental,
    jql: buildSyncJql(userJql, sinceMs, options.zone),
  };
}

/** Splits a page into issues to write and stored records still current, and completes changelogs. */
async function preparePage<T extends Incident | ActionItem>(
  deps: QueryDeps,
  spec: QuerySpec<T>,
  plan: QueryPlan,
  page: JiraSearchPage,
): Promise<PreparedPage<T>> {
  const keys = page.issues.map((issue) => issue.key);
  const existingList = spec.readExisting || plan.incremental ? await spec.findExisting(keys) : [];
  const existing = new Map(existingList.map((record) => [record.key, record]));
  const result: PreparedPage<T> = { changed: [], unchanged: [], existing, maxUpdated: null, issueCount: keys.length };
  for (const issue of page.issues) {
    deps.statuses.learn(issue.fields);
    const updated = readInstant(issue.fields.updated, deps.timezone);
    const updatedAt = updated.ok ? updated.value : null;
    if (updatedAt !== null && (result.maxUpdated === null || updatedAt > result.maxUpdated)) {
      result.maxUpdated = updatedAt;
    }
    const stored = existing.get(issue.key);
    const isSame =
      plan.incremental &&
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
    const whole = await deps.jira.changelogs(truncated, CHANGELOG_FIELD_IDS);
    for (const issue of truncated) {
      issue.histories = whole.get(issue.id) ?? issue.histories;
      issue.historiesComplete = true;
    }
  }
  await deps.statuses.ensureKnown(result.changed.map((issue) => issue.histories));
  return result;
}

/** Starts reading a query: its first search is sent now, later ones as the pipeline allows. */
export function openQuery<T extends Incident | ActionItem>(
  deps: QueryDeps,
  spec: QuerySpec<T>,
  plan: QueryPlan,
): PagePipeline<JiraSearchPage, PreparedPage<T>> {
  const search = (nextPageToken: string | null) =>
    deps.jira.search({
      jql: plan.jql,
      fields: spec.fields,
      changelogFields: CHANGELOG_FIELD_IDS,
      nextPageToken,
      maxResults: deps.pageSize,
    });
  return new PagePipeline({
    first: () => search(null),
    next: (page) => (page.isLast || page.nextPageToken === null ? null : search(page.nextPageToken)),
    prepare: (page) => preparePage(deps, spec, plan, page),
    lookahead: spec.pagesAhead,
  });
}

export interface StoreQueryOptions {
  record: RunRecord;
  totals: UpsertCounts;
  clock: () => Date;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
}

/** Writes a query's pages in order, advancing its watermark after each. */
export async function storeQuery<T extends Incident | ActionItem>(
  store: Store,
  spec: QuerySpec<T>,
  plan: QueryPlan,
  pages: PagePipeline<JiraSearchPage, PreparedPage<T>>,
  options: StoreQueryOptions,
): Promise<void> {
  const { record, totals } = options;
  let { version, watermark } = plan;
  let pageCount = 0;
  let issues = 0;
  for await (const page of pages) {
    // Mapping and writing a page is the sync's CPU work: let answers that have arrived be read
    // first, so the next search goes out now rather than after this page.
    await nextTurn();
    options.signal?.throwIfAborted();
    const records = await spec.toRecords(page.changed, page.existing, plan);
    addCounts(totals, records.length > 0 ? await spec.upsert(records) : zeroCounts());
    totals.unchanged += page.unchanged.length;
    for (const stored of [...records, ...page.unchanged]) record.report(stored.key, stored.readProblems);

    if (page.maxUpdated !== null && (watermark === null || page.maxUpdated > watermark)) {
      const next = await store.compareAndSetSyncState(plan.stateName, version, page.maxUpdated, options.clock());
      if (next === null) {
        throw new ConflictError(
          `Another sync moved the ${spec.query} watermark during this run; the pages stored so far are kept, run the sync again.`,
        );
      }
      version = next.version;
      watermark = page.maxUpdated;
    }
    pageCount += 1;
    issues += page.issueCount;
    options.onProgress?.({
      query: spec.query,
      pages: pageCount,
      issues,
      counts: { ...totals },
      requests: record.requests(),
    });
  }
}
