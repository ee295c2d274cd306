/**
 * The server the browser tests drive: the real one, started the way `npm start` starts it
 * (server/main.ts `start`), in demo mode over the sample Jira, with a fresh embedded store.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HealthResponse } from '../../server/domain/api.js';
import { start } from '../../server/main.js';

export interface TestServer {
  baseUrl: string;
  /** What runs behind it, printed by the suite. */
  description: string;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pmi-tab-'));
  // An empty config file, so a developer's own postmortem-insights.config.json plays no part.
  writeFileSync(join(dataDir, 'config.json'), '{}\n');
  // Only what the tab needs: no Jira (so demo mode), loopback, a free port, quiet logs.
  const running = await start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', CONFIG_FILE: join(dataDir, 'config.json'), TZ: process.env.TZ });
  const close = async () => {
    await running.shutdown('browser tests done');
    rmSync(dataDir, { recursive: true, force: true });
  };
  const health = (await (await fetch(`${running.url}/api/health`)).json()) as HealthResponse;
  if (health.counts.incidents === 0) {
    await close();
    throw new Error('The server started in demo mode without data: the sample Jira sync at start-up found no incidents.');
  }
  return { baseUrl: running.url, description: `the real server in demo mode (${health.counts.incidents} incidents, ${health.counts.actionItems} action items)`, close };
}
