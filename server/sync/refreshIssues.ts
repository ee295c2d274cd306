/**
 * Brings a few issues up to date from Jira, as a webhook delivery asks: each issue is read
 * again by id (fields and whole changelog, `GET /rest/api/3/issue/{id}`, which reads Jira's
 * own writes, unlike the search index), judged against the incident and action-item JQLs
 * by its fields, mapped by the same rules as the sync and written. What Jira no longer has,
 * or no longer counts, leaves the store through `removeIssues`, the one delete path the
 * daily id reconciliation uses too.
 *
 * Order-proof: the state written is Jira's state now, and a stored record whose `updated`
 * is newer than what was read is kept, so a late or repeated delivery cannot put back older state.
 */
import type { ActionItem, Incident } from '../domain/types.js';
import type { JiraIssue, JiraReader } from '../jira/JiraReader.js';
import type { Store } from '../store/Store.js';
import { compileJqlMatcher, type IssueMatcher } from '../jira/jql/match.js';
import {
  ACTION_ITEM_FIELDS,
  CHANGELOG_FIELD_IDS,
  candidateIncidentKeys,
  incidentFields,
  toActionItem,
  toIncident,
} from './mapIssue.js';
import { prepareMapping, type PreparedMapping, type SyncSettings } from './prepareMapping.js';

/** Issues read from Jira at once. */
const READ_CONCURRENCY = 4;

export interface RefreshCounts {
  /** Issues read from Jira. */
  read: number;
  incidents: number;
  actionItems: number;
  /** Records removed: the issue is gone from Jira or outside its JQL now. */
  removed: number;
  /** Issues outside both JQLs that were not stored either. */
  ignored: number;
  /** Stored records kept because they were newer than what Jira returned. */
  stale: number;
}

export interface RemovedCounts {
  incidents: number;
  actionItems: number;
}

/**
 * Removes incidents and action items by key; action items left without their incident are
 * re-read (their other links may name another incident), through `remap`.
 */
export async function removeIssues(
  store: Store,
  keys: { incidents: string[]; actionItems: string[] },
  remap: (actionItems: ActionItem[]) => Promise<void>,
): Promise<RemovedCounts> {
  const actionItems = await store.deleteActionItems(keys.actionItems);
  const { deleted, detachedActionItems } = await store.deleteIncidents(keys.incidents);
  if (detachedActionItems.length > 0) await remap(await store.findActionItems({ keys: detachedActionItems }));
  return { incidents: deleted, actionItems };
}

interface Judge {
  incidents: IssueMatcher | null;
  actionItems: IssueMatcher | null;
  fields: string[];
}

export class IssueRefresher {
  private mapping: { prepared: PreparedMapping; at: number } | null = null;
  private readonly judge: Judge;

  constructor(
    private readonly store: Store,
    private readonly jira: JiraReader,
    private readonly settings: SyncSettings,
    /** How long the field list and the user's zone are reused (they change rarely). */
    private readonly mappingTtlMs = 5 * 60_000,
  ) {
    const incidents = compileJqlMatcher(settings.jira.incidentJql);
    const actionItems = compileJqlMatcher(settings.jira.actionItemJql);
    this.judge = {
      incidents: incidents?.match ?? null,
      actionItems: actionItems?.match ?? null,
      fields: [...(incidents?.fields ?? []), ...(actionItems?.fields ?? [])],
    };
  }

  private async prepared(): Promise<PreparedMapping> {
    const now = Date.now();
    if (this.mapping === null || now - this.mapping.at > this.mappingTtlMs) {
      this.mapping = { prepared: await prepareMapping(this.jira, this.settings), at: now };
    }
    return this.mapping.prepared;
  }

  /** For a JQL only Jira can judge: which of these (existing) issues it returns. */
  private async askJira(jql: string, issues: JiraIssue[]): Promise<Set<string>> {
    if (issues.length === 0) return new Set();
    const page = await this.jira.search({
      jql: `id in (${issues.map((i) => i.id).join(',')}) AND (${jql})`,
      fields: ['id'],
      changelog: false,
      maxResults: issues.length,
    });
    return new Set(page.issues.map((i) => i.id));
  }

  private async matching(matcher: IssueMatcher | null, jql: string, issues: JiraIssue[]): Promise<Set<string>> {
    if (matcher !== null) return new Set(issues.filter((i) => matcher(i)).map((i) => i.id));
    return this.askJira(jql, issues);
  }

  /** Re-reads the issues (by Jira id; `key` names a stored record to remove when Jira has the issue no more). */
  async refresh(refs: Array<{ id: string; key: string | null }>): Promise<RefreshCounts> {
    const counts: RefreshCounts = { read: 0, incidents: 0, actionItems: 0, removed: 0, ignored: 0, stale: 0 };
    const unique = [...new Map(refs.map((r) => [r.id, r])).values()];
    if (unique.length === 0) return counts;
    const { ctx, fieldIds, statuses } = await this.prepared();
    const fields = [...new Set([...incidentFields(fieldIds), ...ACTION_ITEM_FIELDS, ...this.judge.fields])];

    const found: JiraIssue[] = [];
    const gone: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const ref = unique[next++] as { id: string; key: string | null };
        const issue = await this.jira.issue(ref.id, fields, CHANGELOG_FIELD_IDS);
        if (issue === null) {
          if (ref.key !== null) gone.push(ref.key);
        } else found.push(issue);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, unique.length) }, worker));
    counts.read = found.length;

    const truncated = found.filter((issue) => !issue.historiesComplete);
    if (truncated.length > 0) {
      const whole = await this.jira.changelogs(truncated, CHANGELOG_FIELD_IDS);
      for (const issue of truncated) issue.histories = whole.get(issue.id) ?? issue.histories;
    }
    for (const issue of found) statuses.learn(issue.fields);
    await statuses.ensureKnown(found.map((issue) => issue.histories));

    const [asIncident, asActionItem] = await Promise.all([
      this.matching(this.judge.incidents, this.settings.jira.incidentJql, found),
      this.matching(this.judge.actionItems, this.settings.jira.actionItemJql, found),
    ]);

    // Incidents first: an action item belongs only to an issue stored as an incident.
    const incidents = found.filter((i) => asIncident.has(i.id)).map((i) => toIncident(i, ctx));
    const storedIncidents = new Map(
      (await this.store.findIncidents({ keys: incidents.map((i) => i.key) })).map((i) => [i.key, i]),
    );
    const freshIncidents = incidents.filter((i) => {
      const stored = storedIncidents.get(i.key);
      const keep = stored !== undefined && stored.updatedAt > i.updatedAt;
      if (keep) counts.stale += 1;
      return !keep;
    });
    if (freshIncidents.length > 0) await this.store.upsertIncidents(freshIncidents);
    counts.incidents = freshIncidents.length;

    const itemIssues = found.filter((i) => asActionItem.has(i.id));
    const storedItems = new Map(
      (await this.store.findActionItems({ keys: itemIssues.map((i) => i.key) })).map((i) => [i.key, i]),
    );
    const candidates = [...new Set(itemIssues.flatMap((i) => candidateIncidentKeys(i.fields)))];
    const known = await this.incidentsAmong(candidates);
    const items: ActionItem[] = [];
    for (const issue of itemIssues) {
      const stored = storedItems.get(issue.key);
      const item = toActionItem(issue, ctx, (key) => known.has(key), stored?.documentRef ?? null);
      if (stored !== undefined && stored.updatedAt > item.updatedAt) {
        counts.stale += 1;
        continue;
      }
      items.push(await this.keepDocumentOwner(item, stored));
    }
    if (items.length > 0) await this.store.upsertActionItems(items);
    counts.actionItems = items.length;

    // Out of scope now (or gone): remove what is stored under that key.
    const outOfIncidents = [...gone, ...found.filter((i) => !asIncident.has(i.id)).map((i) => i.key)];
    const outOfItems = [...gone, ...found.filter((i) => !asActionItem.has(i.id)).map((i) => i.key)];
    const jiraIncidents = (await this.store.findIncidents({ keys: outOfIncidents, source: 'jira' })).map((i) => i.key);
    const storedOut = (await this.store.findActionItems({ keys: outOfItems })).map((i) => i.key);
    const removed = await this.remove({ incidents: jiraIncidents, actionItems: storedOut });
    counts.removed = removed.incidents + removed.actionItems;
    const removedKeys = new Set([...jiraIncidents, ...storedOut]);
    counts.ignored = found.filter(
      (i) => !asIncident.has(i.id) && !asActionItem.has(i.id) && !removedKeys.has(i.key),
    ).length;
    return counts;
  }

  /** The one delete path (webhook deliveries and the id reconciliation). */
  remove(keys: { incidents: string[]; actionItems: string[] }): Promise<RemovedCounts> {
    return removeIssues(this.store, keys, async (detached) => {
      await this.refresh(
        detached.filter((item) => item.jiraId !== null).map((item) => ({ id: item.jiraId as string, key: item.key })),
      );
    });
  }

  private async incidentsAmong(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    return new Set((await this.store.findIncidents({ keys })).map((incident: Incident) => incident.key));
  }

  /** Tickets created for a document-only incident have no Jira link to it; keep the owner the import recorded. */
  private async keepDocumentOwner(item: ActionItem, stored: ActionItem | undefined): Promise<ActionItem> {
    if (item.incidentKey !== null || stored?.incidentKey == null) return item;
    const owner = await this.store.getIncident(stored.incidentKey);
    return owner?.source === 'document' ? { ...item, incidentKey: stored.incidentKey } : item;
  }
}
