/**
 * The optional JSON config file (CONFIG_FILE): the Jira field mapping and the action-item
 * SLAs, with their defaults. Validated with a strict schema; a wrong key or value is one
 * ConfigError line that names it and the fix.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SEVERITIES, type DetectionCategory, type Severity } from '../domain/types.js';
import { ConfigError } from './types.js';

export const DEFAULT_CONFIG_FILE = './postmortem-insights.config.json';

/** Field mapping keys of the config file (`jira.fields`), with their defaults. */
export const DEFAULT_FIELDS = {
  severity: 'priority',
  services: 'components',
  startedAt: null,
  detectedAt: null,
  acknowledgedAt: null,
  endedAt: null,
  detectionMethod: null,
  commander: null,
} as const satisfies Record<string, string | null>;
export type FieldKey = keyof typeof DEFAULT_FIELDS;
/**
 * `resolvedAt` is an extra key beyond the default mapping: the time-point table (docs/jira.md) lets
 * resolvedAt come from a field, so the key is accepted; absent means not mapped.
 */
export type FieldMapping = Record<FieldKey, string | null> & { resolvedAt?: string | null };

export const DEFAULT_SEVERITY_MAP: Record<string, Severity> = {
  Highest: 'P0',
  High: 'P1',
  Medium: 'P2',
  Low: 'P3',
  Lowest: 'P4',
};

export const DEFAULT_DETECTION_MAP: Record<string, Exclude<DetectionCategory, 'unknown'>> = {
  'Monitoring alert': 'automated',
  'Automated alert': 'automated',
  'Customer report': 'customer',
  'Support ticket': 'customer',
  'Internal report': 'internal',
};

export const DEFAULT_SLA_DAYS: Record<Severity, number> = { P0: 15, P1: 15, P2: 30, P3: 60, P4: 60 };

export interface JiraMappingConfig {
  incidentJql: string;
  actionItemJql: string;
  actionItemProject: string | null;
  actionItemIssueType: string;
  actionItemLabel: string;
  fields: FieldMapping;
  severityMap: Record<string, Severity>;
  detectionMap: Record<string, Exclude<DetectionCategory, 'unknown'>>;
}

const fieldsSchema = z.strictObject(
  Object.fromEntries(
    [...Object.keys(DEFAULT_FIELDS), 'resolvedAt'].map((k) => [k, z.string().min(1).nullable().optional()]),
  ) as Record<FieldKey | 'resolvedAt', z.ZodOptional<z.ZodNullable<z.ZodString>>>,
);

const fileSchema = z.strictObject({
  jira: z
    .strictObject({
      incidentJql: z.string().min(1).optional(),
      actionItemJql: z.string().min(1).optional(),
      actionItemProject: z.string().min(1).nullable().optional(),
      actionItemIssueType: z.string().min(1).optional(),
      actionItemLabel: z.string().regex(/^\S+$/, 'must be a Jira label (no spaces)').optional(),
      fields: fieldsSchema.optional(),
      severityMap: z.record(z.string(), z.enum(SEVERITIES)).optional(),
      detectionMap: z.record(z.string(), z.enum(['automated', 'customer', 'internal'])).optional(),
    })
    .optional(),
  actionItemSlaDays: z
    .strictObject(
      Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int().min(0).max(3650)])) as Record<
        Severity,
        z.ZodNumber
      >,
    )
    .partial()
    .optional(),
});
export type ConfigFile = z.infer<typeof fileSchema>;

/** What the config file resolves to, over the defaults. */
export interface ConfigFileSettings {
  mapping: JiraMappingConfig;
  actionItemSlaDays: Record<Severity, number>;
}

/** Fix hints for config-file keys, by the key's last segment. */
const FILE_FIXES: Record<string, string> = {
  fields: `use only the keys ${[...Object.keys(DEFAULT_FIELDS), 'resolvedAt'].join(', ')}, each a Jira field id (customfield_10042) or display name, or null`,
  severityMap: `map Jira values to one of ${SEVERITIES.join(', ')}`,
  detectionMap: 'map detection texts to automated, customer or internal',
  actionItemSlaDays: `give whole days (0-3650) for ${SEVERITIES.join(', ')}`,
  actionItemLabel: 'use a single word label such as postmortem-action',
};

function describeIssue(issue: z.core.$ZodIssue, root: string): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const parent = path.join('.');
    const keys = issue.keys.map((k) => (parent ? `${parent}.${k}` : k));
    const fix =
      FILE_FIXES[path[path.length - 1] ?? ''] ??
      'remove it or check its spelling against the README configuration table';
    return `${root}: unknown key ${keys.join(', ')}; ${fix}.`;
  }
  const key = path.join('.') || '(top level)';
  const fix = FILE_FIXES[path.find((p) => FILE_FIXES[p]) ?? ''] ?? 'see the README configuration table';
  const problem = issue.message.replace(/^Invalid input: /, '').replace(/^./, (c) => c.toLowerCase());
  return `${root}: ${key} is invalid (${problem}); ${fix}.`;
}

/**
 * Reads and resolves the config file at `path`; a missing file is fine unless CONFIG_FILE
 * named it (`explicit`).
 */
export function readConfigFile(path: string, explicit: boolean): ConfigFileSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return parseConfigFileObject({});
    throw new ConfigError(
      `CONFIG_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); create the file or point CONFIG_FILE at an existing JSON file.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `CONFIG_FILE: ${path} is not valid JSON (${(err as Error).message}); fix the syntax (a JSON object, double-quoted keys, no trailing commas).`,
    );
  }
  return parseConfigFileObject(json, `CONFIG_FILE ${path}`);
}

/**
 * Applies the config file's `jira` block over the defaults: a map given in the file
 * replaces its default whole, while `fields` merges key by key.
 */
function resolveMapping(fileJira: NonNullable<ConfigFile['jira']>): JiraMappingConfig {
  return {
    incidentJql: fileJira.incidentJql ?? 'issuetype = Incident',
    actionItemJql: fileJira.actionItemJql ?? 'labels = postmortem-action',
    actionItemProject: fileJira.actionItemProject ?? null,
    actionItemIssueType: fileJira.actionItemIssueType ?? 'Task',
    actionItemLabel: fileJira.actionItemLabel ?? 'postmortem-action',
    fields: { ...DEFAULT_FIELDS, ...stripUndefined(fileJira.fields ?? {}) },
    severityMap: fileJira.severityMap ?? DEFAULT_SEVERITY_MAP,
    detectionMap: fileJira.detectionMap ?? DEFAULT_DETECTION_MAP,
  };
}

/** Validates a config-file object (the file's JSON, or one demo mode supplies) and resolves it. */
export function parseConfigFileObject(json: unknown, source = 'config'): ConfigFileSettings {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(describeIssue(parsed.error.issues[0]!, source));
  return {
    mapping: resolveMapping(parsed.data.jira ?? {}),
    actionItemSlaDays: { ...DEFAULT_SLA_DAYS, ...parsed.data.actionItemSlaDays },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
