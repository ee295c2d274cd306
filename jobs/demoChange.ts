/**
 * `npm run demo:change [-- KEY ...]`: in demo mode, closes a few open action items in the
 * running server's sample Jira (the oldest due first, or the keys given), through Jira's
 * REST API. The sample Jira then sends its signed webhook deliveries to the server, and an
 * open tab shows the change within seconds, without a reload (docs/webhooks.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isEntryPoint, readCommandLine, USAGE_EXIT_CODE, UsageError } from '../server/cli/commandLine.js';
import { ConfigError, loadConfig } from '../server/config/config.js';
import { DEMO_JIRA_FILE } from '../server/demo/environment.js';

export const DEMO_CHANGE_USAGE = `Usage: npm run demo:change [-- KEY ...]

In demo mode, closes open action items in the running server's sample Jira (the three due
first, or the issue keys given); the server hears of it through Jira's webhooks.

  --help    this text`;

const COMMAND = {
  options: {},
  hint: 'it takes only issue keys (npm run demo:change -- REL-12)',
  maxPositionals: Number.POSITIVE_INFINITY,
} as const;

export interface DemoChangeIo {
  out(line: string): void;
  err(line: string): void;
}

interface Connection {
  url: string;
  email: string;
  apiToken: string;
}

export async function demoChange(argv: string[], env: NodeJS.ProcessEnv, io: DemoChangeIo): Promise<number> {
  let args: string[];
  try {
    const line = readCommandLine(COMMAND, argv);
    if (line.help) {
      io.out(DEMO_CHANGE_USAGE);
      return 0;
    }
    args = line.positionals;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`npm run demo:change: ${err.message}`);
    return USAGE_EXIT_CODE;
  }
  let dataDir: string;
  try {
    const config = loadConfig(env);
    if (!config.demo) {
      io.err(
        'npm run demo:change works in demo mode only (no JIRA_BASE_URL): it changes the built-in sample Jira, never a real one.',
      );
      return 1;
    }
    dataDir = config.dataDir;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`Configuration error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  let jira: Connection;
  try {
    jira = JSON.parse(readFileSync(join(dataDir, DEMO_JIRA_FILE), 'utf8')) as Connection;
  } catch {
    io.err(
      `No running demo server found (${join(dataDir, DEMO_JIRA_FILE)} is missing): start one with npm start, then run npm run demo:change.`,
    );
    return 1;
  }
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${jira.url}${path}`, {
        method,
        headers: {
          authorization: `Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new Error(`the sample Jira at ${jira.url} does not answer; is the demo server (npm start) still running?`);
    }
    if (!res.ok)
      throw new Error(
        `the sample Jira answered ${res.status} to ${method} ${path}: ${(await res.text()).slice(0, 200)}`,
      );
    return res.status === 204 ? null : res.json();
  };
  try {
    const statuses = (await call('GET', '/rest/api/3/status')) as Array<{ id: string; name: string }>;
    const done = statuses.find((s) => s.name === 'Done');
    if (!done) throw new Error('the sample Jira has no Done status');
    let keys = args;
    if (keys.length === 0) {
      const page = (await call('POST', '/rest/api/3/search/jql', {
        jql: 'labels = postmortem-action AND statusCategory != Done ORDER BY duedate ASC, key ASC',
        fields: ['summary'],
        maxResults: 3,
      })) as { issues: Array<{ key: string }> };
      keys = page.issues.map((i) => i.key);
    }
    if (keys.length === 0) {
      io.out('Every action item in the sample Jira is already done; nothing to change.');
      return 0;
    }
    for (const key of keys) {
      await call('POST', `/rest/api/3/issue/${encodeURIComponent(key)}/transitions`, { transition: { id: done.id } });
      io.out(`Closed ${key} in the sample Jira; its signed webhook delivery is on its way to the server.`);
    }
    io.out('An open tab shows the change within a few seconds, without a reload.');
    return 0;
  } catch (error) {
    io.err(`npm run demo:change: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) {
  const code = await demoChange(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exit(code);
}
