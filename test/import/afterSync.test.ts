/**
 * The issue's "done when": the tickets an import creates show up as the incident's action
 * items after the next sync, and from then on Jira owns their status, owner and due date.
 */
import { PostmortemReader } from '../../server/postmortem/read.js';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../server/config/config.js';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { createJiraReader } from '../../server/jira/jiraJsReader.js';
import { createJiraTicketWriter } from '../../server/jira/tickets.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { runSync, type SyncDeps } from '../../server/sync/runSync.js';
import { importPostmortem, type ImportDeps } from '../../server/tickets/importPostmortem.js';
import { tempDir } from '../support/stores.js';

let sample: SampleJira;
let store: EmbeddedStore;
let dir: string;
let syncDeps: SyncDeps;
let importDeps: ImportDeps;

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/postmortems/${name}`, import.meta.url), 'utf8');

beforeAll(async () => {
  sample = await startSampleJira({ seed: 'empty' });
  dir = tempDir('pmi-import-sync-');
  store = await EmbeddedStore.create(dir);
  const config = loadConfig({ DATA_DIR: dir, CONFIG_FILE: undefined });
  const credentials = { baseUrl: sample.url, email: sample.email, apiToken: sample.apiToken };
  syncDeps = {
    store,
    jira: createJiraReader(credentials),
    settings: { timezone: 'UTC', baseUrl: sample.url, jira: config.mapping },
  };
  importDeps = {
    reader: new PostmortemReader(),
    store,
    jira: createJiraTicketWriter(credentials),
    settings: {
      actionItemProject: 'REL',
      actionItemIssueType: 'Task',
      actionItemLabel: config.mapping.actionItemLabel,
      publicUrl: null,
    },
    now: () => new Date(),
  };
});

afterAll(async () => {
  await sample.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('import, then sync', () => {
  it("shows the created tickets as the incident's action items, with Jira's later changes", async () => {
    const incidentKey = sample.data.addIssue({
      projectKey: 'OPS',
      issueType: 'Incident',
      summary: 'Checkout API outage',
      priority: 'High',
    });
    await runSync(syncDeps, new Date());
    expect((await store.getIncident(incidentKey))?.source).toBe('jira');

    sample.injectFaults([{ route: 'POST /rest/api/3/issue', status: 503, times: 1, after: true }]);
    const result = await importPostmortem(importDeps, fixture('template-filled.md').replaceAll('OPS-101', incidentKey));
    expect(result.created).toHaveLength(3);

    const run = await runSync(syncDeps, new Date());
    expect(run.ok).toBe(true);
    const items = (await store.findActionItems({})).filter((item) => item.incidentKey === incidentKey);
    expect(items.map((i) => [i.key, i.documentRef, i.statusCategory, i.jiraDueDate])).toEqual([
      [result.created[0], `${incidentKey}-1`, 'new', '2026-11-20'],
      [result.created[1], `${incidentKey}-2`, 'new', '2026-11-13'],
      [result.created[2], `${incidentKey}-3`, 'new', '2026-12-01'],
    ]);

    // Jira owns the ticket now: a change there comes back with the next sync; a re-import writes nothing.
    const [first] = result.created;
    sample.data.transition(first!, 'Done');
    sample.data.updateIssue(first!, { dueDate: '2026-11-25' });
    sample.resetStats();
    const again = await importPostmortem(importDeps, fixture('template-filled.md').replaceAll('OPS-101', incidentKey));
    expect(again.created).toEqual([]);
    const writes = Object.entries(sample.stats().byRoute).filter(([route]) =>
      /^(POST \/rest\/api\/3\/issue|POST \/rest\/api\/3\/issueLink|PUT )/.test(route),
    );
    expect(writes).toEqual([]);
    await runSync(syncDeps, new Date());
    expect(await store.getActionItem(first!)).toMatchObject({
      statusCategory: 'done',
      jiraDueDate: '2026-11-25',
      documentRef: `${incidentKey}-1`,
      incidentKey,
    });
  });
});
