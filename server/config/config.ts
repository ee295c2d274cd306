/**
 * Configuration: the environment (secrets, endpoints, schedules) plus the optional JSON
 * config file (the Jira field mapping). Parsed once, with every default in this file.
 * A wrong value throws a ConfigError whose message is one line: the key, what is wrong
 * with the value, and the fix. `redactConfig` is the only way config is ever printed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { SEVERITIES, type DetectionCategory, type Severity } from '../domain/types.js';
import { isValidTimeZone } from '../time.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const AUTH_MODES = ['teams-sso', 'api-key', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

export interface Config {
  port: number;
  host: string;
  mongodbUri: string | null;
  dataDir: string;
  /** Null when no Jira is configured: demo mode. */
  jira: { baseUrl: string; email: string; apiToken: string } | null;
  demo: boolean;
  syncCron: string;
  digestCron: string;
  timezone: string;
  teamsWebhookUrl: string | null;
  /** JIRA_WEBHOOK_SECRET: signs Jira's webhook deliveries; null turns `POST /api/jira/webhook` off (404). */
  jiraWebhookSecret: string | null;
  publicUrl: string | null;
  authMode: AuthMode;
  teams: { appId: string | null; clientId: string | null; tenantId: string | null };
  apiKeys: string[];
  logLevel: (typeof LOG_LEVELS)[number];
  configFile: string | null;
  mapping: JiraMappingConfig;
  actionItemSlaDays: Record<Severity, number>;
  /** Per client address and window; 0 turns a limiter off (docs: SECURITY.md). */
  rateLimits: { authFailures: number; writes: number; windowSeconds: number };
  /** How long a request (headers and body) may take to arrive before the server answers 408. */
  requestTimeoutSeconds: number;
}

// ---- the config file -------------------------------------------------------------

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

function readConfigFile(path: string, explicit: boolean): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return {};
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
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(describeIssue(parsed.error.issues[0]!, `CONFIG_FILE ${path}`));
  return parsed.data;
}

// ---- the environment -------------------------------------------------------------

type Env = Record<string, string | undefined>;

function fail(key: string, value: string | undefined, problem: string, fix: string): never {
  const shown = value === undefined ? '' : ` "${value}"`;
  throw new ConfigError(`${key}${shown} ${problem}; ${fix}.`);
}

function secretFail(key: string, problem: string, fix: string): never {
  throw new ConfigError(`${key} ${problem}; ${fix}.`);
}

function nonEmpty(env: Env, key: string): string | undefined {
  const v = env[key]?.trim();
  return v ? v : undefined;
}

function parseUrl(env: Env, key: string, secret: boolean, protocols: string[]): string | null {
  const raw = nonEmpty(env, key);
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return secret
      ? secretFail(key, 'is not a URL', `set ${key} to a full ${protocols.join(' or ')} URL`)
      : fail(key, raw, 'is not a URL', `set ${key} to a full URL such as ${protocols[0]}//example.com`);
  }
  if (!protocols.includes(url.protocol)) {
    return secret
      ? secretFail(key, `must use ${protocols.join(' or ')}`, `set ${key} to a ${protocols.join(' or ')} URL`)
      : fail(key, raw, `must use ${protocols.join(' or ')}`, `set ${key} to a ${protocols.join(' or ')} URL`);
  }
  return raw.replace(/\/+$/, '');
}

function parseCron(env: Env, key: string, fallback: string): string {
  const raw = nonEmpty(env, key) ?? fallback;
  if (!isValidCron(raw)) {
    fail(
      key,
      raw,
      'is not a valid cron expression',
      `use five fields "minute hour day-of-month month day-of-week", e.g. "${fallback}"`,
    );
  }
  return raw;
}

function parseWholeNumber(env: Env, key: string, fallback: number, min: number, max: number, meaning: string): number {
  const raw = nonEmpty(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    fail(key, raw, `is not a whole number from ${min} to ${max}`, `set ${key} to ${meaning} (default ${fallback})`);
  }
  return value;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function loadConfig(env: Env = process.env): Config {
  const portRaw = nonEmpty(env, 'PORT') ?? '3000';
  const port = Number(portRaw);
  if (!/^\d+$/.test(portRaw) || port > 65535) {
    fail(
      'PORT',
      portRaw,
      'is not a port number',
      'set PORT to a whole number between 1 and 65535 (default 3000; 0 picks a free port)',
    );
  }
  const host = nonEmpty(env, 'HOST') ?? '127.0.0.1';

  const mongodbUri = nonEmpty(env, 'MONGODB_URI') ?? null;
  if (mongodbUri !== null && !/^mongodb(\+srv)?:\/\/\S+$/.test(mongodbUri)) {
    secretFail(
      'MONGODB_URI',
      'is not a MongoDB connection string',
      'use mongodb://host:27017/postmortem-insights or mongodb+srv://..., or unset it to use the embedded store',
    );
  }

  const baseUrl = parseUrl(env, 'JIRA_BASE_URL', false, ['https:', 'http:']);
  let jira: Config['jira'] = null;
  if (baseUrl !== null) {
    const email = nonEmpty(env, 'JIRA_EMAIL');
    const apiToken = nonEmpty(env, 'JIRA_API_TOKEN');
    if (email === undefined || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      fail(
        'JIRA_EMAIL',
        email,
        email === undefined ? 'is missing' : 'is not an email address',
        'set JIRA_EMAIL to the Atlassian account email that owns JIRA_API_TOKEN (JIRA_BASE_URL is set)',
      );
    }
    if (apiToken === undefined) {
      secretFail(
        'JIRA_API_TOKEN',
        'is missing',
        'create an API token at id.atlassian.com (Security, API tokens) and set JIRA_API_TOKEN (JIRA_BASE_URL is set)',
      );
    }
    jira = { baseUrl, email, apiToken };
  } else if (nonEmpty(env, 'JIRA_EMAIL') || nonEmpty(env, 'JIRA_API_TOKEN')) {
    fail(
      'JIRA_BASE_URL',
      undefined,
      'is missing while JIRA_EMAIL or JIRA_API_TOKEN is set',
      'set JIRA_BASE_URL to your site, e.g. https://your-team.atlassian.net, or unset both for demo mode',
    );
  }

  // Demo data lives apart from real data, so connecting Jira later starts from a clean store.
  const dataDir = resolve(nonEmpty(env, 'DATA_DIR') ?? (jira === null ? './data/demo' : './data'));

  const syncCron = parseCron(env, 'SYNC_CRON', '*/15 * * * *');
  const digestCron = parseCron(env, 'DIGEST_CRON', '0 9 * * 1');

  const timezone = nonEmpty(env, 'TIMEZONE') ?? 'UTC';
  if (!isValidTimeZone(timezone)) {
    fail('TIMEZONE', timezone, 'is not an IANA time zone', 'use a name such as UTC, Europe/Berlin or America/New_York');
  }

  const teamsWebhookUrl = parseUrl(env, 'TEAMS_WEBHOOK_URL', true, ['https:', 'http:']);
  const publicUrl = parseUrl(env, 'PUBLIC_URL', false, ['https:', 'http:']);
  const jiraWebhookSecret = nonEmpty(env, 'JIRA_WEBHOOK_SECRET') ?? null;
  if (jiraWebhookSecret !== null && jiraWebhookSecret.length < 16) {
    secretFail(
      'JIRA_WEBHOOK_SECRET',
      'is shorter than 16 characters',
      'use a long random secret, e.g. from `openssl rand -hex 32`, and give Jira the same one (docs/webhooks.md)',
    );
  }

  const authRaw = nonEmpty(env, 'AUTH_MODE') ?? 'none';
  if (!(AUTH_MODES as readonly string[]).includes(authRaw)) {
    fail('AUTH_MODE', authRaw, 'is not a known mode', `use one of ${AUTH_MODES.join(', ')}`);
  }
  const authMode = authRaw as AuthMode;
  if (authMode === 'none' && !isLoopbackHost(host)) {
    fail(
      'AUTH_MODE',
      'none',
      `leaves the API open on HOST ${host}, which is not a loopback address`,
      'set AUTH_MODE=api-key (with API_KEYS) or AUTH_MODE=teams-sso, or bind HOST=127.0.0.1',
    );
  }

  const appId = nonEmpty(env, 'TEAMS_APP_ID') ?? null;
  if (appId !== null && !GUID.test(appId)) {
    fail(
      'TEAMS_APP_ID',
      appId,
      'is not a GUID',
      'set it to the app package id, e.g. 3f0c7b0e-8a4d-4f53-9f5e-1a2b3c4d5e6f (generate one with uuidgen)',
    );
  }
  const clientId = nonEmpty(env, 'TEAMS_APP_CLIENT_ID') ?? null;
  if (clientId !== null && !GUID.test(clientId)) {
    fail(
      'TEAMS_APP_CLIENT_ID',
      clientId,
      'is not a GUID',
      "set it to the Entra app registration's Application (client) ID",
    );
  }
  const tenantId = nonEmpty(env, 'TEAMS_TENANT_ID') ?? null;
  if (tenantId !== null && !GUID.test(tenantId)) {
    fail('TEAMS_TENANT_ID', tenantId, 'is not a GUID', 'set it to your Microsoft Entra tenant (directory) ID');
  }
  if (authMode === 'teams-sso' && (clientId === null || tenantId === null)) {
    fail(
      clientId === null ? 'TEAMS_APP_CLIENT_ID' : 'TEAMS_TENANT_ID',
      undefined,
      'is missing while AUTH_MODE=teams-sso',
      'set TEAMS_APP_CLIENT_ID and TEAMS_TENANT_ID from your Entra app registration',
    );
  }

  const apiKeys = (env.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (authMode === 'api-key') {
    if (apiKeys.length === 0) {
      secretFail(
        'API_KEYS',
        'is empty while AUTH_MODE=api-key',
        'set API_KEYS to one or more comma-separated keys of at least 16 characters',
      );
    }
    if (apiKeys.some((k) => k.length < 16)) {
      secretFail(
        'API_KEYS',
        'holds a key shorter than 16 characters',
        'use long random keys, e.g. from `openssl rand -hex 24`',
      );
    }
  }

  const logLevel = (nonEmpty(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    fail('LOG_LEVEL', logLevel, 'is not a log level', `use one of ${LOG_LEVELS.join(', ')}`);
  }

  const rateLimits = {
    authFailures: parseWholeNumber(
      env,
      'RATE_LIMIT_AUTH_FAILURES',
      20,
      0,
      1_000_000,
      'the failed authentications one address may make per window, 0 for no limit',
    ),
    writes: parseWholeNumber(
      env,
      'RATE_LIMIT_WRITES',
      120,
      0,
      1_000_000,
      'the API writes one address may make per window, 0 for no limit',
    ),
    windowSeconds: parseWholeNumber(
      env,
      'RATE_LIMIT_WINDOW_SECONDS',
      60,
      1,
      86_400,
      'the length of a rate-limit window in seconds',
    ),
  };
  const requestTimeoutSeconds = parseWholeNumber(
    env,
    'REQUEST_TIMEOUT_SECONDS',
    30,
    1,
    3600,
    'the seconds a request may take to arrive',
  );

  const explicitFile = nonEmpty(env, 'CONFIG_FILE');
  const configPath = resolve(explicitFile ?? DEFAULT_CONFIG_FILE);
  const file = readConfigFile(configPath, explicitFile !== undefined);
  const fileJira = file.jira ?? {};

  return {
    port,
    host,
    mongodbUri,
    dataDir,
    jira,
    demo: jira === null,
    syncCron,
    digestCron,
    timezone,
    teamsWebhookUrl,
    jiraWebhookSecret,
    publicUrl,
    authMode,
    teams: { appId, clientId, tenantId },
    apiKeys,
    logLevel: logLevel as Config['logLevel'],
    configFile: configPath,
    mapping: resolveMapping(fileJira),
    actionItemSlaDays: { ...DEFAULT_SLA_DAYS, ...file.actionItemSlaDays },
    rateLimits,
    requestTimeoutSeconds,
  };
}

/**
 * Applies the config file's `jira` block over the defaults: a map given in the file
 * replaces its default whole, while `fields` merges key by key.
 */
export function resolveMapping(fileJira: NonNullable<ConfigFile['jira']>): JiraMappingConfig {
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

/** Validates a config-file object (as demo mode supplies one) and resolves it. */
export function parseConfigFileObject(
  json: unknown,
  source = 'config',
): { mapping: JiraMappingConfig; actionItemSlaDays: Record<Severity, number> } {
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

const REDACTED = '[redacted]';

/** The config as it may be printed or logged: every secret replaced. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    mongodbUri: config.mongodbUri === null ? null : config.mongodbUri.replace(/\/\/[^@/]*@/, `//${REDACTED}@`),
    jira: config.jira === null ? null : { ...config.jira, apiToken: REDACTED },
    teamsWebhookUrl: config.teamsWebhookUrl === null ? null : REDACTED,
    jiraWebhookSecret: config.jiraWebhookSecret === null ? null : REDACTED,
    apiKeys: config.apiKeys.map(() => REDACTED),
  };
}
