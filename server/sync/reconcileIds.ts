/**
 * The id reconciliation: polling sees changes but never deletions, and a webhook delivery
 * can be missed. Once a day (and on `npm run sync -- --full`) both JQLs are listed by id
 * only (no fields, no changelog: about one request per 5,000 issues), and every stored Jira
 * record the listing lacks is re-read by id through the webhook path (IssueRefresher):
 * an issue Jira no longer has, or that left its JQL, is removed by the same delete path;
 * one the eventually consistent search merely missed is kept and refreshed.
 */
import type { JiraReader } from '../jira/JiraReader.js';
import type { Store } from '../store/Store.js';
import type { IssueRefresher } from './refreshIssues.js';

/** The sync state whose watermark records the last reconciliation (shared by every replica). */
export const RECONCILE_STATE = 'jira-id-reconciliation';
export const RECONCILE_EVERY_MS = 24 * 3_600_000;

export interface ReconcileResult {
  /** Issue keys Jira listed, per JQL. */
  listed: { incidents: number; actionItems: number };
  /** Stored records the listing lacked, re-read by id. */
  checked: number;
  removed: number;
}

async function listKeys(jira: JiraReader, jql: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let nextPageToken: string | null = null;
  for (;;) {
    const page = await jira.search({ jql, fields: ['id'], changelog: false, nextPageToken, maxResults: 5_000 });
    for (const issue of page.issues) keys.add(issue.key);
    if (page.isLast || page.nextPageToken === null) return keys;
    nextPageToken = page.nextPageToken;
  }
}

export async function reconcileIssueIds(deps: {
  store: Store;
  jira: JiraReader;
  refresher: IssueRefresher;
  incidentJql: string;
  actionItemJql: string;
}): Promise<ReconcileResult> {
  const { store, jira, refresher } = deps;
  const [incidentKeys, actionItemKeys] = await Promise.all([
    listKeys(jira, deps.incidentJql),
    listKeys(jira, deps.actionItemJql),
  ]);
  const [incidents, actionItems] = await Promise.all([
    store.findIncidents({ source: 'jira' }),
    store.findActionItems({}),
  ]);
  const missing = new Map<string, { id: string; key: string }>();
  for (const record of [
    ...incidents.filter((i) => !incidentKeys.has(i.key)),
    ...actionItems.filter((i) => !actionItemKeys.has(i.key)),
  ]) {
    if (record.jiraId !== null) missing.set(record.jiraId, { id: record.jiraId, key: record.key });
  }
  const counts = await refresher.refresh([...missing.values()]);
  return {
    listed: { incidents: incidentKeys.size, actionItems: actionItemKeys.size },
    checked: missing.size,
    removed: counts.removed,
  };
}

/**
 * Whether a day has passed since the last reconciliation; claims the next one (compare-and-set,
 * so one replica runs it) when so. The first scheduled sync only starts the clock: what it
 * just read is current, and the first sync of a large Jira should not pay for a listing too.
 */
export async function claimReconciliation(store: Store, now: Date): Promise<boolean> {
  const state = await store.getSyncState(RECONCILE_STATE);
  if (state === null) {
    await store.compareAndSetSyncState(RECONCILE_STATE, null, now.toISOString(), now);
    return false;
  }
  if (state.watermark !== null && now.getTime() - Date.parse(state.watermark) < RECONCILE_EVERY_MS) return false;
  return (await store.compareAndSetSyncState(RECONCILE_STATE, state.version, now.toISOString(), now)) !== null;
}
