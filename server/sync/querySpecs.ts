/**
 * The sync's two queries: incidents, and action items (an action item belongs only to an
 * issue already stored as an incident, so its records are made once the incidents are
 * stored). Each says which fields it reads, how a page of issues becomes records, and where
 * they are written.
 */
import type { ActionItem, Incident } from '../domain/types.js';
import type { JiraIssue } from '../jira/JiraReader.js';
import type { Store } from '../store/Store.js';
import {
  ACTION_ITEM_FIELDS,
  candidateIncidentKeys,
  incidentFields,
  toActionItem,
  toIncident,
  type MappingContext,
} from './mapIssue.js';
import type { PreparedMapping, SyncSettings } from './prepareMapping.js';
import type { QuerySpec } from './syncQuery.js';

export function incidentQuery(store: Store, settings: SyncSettings, mapping: PreparedMapping): QuerySpec<Incident> {
  return {
    query: 'incidents',
    userJql: settings.jira.incidentJql,
    fields: incidentFields(mapping.fieldIds),
    readExisting: false,
    findExisting: (keys) => store.findIncidents({ keys }),
    toRecords: async (issues) => issues.map((issue) => toIncident(issue, mapping.ctx)),
    upsert: (records) => store.upsertIncidents(records),
    pagesAhead: 4,
  };
}

/**
 * Which of the keys a page of action items points at are stored incidents. A first or full
 * run reads every incident key once; an incremental run asks per page.
 */
function incidentKeyLookup(store: Store) {
  let allIncidentKeys: Promise<Set<string>> | null = null;
  return async (issues: JiraIssue[], incremental: boolean): Promise<Set<string>> => {
    const candidates = [...new Set(issues.flatMap((issue) => candidateIncidentKeys(issue.fields)))];
    if (candidates.length === 0) return new Set();
    if (incremental) return new Set((await store.findIncidents({ keys: candidates })).map((incident) => incident.key));
    allIncidentKeys ??= store.findIncidents({}).then((all) => new Set(all.map((incident) => incident.key)));
    return allIncidentKeys;
  };
}

/**
 * Tickets created for a document-only incident have no Jira link to it; the import recorded
 * which incident they belong to, and a sync must not drop that. Read once, when the first
 * page of action items is mapped (the incidents are stored by then).
 */
function documentOwnerKeeper(store: Store) {
  let documentIncidents: Promise<Set<string>> | null = null;
  return async (item: ActionItem, stored: ActionItem | undefined): Promise<ActionItem> => {
    documentIncidents ??= store
      .findIncidents({ source: 'document' })
      .then((incidents) => new Set(incidents.map((incident) => incident.key)));
    const owners = await documentIncidents;
    return item.incidentKey === null && stored?.incidentKey != null && owners.has(stored.incidentKey)
      ? { ...item, incidentKey: stored.incidentKey }
      : item;
  };
}

/**
 * Action-item pages read ahead while the incidents are stored: at product scale the 100
 * incident pages take about 3.5 s, time enough for about 100 pages of action items (10,000
 * items, tens of MB at most, whatever the size of the data). The first sync at 1x took
 * 1.16-1.17 times the sum of Jira's request latencies with 4 pages ahead, 1.10-1.12 with 40,
 * 0.93-1.02 with 100 (docs/benchmarks.md, "Fifth round").
 */
export const ACTION_ITEM_PAGES_AHEAD = 100;

export async function actionItemQuery(
  store: Store,
  settings: SyncSettings,
  ctx: MappingContext,
): Promise<QuerySpec<ActionItem>> {
  const knownIncidents = incidentKeyLookup(store);
  const keepDocumentOwner = documentOwnerKeeper(store);
  return {
    query: 'actionItems',
    userJql: settings.jira.actionItemJql,
    fields: ACTION_ITEM_FIELDS,
    // The import owns `documentRef`; a sync must not erase it. An empty store has none to keep.
    readExisting: (await store.counts()).actionItems > 0,
    findExisting: (keys) => store.findActionItems({ keys }),
    toRecords: async (issues, existing, plan) => {
      const incidentKeys = await knownIncidents(issues, plan.incremental);
      const records: ActionItem[] = [];
      for (const issue of issues) {
        const stored = existing.get(issue.key);
        const item = toActionItem(issue, ctx, (key) => incidentKeys.has(key), stored?.documentRef ?? null);
        records.push(await keepDocumentOwner(item, stored));
      }
      return records;
    },
    upsert: (records) => store.upsertActionItems(records),
    // Read while the incidents are stored, so Jira is not left idle at the switch.
    pagesAhead: ACTION_ITEM_PAGES_AHEAD,
  };
}
