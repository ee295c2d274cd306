import { PostmortemReader } from '../../server/postmortem/read.js';
import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parseImportArgs, processEnv, runImportCommand, type ImportCommandEnv } from '../../jobs/import.js';
import { startSampleJira } from '../../server/jira-sample/index.js';
import { tempDir } from '../support/stores.js';
import { idempotencyKeyFor } from '../../server/tickets/ticketContent.js';
import { FakeJira, jiraIncident, openTestStore, type TestStore } from './doubles.js';

const fixtures = new URL('../fixtures/postmortems/', import.meta.url);

let jira: FakeJira;
let testStore: TestStore;
let out: string[];
let err: string[];
let opened: Array<{ dryRun: boolean }>;
let closed: number;
let env: ImportCommandEnv;

beforeEach(async () => {
  jira = new FakeJira();
  jira.seed('OPS-101');
  testStore = await openTestStore();
  await testStore.store.upsertIncidents([jiraIncident('OPS-101')]);
  out = [];
  err = [];
  opened = [];
  closed = 0;
  env = {
    readFile: (path) => readFile(new URL(path, fixtures), 'utf8'),
    open: async (options) => {
      opened.push(options);
      return {
        deps: {
          store: testStore.store,
          reader: new PostmortemReader(),
          jira,
          settings: {
            actionItemProject: 'REL',
            actionItemIssueType: 'Task',
            actionItemLabel: 'postmortem-action',
            publicUrl: null,
          },
          now: () => new Date('2026-11-27T09:00:00Z'),
        },
        close: async () => {
          closed++;
        },
      };
    },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
  };
});

afterEach(async () => {
  await testStore.cleanup();
});

describe('npm run import', () => {
  it('reads its arguments', () => {
    expect(parseImportArgs(['a.md'])).toEqual({ file: 'a.md', dryRun: false, json: false });
    expect(parseImportArgs(['--dry-run', 'a.md', '--json'])).toEqual({ file: 'a.md', dryRun: true, json: true });
    expect(parseImportArgs([])).toMatch(/^no file given\nusage:/);
    expect(parseImportArgs(['a.md', 'b.md'])).toMatch(/one file at a time/);
    expect(parseImportArgs(['--force', 'a.md'])).toMatch(/unknown option --force/);
  });

  it('--dry-run prints the document and the tickets it would create, and writes nothing', async () => {
    expect(await runImportCommand(['template-filled.md', '--dry-run'], env)).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('Dry run: nothing is written');
    expect(text).toContain('Incident      OPS-101: Checkout API outage');
    expect(text).toContain('Severity      P1    Services: checkout, payments, api-gateway');
    expect(text).toContain('TTA / TTR     3m / 2h15m');
    expect(text).toContain('OPS-101-1    would create a Task in REL');
    expect(text).toContain('"Lower the pool-saturation alert threshold to 80%"  owner: @sre-team  due: 2026-11-13');
    expect(jira.calls).toEqual([]);
    expect(await testStore.store.getPostmortem('OPS-101')).toBeNull();
    expect(await testStore.store.getTicketRequest(idempotencyKeyFor('OPS-101', 'OPS-101-1', ''))).toBeNull();
    expect(opened).toEqual([{ dryRun: true }]);
    expect(closed).toBe(1);
  });

  it('--json prints the plan as JSON', async () => {
    expect(await runImportCommand(['--json', '--dry-run', 'drifted.md'], env)).toBe(0);
    const plan = JSON.parse(out.join('')) as {
      incident: unknown;
      tickets: Array<{ action: string }>;
      postmortem: { incidentKey: string };
    };
    expect(plan.incident).toEqual({ key: 'OPS-102', exists: false, source: null });
    expect(plan.postmortem.incidentKey).toBe('OPS-102');
    expect(plan.tickets.map((t) => t.action)).toEqual(['create', 'check-existing', 'create']);
  });

  it('imports, prints each row, exits 0, and 1 when a row failed', async () => {
    expect(await runImportCommand(['template-filled.md'], env)).toBe(0);
    expect(out.join('\n')).toMatch(/created {2}REL-1 +OPS-101-1\n/);
    expect(out.join('\n')).toContain('3 created, 0 already there, 0 failed');
    out = [];
    await testStore.store.upsertIncidents([jiraIncident('OPS-102')]);
    jira.seed('OPS-102');
    jira.fail('createIssue', 'before', 400);
    expect(await runImportCommand(['drifted.md'], env)).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/failed +- +-: createIssue: Jira answered 400/);
    expect(text).toContain('REL-7 does not exist in Jira');
    expect(text).toContain('run the import again to create only the missing ones');
  });

  it('refuses a bad document with its lines, exit 1, and a missing file with exit 2', async () => {
    expect(await runImportCommand(['bad-rows.md'], env)).toBe(1);
    expect(err.join('\n')).toContain('bad-rows.md: The post-mortem cannot be imported:\nline 6: Severity "P7"');
    expect(jira.calls).toEqual([]);
    expect(await runImportCommand(['nope.md'], env)).toBe(2);
    expect(err.at(-1)).toBe('cannot read nope.md: ENOENT');
  });
});

describe('npm run import in its real environment', () => {
  it('reads the configuration, opens the embedded store and imports into the sample Jira', async () => {
    const sample = await startSampleJira({ seed: 'empty' });
    const dir = tempDir('pmi-import-cli-');
    try {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ jira: { actionItemProject: 'REL' } }));
      const real = processEnv({
        DATA_DIR: dir,
        CONFIG_FILE: join(dir, 'config.json'),
        JIRA_BASE_URL: sample.url,
        JIRA_EMAIL: sample.email,
        JIRA_API_TOKEN: sample.apiToken,
      });
      const lines: string[] = [];
      const code = await runImportCommand([fileURLToPath(new URL('document-only.md', fixtures))], {
        ...real,
        stdout: (text) => lines.push(text),
      });
      expect(code).toBe(0);
      expect(lines.join('\n')).toContain('Incident PD-48213 (created as a document-only incident)');
      expect(lines.join('\n')).toContain('2 created, 0 already there, 0 failed');
      expect(sample.data.keys().filter((k) => k.startsWith('REL-'))).toHaveLength(2);
    } finally {
      await sample.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
