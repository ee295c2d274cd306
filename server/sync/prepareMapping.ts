/**
 * What mapping an issue needs from Jira, read once per run (the sync) or per few minutes
 * (webhook deliveries): the field ids of the configured field names, the API user's zone,
 * and the status categories learnt on the way.
 */
import type { StatusCategory } from '../domain/types.js';
import { JiraError } from '../errors.js';
import type { JiraHistory, JiraReader } from '../jira/JiraReader.js';
import { resolveFieldMapping, type ResolvedFields, type SyncMappingConfig } from './fieldMapping.js';
import { jqlZone } from './jql.js';
import { currentStatus, toStatusCategory, type MappingContext } from './mapIssue.js';

export interface SyncSettings {
  /** TIMEZONE: dates without a time are 00:00 there. */
  timezone: string;
  jira: SyncMappingConfig;
  /** JIRA_BASE_URL, for browse links. */
  baseUrl: string;
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
