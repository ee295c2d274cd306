/** The one command-line shape every CLI uses (server/cli/commandLine.ts). */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readCommandLine, UsageError } from '../../server/cli/commandLine.js';
import { InputError } from '../../server/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SPEC = {
  options: { full: { type: 'boolean' }, week: { type: 'string' } },
  hint: 'the options are --full and --week',
  maxPositionals: 1,
} as const;

describe('readCommandLine', () => {
  it('reads options (both spellings of a value) and positionals', () => {
    expect(readCommandLine(SPEC, [])).toEqual({ help: false, values: {}, positionals: [] });
    expect(readCommandLine(SPEC, ['--full', '--week', '2026-W47', 'a.md'])).toEqual({
      help: false,
      values: { full: true, week: '2026-W47' },
      positionals: ['a.md'],
    });
    expect(readCommandLine(SPEC, ['--week=2026-W47'])).toMatchObject({ values: { week: '2026-W47' } });
  });

  it('answers --help and -h, whatever else is given', () => {
    expect(readCommandLine(SPEC, ['--help'])).toEqual({ help: true });
    expect(readCommandLine(SPEC, ['--full', '-h'])).toEqual({ help: true });
  });

  it('refuses a usage mistake with a UsageError naming the option', () => {
    const cases: Array<[string[], string]> = [
      [['--fulll'], 'unknown option --fulll; the options are --full and --week'],
      [['-x'], 'unknown option -x; the options are --full and --week'],
      [['--week'], '--week needs a value'],
      [['--week', '--full'], '--week needs a value'],
      [['--full=yes'], '--full takes no value'],
      [['a.md', 'b.md'], 'too many arguments (a.md, b.md)'],
    ];
    for (const [argv, message] of cases) {
      let thrown: unknown;
      try {
        readCommandLine(SPEC, argv);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      expect(thrown).toBeInstanceOf(InputError);
      expect((thrown as Error).message).toBe(message);
    }
  });
});

describe('the CLIs', () => {
  const cli = (script: string, args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('print their usage on --help and exit 0, and exit 2 on an unknown option', () => {
    for (const script of ['jobs/sync.ts', 'jobs/digest.ts', 'jobs/import.ts', 'jobs/demoChange.ts']) {
      const help = cli(script, ['--help']);
      expect({ script, status: help.status }).toEqual({ script, status: 0 });
      expect(help.stdout).toMatch(/^usage: /i);
      const wrong = cli(script, ['--no-such-option']);
      expect({ script, status: wrong.status }).toEqual({ script, status: 2 });
      expect(wrong.stderr).toContain('unknown option --no-such-option');
    }
  }, 120_000);
});
