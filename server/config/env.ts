/**
 * The environment's part of the configuration: secrets, endpoints, schedules, access and
 * limits, each with its default here. Read in a fixed order, so with several wrong values
 * the first one reported is always the same; a secret's value never appears in a message.
 */
import { resolve } from 'node:path';
import { validate as isValidCron } from 'node-cron';
import { isValidTimeZone } from '../time.js';
import { AUTH_MODES, ConfigError, LOG_LEVELS, type AuthMode, type Config } from './types.js';

export type Env = Record<string, string | undefined>;

/** The configuration the environment alone gives (the config file gives the rest). */
export type EnvSettings = Omit<Config, 'configFile' | 'mapping' | 'actionItemSlaDays'>;

function fail(key: string, value: string | undefined, problem: string, fix: string): never {
  const shown = value === undefined ? '' : ` "${value}"`;
  throw new ConfigError(`${key}${shown} ${problem}; ${fix}.`);
}

function secretFail(key: string, problem: string, fix: string): never {
  throw new ConfigError(`${key} ${problem}; ${fix}.`);
}

/** The variable's value trimmed; undefined when unset or blank. */
export function nonEmpty(env: Env, key: string): string | undefined {
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

function readPort(env: Env): number {
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
  return port;
}

function readMongodbUri(env: Env): string | null {
  const mongodbUri = nonEmpty(env, 'MONGODB_URI') ?? null;
  if (mongodbUri !== null && !/^mongodb(\+srv)?:\/\/\S+$/.test(mongodbUri)) {
    secretFail(
      'MONGODB_URI',
      'is not a MongoDB connection string',
      'use mongodb://host:27017/postmortem-insights or mongodb+srv://..., or unset it to use the embedded store',
    );
  }
  return mongodbUri;
}

/** JIRA_BASE_URL with its account; null (demo mode) when none of the three is set. */
function readJira(env: Env): Config['jira'] {
  const baseUrl = parseUrl(env, 'JIRA_BASE_URL', false, ['https:', 'http:']);
  if (baseUrl === null) {
    if (nonEmpty(env, 'JIRA_EMAIL') || nonEmpty(env, 'JIRA_API_TOKEN')) {
      fail(
        'JIRA_BASE_URL',
        undefined,
        'is missing while JIRA_EMAIL or JIRA_API_TOKEN is set',
        'set JIRA_BASE_URL to your site, e.g. https://your-team.atlassian.net, or unset both for demo mode',
      );
    }
    return null;
  }
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
  return { baseUrl, email, apiToken };
}

function readTimezone(env: Env): string {
  const timezone = nonEmpty(env, 'TIMEZONE') ?? 'UTC';
  if (!isValidTimeZone(timezone)) {
    fail('TIMEZONE', timezone, 'is not an IANA time zone', 'use a name such as UTC, Europe/Berlin or America/New_York');
  }
  return timezone;
}

function readJiraWebhookSecret(env: Env): string | null {
  const secret = nonEmpty(env, 'JIRA_WEBHOOK_SECRET') ?? null;
  if (secret !== null && secret.length < 16) {
    secretFail(
      'JIRA_WEBHOOK_SECRET',
      'is shorter than 16 characters',
      'use a long random secret, e.g. from `openssl rand -hex 32`, and give Jira the same one (docs/webhooks.md)',
    );
  }
  return secret;
}

function readAuthMode(env: Env, host: string): AuthMode {
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
  return authMode;
}

function readGuid(env: Env, key: string, fix: string): string | null {
  const value = nonEmpty(env, key) ?? null;
  if (value !== null && !GUID.test(value)) fail(key, value, 'is not a GUID', fix);
  return value;
}

/** The Teams app and Entra ids; teams-sso needs the client and tenant. */
function readTeams(env: Env, authMode: AuthMode): Config['teams'] {
  const appId = readGuid(
    env,
    'TEAMS_APP_ID',
    'set it to the app package id, e.g. 3f0c7b0e-8a4d-4f53-9f5e-1a2b3c4d5e6f (generate one with uuidgen)',
  );
  const clientId = readGuid(
    env,
    'TEAMS_APP_CLIENT_ID',
    "set it to the Entra app registration's Application (client) ID",
  );
  const tenantId = readGuid(env, 'TEAMS_TENANT_ID', 'set it to your Microsoft Entra tenant (directory) ID');
  if (authMode === 'teams-sso' && (clientId === null || tenantId === null)) {
    fail(
      clientId === null ? 'TEAMS_APP_CLIENT_ID' : 'TEAMS_TENANT_ID',
      undefined,
      'is missing while AUTH_MODE=teams-sso',
      'set TEAMS_APP_CLIENT_ID and TEAMS_TENANT_ID from your Entra app registration',
    );
  }
  return { appId, clientId, tenantId };
}

function readApiKeys(env: Env, authMode: AuthMode): string[] {
  const apiKeys = (env.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (authMode !== 'api-key') return apiKeys;
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
  return apiKeys;
}

function readLogLevel(env: Env): Config['logLevel'] {
  const logLevel = (nonEmpty(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    fail('LOG_LEVEL', logLevel, 'is not a log level', `use one of ${LOG_LEVELS.join(', ')}`);
  }
  return logLevel as Config['logLevel'];
}

function readRateLimits(env: Env): Config['rateLimits'] {
  return {
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
}

/** Everything the environment configures, each variable checked in the documented order. */
export function readEnvironment(env: Env): EnvSettings {
  const port = readPort(env);
  const host = nonEmpty(env, 'HOST') ?? '127.0.0.1';
  const mongodbUri = readMongodbUri(env);
  const jira = readJira(env);
  // Demo data lives apart from real data, so connecting Jira later starts from a clean store.
  const dataDir = resolve(nonEmpty(env, 'DATA_DIR') ?? (jira === null ? './data/demo' : './data'));
  const syncCron = parseCron(env, 'SYNC_CRON', '*/15 * * * *');
  const digestCron = parseCron(env, 'DIGEST_CRON', '0 9 * * 1');
  const timezone = readTimezone(env);
  const teamsWebhookUrl = parseUrl(env, 'TEAMS_WEBHOOK_URL', true, ['https:', 'http:']);
  const publicUrl = parseUrl(env, 'PUBLIC_URL', false, ['https:', 'http:']);
  const jiraWebhookSecret = readJiraWebhookSecret(env);
  const authMode = readAuthMode(env, host);
  const teams = readTeams(env, authMode);
  const apiKeys = readApiKeys(env, authMode);
  const logLevel = readLogLevel(env);
  const rateLimits = readRateLimits(env);
  const requestTimeoutSeconds = parseWholeNumber(
    env,
    'REQUEST_TIMEOUT_SECONDS',
    30,
    1,
    3600,
    'the seconds a request may take to arrive',
  );
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
    teams,
    apiKeys,
    logLevel,
    rateLimits,
    requestTimeoutSeconds,
  };
}
