/** Small test doubles for runSync's unit tests: the store methods the sync uses, and a scripted JiraReader. */
import type { ActionItem, Incident, SyncRun, SyncState, UpsertCounts } from '../../server/domain/types.js';
import type { JiraHistory, JiraIssue, JiraReader, JiraSearchRequest } from '../../server/jira/JiraReader.js';
import type { Store } from '../../server/store/Store.js';
import { JIRA_FIELDS, STATUSES } from './fixtures.js';

function upsert<T extends { key: string }>(into: Map<string, T>, records: T[]): UpsertCounts {
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  for (const record of records) {
    const old = into.get(record.key);
    if (!old) counts.inserted += 1;
    else if (JSON.stringify(old) === JSON.stringify(record)) counts.unchanged += 1;
    else counts.updated += 1;
    into.set(record.key, structuredClone(record));
  }
  return counts;
}

export function memoryStore() {
  const incidents = new Map<string, Incident>();
  const actionItems = new Map<string, ActionItem>();
  const states = new Map<string, SyncState>();
  const runs: SyncRun[] = [];
  const store = {
    kind: 'embedded',
    upsertIncidents: async (records: Incident[]) => upsert(incidents, records),
    upsertActionItems: async (records: ActionItem[]) => upsert(actionItems, records),
    findIncidents: async (q: { keys?: string[] }) =>
      (q.keys ?? [...incidents.keys()]).flatMap((k) => incidents.get(k) ?? []),
    findActionItems: async (q: { keys?: string[] }) =>
      (q.keys ?? [...actionItems.keys()]).flatMap((k) => actionItems.get(k) ?? []),
    counts: async () => ({ incidents: incidents.size, actionItems: actionItems.size }),
    getSyncState: async (name: string) => states.get(name) ?? null,
    compareAndSetSyncState: async (name: string, expected: number | null, watermark: string | null, now: Date) => {
      const current = states.get(name);
      if ((current?.version ?? null) !== expected) return null;
      const next = { name, watermark, version: (current?.version ?? 0) + 1, updatedAt: now.toISOString() };
      states.set(name, next);
      return next;
    },
    recordSyncRun: async (run: SyncRun) => {
      runs.push(run);
    },
    lastSyncRun: async () => runs.at(-1) ?? null,
  };
  return { store: store as unknown as Store, incidents, actionItems, states, runs };
}

/** A reader over fixed issue lists: the first query's JQL gets `incidents`, the second `actionItems`. */
export function scriptedReader(
  data: { incidents: JiraIssue[]; actionItems: JiraIssue[]; changelogs?: Map<string, JiraHistory[]> },
  pageSize = 2,
) {
  const calls: string[] = [];
  const searches: JiraSearchRequest[] = [];
  let requests = 0;
  const count = (what: string) => {
    requests += 1;
    calls.push(what);
  };
  const reader: JiraReader & {
    calls: string[];
    searches: JiraSearchRequest[];
    failSearchAfter?: number;
    error?: Error;
  } = {
    calls,
    searches,
    fields: async () => {
      count('field');
      return JIRA_FIELDS;
    },
    myself: async () => {
      count('myself');
      return { accountId: 'a', displayName: 'Sync Bot', timeZone: 'Asia/Kolkata' };
    },
    statuses: async () => {
      count('status');
      return Object.entries(STATUSES).map(([id, s]) => ({ id, name: s.name, categoryKey: s.category }));
    },
    search: async (request) => {
      count('search');
      searches.push(request);
      if (reader.error && reader.failSearchAfter !== undefined && searches.length > reader.failSearchAfter)
        throw reader.error;
      const list = request.jql.includes('issuetype') ? data.incidents : data.actionItems;
      const start = Number(request.nextPageToken ?? 0);
      const issues = list.slice(start, start + pageSize).map((i) => structuredClone(i));
      const next = start + pageSize < list.length ? String(start + pageSize) : null;
      return { issues, nextPageToken: next, isLast: next === null };
    },
    issue: async (id) => {
      count('issue');
      const found = [...data.incidents, ...data.actionItems].find((i) => i.id === id);
      return found ? structuredClone(found) : null;
    },
    changelogs: async (issues) => {
      count('changelog');
      return new Map(issues.map((i) => [i.id, data.changelogs?.get(i.id) ?? []]));
    },
    stats: () => ({ requests, retries: 0 }),
    resetStats: () => {
      requests = 0;
    },
  };
  return reader;
}
