/** Jira-shaped issues for the mapping tests, as Jira Cloud's search returns them. */
import type { JiraHistory, JiraIssue } from '../../server/jira/JiraReader.js';
import { resolveFieldMapping, type FieldMappingConfig } from '../../server/sync/fieldMapping.js';
import type { MappingContext } from '../../server/sync/mapIssue.js';
import type { StatusCategory } from '../../server/domain/types.js';
import { DEFAULT_FIELDS as CONFIG_DEFAULT_FIELDS } from '../../server/config/config.js';
import type { Store } from '../../server/store/Store.js';
import { SYNC_STATE_NAMES } from '../../server/sync/runSync.js';

export const STATUSES: Record<string, { name: string; category: StatusCategory }> = {
  '10000': { name: 'To Do', category: 'new' },
  '10003': { name: 'Open', category: 'new' },
  '3': { name: 'In Progress', category: 'indeterminate' },
  '10004': { name: 'Investigating', category: 'indeterminate' },
  '10001': { name: 'Done', category: 'done' },
  '10002': { name: "Won't Do", category: 'done' },
  '10006': { name: 'Resolved', category: 'done' },
};

export function status(id: string) {
  const s = STATUSES[id];
  if (!s) throw new Error(`no status ${id}`);
  return {
    self: `https://example.atlassian.net/rest/api/3/status/${id}`,
    id,
    name: s.name,
    statusCategory: {
      id: s.category === 'new' ? 2 : s.category === 'done' ? 3 : 4,
      key: s.category,
      colorName: 'x',
      name: s.name,
    },
  };
}

/** A status change history entry, `from` and `to` being status ids. */
export function move(id: string, created: string, from: string, to: string, author = 'Dana Ops'): JiraHistory {
  return {
    id,
    created,
    author,
    items: [
      {
        field: 'status',
        fieldId: 'status',
        from,
        fromString: STATUSES[from]?.name ?? null,
        to,
        toString: STATUSES[to]?.name ?? null,
      },
    ],
  };
}

export function issue(key: string, fields: Record<string, unknown>, histories: JiraHistory[] = []): JiraIssue {
  return {
    id: String(10000 + Number(key.replace(/\D/g, ''))),
    key,
    fields: {
      summary: `Summary of ${key}`,
      created: '2026-10-01T08:00:00.000+0000',
      updated: '2026-10-02T08:00:00.000+0000',
      resolutiondate: null,
      status: status('10000'),
      ...fields,
    },
    histories,
    historiesComplete: true,
  };
}

export const JIRA_FIELDS = [
  { id: 'summary', name: 'Summary', custom: false },
  { id: 'priority', name: 'Priority', custom: false },
  { id: 'components', name: 'Components', custom: false },
  { id: 'customfield_10040', name: 'Impact start', custom: true },
  { id: 'customfield_10041', name: 'Detected at', custom: true },
  { id: 'customfield_10042', name: 'Acknowledged at', custom: true },
  { id: 'customfield_10043', name: 'Impact end', custom: true },
  { id: 'customfield_10044', name: 'Detection method', custom: true },
  { id: 'customfield_10045', name: 'Incident commander', custom: true },
  { id: 'customfield_10046', name: 'Severity level', custom: true },
  { id: 'customfield_10047', name: 'Affected services', custom: true },
  { id: 'customfield_10048', name: 'Resolved at', custom: true },
];

export const DEFAULT_FIELDS: FieldMappingConfig = CONFIG_DEFAULT_FIELDS;

export const SEVERITY_MAP = { Highest: 'P0', High: 'P1', Medium: 'P2', Low: 'P3', Lowest: 'P4' };
export const DETECTION_MAP = {
  'Monitoring alert': 'automated',
  'Automated alert': 'automated',
  'Customer report': 'customer',
  'Support ticket': 'customer',
  'Internal report': 'internal',
};

export function context(fields: Partial<FieldMappingConfig> = {}, timezone = 'UTC'): MappingContext {
  return {
    timezone,
    fieldIds: resolveFieldMapping({ ...DEFAULT_FIELDS, ...fields }, JIRA_FIELDS),
    severityMap: SEVERITY_MAP,
    detectionMap: DETECTION_MAP,
    statusCategory: (id, name) =>
      (id !== null ? STATUSES[id]?.category : undefined) ??
      Object.values(STATUSES).find((s) => s.name === name)?.category ??
      null,
    browseUrl: (key) => `https://example.atlassian.net/browse/${key}`,
  };
}

/** Everything a sync leaves in a store, to compare two runs' end states. */
export async function snapshot(store: Store) {
  const [incidents, actionItems, a, b] = await Promise.all([
    store.findIncidents({}),
    store.findActionItems({}),
    store.getSyncState(SYNC_STATE_NAMES.incidents),
    store.getSyncState(SYNC_STATE_NAMES.actionItems),
  ]);
  return { incidents, actionItems, watermarks: [a?.watermark ?? null, b?.watermark ?? null] };
}
