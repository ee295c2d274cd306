/** `npm run digest` as a user runs it: a child process over a temp DATA_DIR in demo mode. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tempDir } from '../support/stores.js';

const run = promisify(execFile);
const dataDir = tempDir('pmi-digest-cli-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function digest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'jobs/digest.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn', TIMEZONE: 'Europe/Berlin' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run digest', () => {
  it('--dry-run prints only the card JSON on stdout', async () => {
    const { code, stdout, stderr } = await digest(['--dry-run', '--week', '2026-W47']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(stderr).toContain('digest 2026-W47: dry run');
  });

  it('posts (demo: to the loopback sink), records it, and refuses to post the week twice', async () => {
    const first = await digest(['--week', '2026-W47']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('digest 2026-W47: posted (state posted)');
    expect(first.stdout).toContain('demo mode: the card went to a loopback webhook sink (1 message(s)');
    const second = await digest(['--week', '2026-W47']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already posted');
    expect(second.stdout).toContain('add --force');
  });

  it('refuses bad options in one line, with exit code 1', async () => {
    const { code, stderr } = await digest(['--week', 'W47']);
    expect(code).toBe(1);
    expect(stderr.split('\n')[0]).toBe(
      'npm run digest: --week must be an ISO week such as 2026-W47 (a year, "-W", and a week number that exists in that year); got "W47"',
    );
  });
});
