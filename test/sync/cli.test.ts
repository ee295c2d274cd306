/** `npm run sync`: progress on a terminal, a summary, exit codes, --full. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncCli } from '../../jobs/sync.js';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { tempDir } from '../support/stores.js';

function io(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), isTTY } };
}

describe('npm run sync', () => {
  let jira: SampleJira;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    jira = await startSampleJira({ now: new Date('2026-11-20T12:00:00.000Z') });
    dir = tempDir('pmi-cli-');
    writeFileSync(join(dir, 'config.json'), JSON.stringify(demoConfig));
    env = {
      DATA_DIR: join(dir, 'data'),
      CONFIG_FILE: join(dir, 'config.json'),
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.apiToken,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await jira.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a progress line per page on a terminal, then the summary, and exits 0', async () => {
    const t = io(true);
    expect(await syncCli([], env, t.io)).toBe(0);
    const progress = t.out.filter((l) => /^(incidents|action items): page \d+/.test(l));
    expect(progress[0]).toMatch(/^incidents: page 1, 100 read \(100 inserted, 0 updated, 0 unchanged\), \d+ requests$/);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const summary = t.out.slice(progress.length);
    expect(summary[0]).toMatch(/^Sync finished in \d+\.\d s$/);
    expect(summary).toContainEqual(expect.stringMatching(/^ {2}incidents: {4}\d+ inserted, 0 updated, 0 unchanged$/));
    expect(summary).toContainEqual(expect.stringMatching(/^ {2}action items: \d+ inserted, 0 updated, 0 unchanged$/));
    expect(summary).toContainEqual(expect.stringMatching(/^ {2}requests: \d+, retries: 0$/));
    expect(summary).toContainEqual(
      expect.stringMatching(/^ {2}watermarks: incidents \d{4}-\d\d-\d\dT.*Z, action items \d{4}-/),
    );
    expect(t.err).toEqual([]);
  });

  it('prints no progress lines when not on a terminal; --full re-reads everything as unchanged', async () => {
    const t = io(false);
    expect(await syncCli(['--full'], env, t.io)).toBe(0);
    expect(t.out[0]).toMatch(/^Sync finished \(full\) in/);
    expect(t.out[1]).toMatch(/^ {2}incidents: {4}0 inserted, 0 updated, \d+ unchanged$/);
  });

  it('exits 1 with one line for bad credentials, and 2 for an unknown option', async () => {
    const bad = io(false);
    expect(await syncCli([], { ...env, JIRA_API_TOKEN: 'nope' }, bad.io)).toBe(1);
    expect(bad.out).toContainEqual(
      expect.stringMatching(/^ {2}error: Jira refused .*check JIRA_EMAIL\/JIRA_API_TOKEN/),
    );
    expect(bad.err).toEqual([
      expect.stringMatching(
        /^Sync failed: Jira refused GET .*check JIRA_EMAIL\/JIRA_API_TOKEN and the account's project access\.$/,
      ),
    ]);
    expect([...bad.out, ...bad.err].join('\n')).not.toContain('nope');

    const unknown = io(false);
    expect(await syncCli(['--fulll'], env, unknown.io)).toBe(2);
    expect(unknown.err).toEqual([
      'npm run sync: unknown option --fulll; the only option is --full (npm run sync -- --full).',
    ]);
  });

  it('--full reconciles issue ids: an issue deleted in Jira leaves the store, its action items keep no incident (child process)', async () => {
    const first = io(false);
    expect(await syncCli([], env, first.io)).toBe(0);
    const incident = jira.data
      .keys()
      .find(
        (k) =>
          k.startsWith('OPS-') &&
          (jira.data.issue(k) as { fields: { issuetype: { name: string } } }).fields.issuetype.name === 'Incident',
      ) as string;
    jira.data.deleteIssue(incident);
    const output = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'jobs/sync.ts', '--full'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(output.code).toBe(0);
    expect(output.stdout).toMatch(/removed \(gone from Jira or its JQL\): [1-9]\d*/);
    const store = await EmbeddedStore.create(env.DATA_DIR as string);
    try {
      expect(await store.getIncident(incident)).toBeNull();
      expect((await store.findActionItems({})).filter((item) => item.incidentKey === incident)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('says how to connect a Jira when none is configured', async () => {
    const t = io(false);
    expect(await syncCli([], { DATA_DIR: join(dir, 'other'), LOG_LEVEL: 'silent' }, t.io)).toBe(1);
    expect(t.err).toEqual([
      'npm run sync needs a Jira: set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN (npm start without them runs demo mode with a built-in sample Jira).',
    ]);
  });
});
