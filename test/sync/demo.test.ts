/** Demo mode: no JIRA_BASE_URL, so the sample Jira starts and is synced before "ready". */
import { describe, it, expect } from '@jest/globals';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createServices } from '../../server/assembly/index.js';
import { openEnvironment } from '../../server/assembly/environment.js';
import { loadConfig, type Config } from '../../server/config/config.js';
import { createLogger, type Logger } from '../../server/logging.js';
import type { Store } from '../../server/store/Store.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { SYNC_JOB_NAME, type JiraSync } from '../../server/sync/jiraSync.js';
import { startJiraSync } from '../../server/sync/startSync.js';
import { tempDir } from '../support/stores.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

/** Demo mode's environment (the sample Jira only), the product's sync over it, and its schedule. */
async function demoSync(loaded: Config, store: Store, logger: Logger, schedule: boolean) {
  const environment = await openEnvironment(loaded, logger, { jira: true, digestWebhook: false });
  const { config } = environment;
  const { sync } = createServices({ config, store, logger, now: () => new Date() });
  const running = await startJiraSync({
    config,
    store,
    logger,
    sync: sync as JiraSync,
    firstSync: environment.firstSync,
    schedule,
  });
  return { config, environment, running };
}

describe('demo mode', () => {
  it('starts the sample Jira, syncs it once before returning, and logs one line about demo mode', async () => {
    const dir = tempDir('pmi-demo-');
    const store = await EmbeddedStore.create(dir);
    const { lines, logger } = capture();
    const { config, environment, running } = await demoSync(loadConfig({ DATA_DIR: dir }), store, logger, false);
    try {
      expect(config.demo).toBe(true);
      expect(config.jira).not.toBeNull();
      const counts = await store.counts();
      expect(counts.incidents).toBeGreaterThan(0);
      expect(counts.actionItems).toBeGreaterThan(0);
      expect((await store.lastSyncRun())?.ok).toBe(true);
      const demoLines = lines.filter((l) => /demo mode/i.test(l.msg));
      expect(demoLines).toHaveLength(1);
      expect(demoLines[0]?.msg).toMatch(/Set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN/);
      expect(demoLines[0]?.msg).toContain(config.jira?.baseUrl);
    } finally {
      await running.stop();
      await store.close();
      await environment.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('schedules SYNC_CRON in TIMEZONE, never overlaps its own runs, and yields to a replica holding the lease', async () => {
    const dir = tempDir('pmi-sched-');
    const store = await EmbeddedStore.create(dir);
    const loaded = loadConfig({ DATA_DIR: dir, SYNC_CRON: '0 6 * * *', TIMEZONE: 'Asia/Kolkata' });
    const { environment, running } = await demoSync(loaded, store, createLogger('silent'), true);
    try {
      const next = running.job.nextRun();
      // 06:00 in Kolkata is 00:30 UTC.
      expect(next?.toISOString()).toMatch(/T00:30:00\.000Z$/);
      const [a, b] = await Promise.all([running.job.runNow(), running.job.runNow()]);
      expect([a.ran, b.ran].sort()).toEqual([false, true]);
      expect(b).toEqual({ ran: false, reason: 'already-running' });

      expect(await store.acquireLease(`job:${SYNC_JOB_NAME}`, 'another-replica', 60_000, new Date())).toBe(true);
      expect(await running.job.runNow()).toMatchObject({
        ran: false,
        reason: 'lease-held-elsewhere',
        holder: { holder: 'another-replica' },
        refusal: expect.stringMatching(
          /^the job:jira-sync lease is held by another-replica until \d{4}-.*Z \(in \d+ s\)$/,
        ),
      });
    } finally {
      await running.stop();
      await store.close();
      await environment.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a fresh `npm start` shows a non-empty store in /api/health within 30 seconds', async () => {
    const dir = tempDir('pmi-start-');
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'info', CONFIG_FILE: '' };
    for (const key of ['JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN', 'MONGODB_URI', 'AUTH_MODE', 'HOST'])
      delete env[key];
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready within 30 s: ${output}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const ready = /is ready: (http:\/\/[^/\s]+)/.exec(output);
          if (ready) {
            clearTimeout(timer);
            resolve(ready[1] as string);
          }
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
      });
      const health = (await (await fetch(`${url}/api/health`)).json()) as {
        demo: boolean;
        lastSync: { ok: boolean; incidents: number; actionItems: number } | null;
        counts: { incidents: number };
      };
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(health.demo).toBe(true);
      expect(health.lastSync?.ok).toBe(true);
      expect(health.lastSync?.incidents).toBeGreaterThan(0);
      expect(health.counts.incidents).toBe(health.lastSync?.incidents);
      expect(output.match(/Demo mode is on/g)).toHaveLength(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 45_000);
});
