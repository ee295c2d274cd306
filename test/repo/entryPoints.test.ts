/**
 * jobs/ holds entry points only: eslint.config.js refuses an import of jobs/ from server/
 * and an import of one jobs/ file from another (tests may import a command to drive it),
 * and importing an entry point runs nothing.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function importErrors(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { main } from '${specifier}';\nexport const run = main;\n`, {
    filePath,
  });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the entry points in jobs/', () => {
  it('are imported by no server module', async () => {
    expect(await importErrors('server/sync/startSync.ts', '../../jobs/scheduler.js')).toEqual([
      expect.stringContaining('server/ never imports jobs/'),
    ]);
    expect(await importErrors('server/main.ts', '../jobs/sync.js')).toEqual([
      expect.stringContaining('server/ never imports jobs/'),
    ]);
    expect(await importErrors('server/sync/startSync.ts', '../schedule/scheduler.js')).toEqual([]);
  });

  it('import the server, never each other', async () => {
    expect(await importErrors('jobs/sync.ts', './scheduler.js')).toEqual([
      expect.stringContaining('A jobs/ file is an entry point'),
    ]);
    expect(await importErrors('jobs/sync.ts', '../server/schedule/scheduler.js')).toEqual([]);
    expect(await importErrors('test/sync/cli.test.ts', '../../jobs/sync.js')).toEqual([]);
  });

  it('run nothing when imported', () => {
    const modules = [
      'jobs/sync.ts',
      'jobs/import.ts',
      'jobs/digest.ts',
      'jobs/demoChange.ts',
      'server/jira-sample/cli.ts',
    ];
    const script = modules.map((m) => `await import('./${m}');`).join(' ');
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: join(tmpdir(), 'pmi-entry-points-never-opened') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: out.status, stdout: out.stdout, stderr: out.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });
});
