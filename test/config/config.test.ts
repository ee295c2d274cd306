/** Configuration: defaults, and one clear line for each wrong value. */
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfigFileObject, redactConfig } from '../../server/config/config.js';
import { tempDir } from '../support/stores.js';

/** A CONFIG_FILE that does not exist at the default path is fine; pin it to an empty dir. */
const dir = tempDir('pmi-config-');
const base = { CONFIG_FILE: undefined as string | undefined };
function load(env: Record<string, string | undefined>) {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return loadConfig({ ...base, ...env });
  } finally {
    process.chdir(cwd);
  }
}
function errorOf(env: Record<string, string | undefined>): string {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}
function writeFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig defaults', () => {
  it('runs a first start with nothing set: demo mode, embedded store, loopback, no auth', () => {
    const config = load({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      mongodbUri: null,
      jira: null,
      demo: true,
      syncCron: '*/15 * * * *',
      digestCron: '0 9 * * 1',
      timezone: 'UTC',
      authMode: 'none',
      apiKeys: [],
      jiraWebhookSecret: null,
      logLevel: 'info',
      actionItemSlaDays: { P0: 15, P1: 15, P2: 30, P3: 60, P4: 60 },
    });
    expect(config.dataDir).toBe(join(dir, 'data', 'demo'));
    expect(config.mapping).toEqual({
      incidentJql: 'issuetype = Incident',
      actionItemJql: 'labels = postmortem-action',
      actionItemProject: null,
      actionItemIssueType: 'Task',
      actionItemLabel: 'postmortem-action',
      fields: {
        severity: 'priority',
        services: 'components',
        startedAt: null,
        detectedAt: null,
        acknowledgedAt: null,
        endedAt: null,
        detectionMethod: null,
        commander: null,
      },
      severityMap: { Highest: 'P0', High: 'P1', Medium: 'P2', Low: 'P3', Lowest: 'P4' },
      detectionMap: {
        'Monitoring alert': 'automated',
        'Automated alert': 'automated',
        'Customer report': 'customer',
        'Support ticket': 'customer',
        'Internal report': 'internal',
      },
    });
  });

  it('connects a real Jira when its three variables are set', () => {
    const config = load({
      JIRA_BASE_URL: 'https://acme.atlassian.net/',
      JIRA_EMAIL: 'sre@acme.com',
      JIRA_API_TOKEN: 'tok',
    });
    expect(config.jira).toEqual({ baseUrl: 'https://acme.atlassian.net', email: 'sre@acme.com', apiToken: 'tok' });
    expect(config.demo).toBe(false);
    // Real data does not share a folder with the demo's.
    expect(config.dataDir).toBe(join(dir, 'data'));
  });

  it('merges `fields` key by key and replaces a given map whole', () => {
    const path = writeFile(
      'merge.json',
      JSON.stringify({
        jira: { fields: { startedAt: 'Impact start', severity: 'customfield_10040' }, severityMap: { 'SEV-1': 'P1' } },
        actionItemSlaDays: { P1: 7 },
      }),
    );
    const config = load({ CONFIG_FILE: path });
    expect(config.mapping.fields).toMatchObject({
      startedAt: 'Impact start',
      severity: 'customfield_10040',
      services: 'components',
    });
    expect(config.mapping.severityMap).toEqual({ 'SEV-1': 'P1' });
    expect(config.mapping.detectionMap['Support ticket']).toBe('customer');
    expect(config.actionItemSlaDays).toEqual({ P0: 15, P1: 7, P2: 30, P3: 60, P4: 60 });
  });
});

describe('a wrong value stops start-up with one line naming the key, the problem and the fix', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'bad PORT',
      { PORT: 'eighty' },
      /^PORT "eighty" is not a port number; set PORT to a whole number between 1 and 65535/,
    ],
    ['PORT out of range', { PORT: '70000' }, /^PORT "70000" is not a port number/],
    [
      'bad cron expression',
      { SYNC_CRON: '*/15 * * *' },
      /^SYNC_CRON "\*\/15 \* \* \*" is not a valid cron expression; use five fields/,
    ],
    ['bad digest cron', { DIGEST_CRON: '0 25 * * 1' }, /^DIGEST_CRON "0 25 \* \* 1" is not a valid cron expression/],
    [
      'unknown TIMEZONE',
      { TIMEZONE: 'Mars/Olympus' },
      /^TIMEZONE "Mars\/Olympus" is not an IANA time zone; use a name such as UTC, Europe\/Berlin/,
    ],
    [
      'AUTH_MODE none on a non-loopback address',
      { HOST: '0.0.0.0' },
      /^AUTH_MODE "none" leaves the API open on HOST 0\.0\.0\.0, which is not a loopback address; set AUTH_MODE=api-key/,
    ],
    [
      'unknown AUTH_MODE',
      { AUTH_MODE: 'basic' },
      /^AUTH_MODE "basic" is not a known mode; use one of teams-sso, api-key, none/,
    ],
    ['api-key without keys', { AUTH_MODE: 'api-key' }, /^API_KEYS is empty while AUTH_MODE=api-key/],
    [
      'teams-sso without an app',
      { AUTH_MODE: 'teams-sso', HOST: '0.0.0.0' },
      /^TEAMS_APP_CLIENT_ID is missing while AUTH_MODE=teams-sso/,
    ],
    [
      'Jira URL without credentials',
      { JIRA_BASE_URL: 'https://acme.atlassian.net' },
      /^JIRA_EMAIL is missing; set JIRA_EMAIL/,
    ],
    [
      'Jira URL that is not a URL',
      { JIRA_BASE_URL: 'acme.atlassian.net' },
      /^JIRA_BASE_URL "acme.atlassian.net" is not a URL/,
    ],
    ['bad LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL "loud" is not a log level/],
    ['bad TEAMS_APP_ID', { TEAMS_APP_ID: 'my-app' }, /^TEAMS_APP_ID "my-app" is not a GUID/],
  ];
  it.each(cases)('%s', (_name, env, expected) => {
    const message = errorOf(env);
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('a config file that is not JSON', () => {
    const path = writeFile('broken.json', '{ "jira": { "incidentJql": "issuetype = Incident", } }');
    expect(errorOf({ CONFIG_FILE: path })).toMatch(
      /^CONFIG_FILE: .*broken\.json is not valid JSON \(.+\); fix the syntax/,
    );
  });

  it('an unknown field key in the file', () => {
    const path = writeFile(
      'unknown-field.json',
      JSON.stringify({ jira: { fields: { severity: 'priority', sevrity: 'x' } } }),
    );
    expect(errorOf({ CONFIG_FILE: path })).toMatch(
      /^CONFIG_FILE .*unknown-field\.json: unknown key jira\.fields\.sevrity; use only the keys severity, services, startedAt, detectedAt, acknowledgedAt, endedAt, detectionMethod, commander/,
    );
  });

  it('an unknown top-level key and a bad map value', () => {
    expect(errorOf({ CONFIG_FILE: writeFile('top.json', JSON.stringify({ jiraa: {} })) })).toMatch(/unknown key jiraa/);
    expect(
      errorOf({ CONFIG_FILE: writeFile('sev.json', JSON.stringify({ jira: { severityMap: { Highest: 'P9' } } })) }),
    ).toMatch(/jira\.severityMap\.Highest .*map Jira values to one of P0, P1, P2, P3, P4/);
  });

  it('a CONFIG_FILE that does not exist, when named explicitly', () => {
    expect(errorOf({ CONFIG_FILE: join(dir, 'missing.json') })).toMatch(
      /^CONFIG_FILE: cannot read .*missing\.json \(ENOENT\)/,
    );
  });

  it('never echoes a secret in the message', () => {
    expect(errorOf({ AUTH_MODE: 'api-key', API_KEYS: 'short-secret' })).not.toContain('short-secret');
    expect(errorOf({ TEAMS_WEBHOOK_URL: 'ftp://hook.example.com/sig=abc' })).not.toContain('sig=abc');
    expect(errorOf({ MONGODB_URI: 'postgres://u:pw@h/db' })).not.toContain('pw');
    const short = errorOf({ JIRA_WEBHOOK_SECRET: 'hook-secret' });
    expect(short).toContain('JIRA_WEBHOOK_SECRET');
    expect(short).toContain('openssl rand -hex 32');
    expect(short).not.toContain('hook-secret');
  });
});

describe('redactConfig', () => {
  it('hides every secret when config is printed', () => {
    const config = load({
      JIRA_BASE_URL: 'https://acme.atlassian.net',
      JIRA_EMAIL: 'sre@acme.com',
      JIRA_API_TOKEN: 'jira-secret-token',
      TEAMS_WEBHOOK_URL: 'https://prod.westus.logic.azure.com/workflows/1?sig=webhook-secret',
      MONGODB_URI: 'mongodb://admin:db-secret@db.internal:27017/pmi',
      AUTH_MODE: 'api-key',
      API_KEYS: 'key-aaaaaaaaaaaaaaaaaaaa,key-bbbbbbbbbbbbbbbbbbbb',
      JIRA_WEBHOOK_SECRET: 'jira-hook-secret-0123456789',
    });
    expect(config.jiraWebhookSecret).toBe('jira-hook-secret-0123456789');
    const printed = JSON.stringify(redactConfig(config));
    for (const secret of [
      'jira-secret-token',
      'webhook-secret',
      'db-secret',
      'key-aaaa',
      'key-bbbb',
      'jira-hook-secret',
    ])
      expect(printed).not.toContain(secret);
    expect(printed).toContain('db.internal:27017');
  });
});

describe('parseConfigFileObject', () => {
  it('validates a mapping supplied in code (demo mode) the same way', () => {
    expect(parseConfigFileObject({ jira: { fields: { detectedAt: 'Detected at' } } }).mapping.fields.detectedAt).toBe(
      'Detected at',
    );
    expect(() => parseConfigFileObject({ jira: { fields: { nope: 'x' } } }, 'demo config')).toThrow(
      /^demo config: unknown key jira\.fields\.nope/,
    );
  });
});
