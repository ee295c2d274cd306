/**
 * The config file's `jira.fields` resolved against Jira's field list: each value is a
 * field id (`customfield_10042`, `priority`) or a display name (`"Impact start"`); names
 * match exactly (case-sensitive). Resolution happens once per run.
 */
import { InputError } from '../errors.js';
import type { JiraFieldInfo } from '../jira/JiraReader.js';

export const MAPPED_FIELDS = [
  'severity',
  'services',
  'startedAt',
  'detectedAt',
  'acknowledgedAt',
  'resolvedAt',
  'endedAt',
  'detectionMethod',
  'commander',
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

/**
 * Config value per mapped field: a Jira field id or display name, or null (not mapped).
 * `resolvedAt` is not among the default keys, but the time-point table (docs/jira.md) allows
 * mapping it, so the key is accepted (absent means not mapped).
 */
export type FieldMappingConfig = Omit<Record<MappedField, string | null>, 'resolvedAt'> & {
  resolvedAt?: string | null;
};
/** Jira field id per mapped field, or null when not mapped. */
export type ResolvedFields = Record<MappedField, string | null>;

/** The parts of the config file's `jira` section the sync reads. */
export interface SyncMappingConfig {
  incidentJql: string;
  actionItemJql: string;
  fields: FieldMappingConfig;
  severityMap: Record<string, string>;
  detectionMap: Record<string, string>;
}

/** System fields every Jira site has, accepted by id even when a field list omits them. */
const SYSTEM_FIELD_IDS = new Set([
  'priority',
  'components',
  'labels',
  'assignee',
  'reporter',
  'creator',
  'duedate',
  'created',
  'updated',
  'resolutiondate',
  'resolution',
  'status',
  'summary',
  'environment',
  'description',
  'fixVersions',
  'versions',
  'issuetype',
]);

export function resolveFieldMapping(config: FieldMappingConfig, jiraFields: JiraFieldInfo[]): ResolvedFields {
  const byId = new Map(jiraFields.map((f) => [f.id, f]));
  const byName = new Map<string, JiraFieldInfo[]>();
  for (const field of jiraFields) byName.set(field.name, [...(byName.get(field.name) ?? []), field]);

  const resolved = {} as ResolvedFields;
  for (const key of MAPPED_FIELDS) {
    const wanted = config[key];
    if (wanted === null || wanted === undefined || wanted.trim() === '') {
      resolved[key] = null;
      continue;
    }
    if (byId.has(wanted) || SYSTEM_FIELD_IDS.has(wanted)) {
      resolved[key] = wanted;
      continue;
    }
    const named = byName.get(wanted) ?? [];
    if (named.length === 1) {
      resolved[key] = (named[0] as JiraFieldInfo).id;
      continue;
    }
    if (named.length > 1) {
      throw new InputError(
        `jira.fields.${key}: Jira has ${named.length} fields named "${wanted}" (${named.map((f) => f.id).join(', ')}); use one of those ids instead of the name.`,
        `jira.fields.${key}`,
      );
    }
    throw new InputError(
      `jira.fields.${key}: Jira has no field with id or name "${wanted}" (names are case-sensitive); use an id or name from GET /rest/api/3/field, or null to leave it unmapped.`,
      `jira.fields.${key}`,
    );
  }
  return resolved;
}
