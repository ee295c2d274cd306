/**
 * `npm run sync` killed with a real SIGKILL mid-run (the CLI as a child process, against
 * the sample Jira answering late): run again at once, it is not locked out by the dead
 * run's lease or directory lock, loses nothing committed, and ends in exactly the state
 * of an uninterrupted sync.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/stores.js';
import { snapshot } from './fixtures.js';

/** Records in a NeDB datafile (the file grows by one line per write). */
function lines(dataDir: string, collection: string): number {
  const file = join(dataDir, `${collection}.db`);
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"key"')).length
    : 0;
}

describe('npm run sync after a SIGKILL', () => {
  let jira: SampleJira;
  let base: string;

  beforeAll(async () => {
    jira = await startSampleJira({ now: new Date('2026-11-20T12:00:00.000Z'), latencyMs: 100 });
    base = tempDir('pmi-sigkill-');
    writeFileSync(join(base, 'config.json'), JSON.stringify(demoConfig));
  });
  afterAll(async () => {
    await jira.close();
    rmSync(base, { recursive: true, force: true });
  });

  const envFor = (dataDir: string): NodeJS.ProcessEnv => ({
    DATA_DIR: dataDir,
    CONFIG_FILE: join(base, 'config.json'),
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.apiToken,
    LOG_LEVEL: 'warn',
    MONGODB_URI: '',
  });

  async function stateOf(dataDir: string) {
    const store = await EmbeddedStore.create(dataDir, { log: () => undefined });
    try {
      return await snapshot(store);
    } finally {
      await store.close();
    }
  }

  it('runs again at once and ends in the state of an uninterrupted sync', async () => {
    const cleanDir = join(base, 'clean');
    const clean = await runCli('jobs/sync.ts', [], envFor(cleanDir));
    expect(clean).toMatchObject({ code: 0, signal: null });
    const expected = await stateOf(cleanDir);

    const dir = join(base, 'killed');
    // Killed while writing incidents, then (run again at once) while writing action items.
    const first = await runCli('jobs/sync.ts', [], envFor(dir), () => lines(dir, 'incidents') >= 100);
    expect(first.signal).toBe('SIGKILL');
    const second = await runCli('jobs/sync.ts', [], envFor(dir), () => lines(dir, 'actionItems') >= 200);
    expect(second.signal).toBe('SIGKILL');
    // The second run was not refused: it got as far as action items, past the first run's lease.
    expect(second.stderr).not.toMatch(/syncing right now|in use by process/);
    expect(second.stderr).toContain('ended 1 lease(s) left by the process that had DATA_DIR before; it is gone.');

    const afterKills = await stateOf(dir);
    expect(afterKills.incidents.length).toBeGreaterThanOrEqual(100);
    expect(afterKills.actionItems.length).toBeGreaterThanOrEqual(200);
    expect(afterKills.actionItems.length).toBeLessThan(expected.actionItems.length);

    // Right after the second kill: runs, exits 0, and ends where the clean run ended.
    const secondKillAt = Date.now();
    const third = await runCli('jobs/sync.ts', [], envFor(dir));
    expect(third).toMatchObject({ code: 0, signal: null });
    expect(third.stdout).toMatch(/^Sync finished in \d+\.\d s$/m);
    expect(Date.now() - secondKillAt).toBeLessThan(60_000);
    expect(await stateOf(dir)).toEqual(expected);
  }, 180_000);
});
