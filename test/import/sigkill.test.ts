/**
 * `npm run import` killed with a real SIGKILL while it creates tickets (the CLI as a child
 * process, against the sample Jira answering late), then run again at once: not locked
 * out by the dead run's ticket lease, it finishes the import, and every action item has
 * exactly one ticket, as after an uninterrupted import.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/stores.js';

describe('npm run import after a SIGKILL', () => {
  let sample: SampleJira;
  let base: string;

  beforeAll(async () => {
    sample = await startSampleJira({ seed: 'empty', latencyMs: 250 });
    base = tempDir('pmi-import-kill-');
    writeFileSync(join(base, 'config.json'), JSON.stringify(demoConfig));
  });
  afterAll(async () => {
    await sample.close();
    rmSync(base, { recursive: true, force: true });
  });

  const tickets = () => sample.data.keys().filter((key) => key.startsWith('REL-'));

  it('runs again at once and leaves one ticket per action item', async () => {
    const incidentKey = sample.data.addIssue({
      projectKey: 'OPS',
      issueType: 'Incident',
      summary: 'Checkout API outage',
    });
    const file = join(base, 'postmortem.md');
    const fixture = readFileSync(new URL('../fixtures/postmortems/template-filled.md', import.meta.url), 'utf8');
    writeFileSync(file, fixture.replaceAll('OPS-101', incidentKey));
    const env: NodeJS.ProcessEnv = {
      DATA_DIR: join(base, 'data'),
      CONFIG_FILE: join(base, 'config.json'),
      JIRA_BASE_URL: sample.url,
      JIRA_EMAIL: sample.email,
      JIRA_API_TOKEN: sample.apiToken,
      LOG_LEVEL: 'warn',
      MONGODB_URI: '',
    };

    // Killed the moment Jira has created the first ticket: before the import has recorded it.
    const killed = await runCli('jobs/import.ts', [file], env, () => tickets().length >= 1);
    expect(killed.signal).toBe('SIGKILL');
    expect(tickets()).toHaveLength(1);

    const again = await runCli('jobs/import.ts', [file], env);
    expect(`${again.stdout}${again.stderr}`).not.toMatch(/being created by another request/);
    expect(again.code).toBe(0);
    const summaries = tickets().map((key) => (sample.data.issue(key)!.fields as { summary: string }).summary);
    expect(summaries).toHaveLength(3);
    expect(new Set(summaries).size).toBe(3);
  }, 120_000);
});
