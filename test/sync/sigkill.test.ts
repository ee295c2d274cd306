/**
 * A sync killed with a real SIGKILL mid-run (a child process) loses nothing it committed,
 * and the next run ends in exactly the state of a clean run.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfigFileObject } from '../../server/config/config.js';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { createJiraSync } from '../../server/sync/jiraSync.js';
import { tempDir } from '../support/stores.js';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { snapshot } from './fixtures.js';

const CHILD = fileURLToPath(new URL('./child/syncOnce.ts', import.meta.url));

/** Runs the child sync; with `killOn`, SIGKILLs it as soon as it prints that line. Resolves with its output. */
function childSync(jira: SampleJira, dataDir: string, killOn: string | null): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, DATA_DIR: dataDir, JIRA_BASE_URL: jira.url, JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.apiToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (killOn !== null && !killed && output.split('\n').includes(killOn)) {
        killed = child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (killOn !== null && signal !== 'SIGKILL') reject(new Error(`child was not killed (exit ${code}): ${output}`));
      else if (killOn === null && code !== 0) reject(new Error(`child sync failed (exit ${code}): ${output}`));
      else resolve({ killed, output });
    });
  });
}

describe('SIGKILL mid-sync', () => {
  let jira: SampleJira;
  const dirs: string[] = [];

  beforeAll(async () => {
    jira = await startSampleJira({ now: new Date('2026-11-20T12:00:00.000Z'), latencyMs: 40 });
  });
  afterAll(async () => {
    await jira.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('resumes from the committed watermark to the same end state as a clean run', async () => {
    const cleanDir = tempDir('pmi-clean-');
    const dir = tempDir('pmi-killed-');
    dirs.push(cleanDir, dir);

    const cleanStore = await EmbeddedStore.create(cleanDir);
    const run = await createJiraSync({
      store: cleanStore,
      connection: { baseUrl: jira.url, email: jira.email, apiToken: jira.apiToken },
      mapping: parseConfigFileObject(demoConfig).mapping,
      timezone: 'UTC',
    }).run(new Date());
    expect(run.ok).toBe(true);
    const clean = await snapshot(cleanStore);
    await cleanStore.close();

    // Killed while syncing incidents, then again while syncing action items, then left to finish.
    await childSync(jira, dir, 'page incidents 1');
    let store = await EmbeddedStore.create(dir);
    const afterFirstKill = await snapshot(store);
    await store.close();
    expect(afterFirstKill.incidents.length).toBeGreaterThanOrEqual(100);
    expect(afterFirstKill.actionItems.length).toBeLessThan(clean.actionItems.length);

    await childSync(jira, dir, 'page actionItems 2');
    store = await EmbeddedStore.create(dir);
    const afterSecondKill = await snapshot(store);
    await store.close();
    expect(afterSecondKill.incidents).toEqual(clean.incidents);
    expect(afterSecondKill.actionItems.length).toBeGreaterThanOrEqual(200);
    expect(afterSecondKill.actionItems.length).toBeLessThan(clean.actionItems.length);

    const finished = await childSync(jira, dir, null);
    expect(finished.output).toContain('done');
    store = await EmbeddedStore.create(dir);
    const resumed = await snapshot(store);
    await store.close();
    expect(resumed).toEqual(clean);
  }, 90_000);
});
