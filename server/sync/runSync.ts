/**
 * One Jira sync: incidents, then action items. Both queries start reading at once (each a
 * page pipeline, see syncQuery.ts), so Jira is kept busy while pages are stored; the
 * action items' records are made and stored only once every incident page is, because an
 * action item belongs only to an issue already stored as an incident. The run is recorded
 * in the store whether it succeeds or not (runRecord.ts).
 */
import type { SyncRun } from '../domain/types.js';
import type { JiraReader } from '../jira/JiraReader.js';
import type { Store } from '../store/Store.js';
import { prepareMapping, type SyncSettings } from './prepareMapping.js';
import { actionItemQuery, incidentQuery } from './querySpecs.js';
import { RunRecord } from './runRecord.js';
import { openQuery, planQuery, storeQuery, type SyncProgress } from './syncQuery.js';

export type { SyncSettings } from './prepareMapping.js';
export { SYNC_STATE_NAMES, type SyncProgress, type SyncQuery } from './syncQuery.js';

/** Re-read this much before the watermark: search is eventually consistent and JQL has minute precision. */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;
/** Extra overlap when Jira does not tell the user's time zone (JQL literals may be read up to 14 h off). */
const UNKNOWN_ZONE_OVERLAP_MS = 14 * 3_600_000;

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

/** Reads both queries and stores incidents, then action items; throws at the first failure. */
async function syncBothQueries(deps: SyncDeps, record: RunRecord, options: SyncOptions, clock: () => Date) {
  const { store, jira, settings } = deps;
  const mapping = await prepareMapping(jira, settings);
  const { zone, timeZone } = mapping;
  if (!zone.known) {
    deps.onWarning?.(
      `Jira did not give a usable time zone for the API user ("${timeZone}"); widening the sync overlap to 14 h`,
    );
  }
  const overlapMs = (deps.overlapMs ?? DEFAULT_OVERLAP_MS) + (zone.known ? 0 : UNKNOWN_ZONE_OVERLAP_MS);
  const planOptions = { full: options.full === true, overlapMs, zone: zone.zone };
  const queryDeps = {
    store,
    jira,
    timezone: settings.timezone,
    statuses: mapping.statuses,
    ...(deps.pageSize !== undefined ? { pageSize: deps.pageSize } : {}),
  };
  const storeOptions = {
    record,
    clock,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };

  const incidents = incidentQuery(store, settings, mapping);
  const incidentPlan = await planQuery(store, 'incidents', incidents.userJql, planOptions);
  const incidentPages = openQuery(queryDeps, incidents, incidentPlan);
  const actionItems = await actionItemQuery(store, settings, mapping.ctx);
  const actionItemPlan = await planQuery(store, 'actionItems', actionItems.userJql, planOptions);
  const actionItemPages = openQuery(queryDeps, actionItems, actionItemPlan);
  try {
    await storeQuery(store, incidents, incidentPlan, incidentPages, { ...storeOptions, totals: record.run.incidents });
    await storeQuery(store, actionItems, actionItemPlan, actionItemPages, {
      ...storeOptions,
      totals: record.run.actionItems,
    });
  } finally {
    actionItemPages.close();
  }
}

export async function runSync(deps: SyncDeps, now: Date, options: SyncOptions = {}): Promise<SyncRun> {
  const clock = deps.clock ?? (() => new Date());
  const record = new RunRecord(deps.jira, now, options.full === true);
  try {
    await syncBothQueries(deps, record, options, clock);
  } catch (error) {
    record.fail(error);
  }
  return record.finish(deps.store, clock());
}
