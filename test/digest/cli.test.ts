import { describe, it, expect } from '@jest/globals';
import { describeRun, exitCodeOf, parseDigestArgs } from '../../server/digest/cli.js';
import { InputError } from '../../server/errors.js';

describe('npm run digest arguments', () => {
  it('defaults to a manual post of last week', () => {
    expect(parseDigestArgs([])).toEqual({ help: false, manual: true });
  });

  it('reads --dry-run, --week (both spellings), --force, --mark-posted', () => {
    expect(parseDigestArgs(['--dry-run'])).toMatchObject({ dryRun: true });
    expect(parseDigestArgs(['--week', '2026-W47'])).toMatchObject({ week: '2026-W47' });
    expect(parseDigestArgs(['--week=2026-W47', '--force'])).toMatchObject({ week: '2026-W47', force: true });
    expect(parseDigestArgs(['--week', '2026-W47', '--mark-posted'])).toMatchObject({
      week: '2026-W47',
      markPosted: true,
    });
    expect(parseDigestArgs(['--dry-run', '--week', '2026-W01'])).toMatchObject({ dryRun: true, week: '2026-W01' });
  });

  it('refuses bad input with the flag and the fix', () => {
    const cases: Array<[string[], string]> = [
      [['--week'], '--week needs a value'],
      [['--week', '--dry-run'], '--week needs a value'],
      [['--week', '47'], '--week must be an ISO week such as 2026-W47'],
      [['--weak', '2026-W47'], 'unknown option --weak; accepted: --dry-run'],
      [['--force'], '--force needs --week'],
      [['--mark-posted'], '--mark-posted needs --week'],
      [['--week', '2026-W47', '--force', '--mark-posted'], 'contradict'],
      [['--dry-run', '--week', '2026-W47', '--force'], '--dry-run changes nothing'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseDigestArgs(argv)).toThrow(InputError);
      expect(() => parseDigestArgs(argv)).toThrow(message);
    }
  });

  it('prints a line per week and fails the command on a failed or uncertain week', () => {
    const posted = { week: '2026-W47', action: 'posted' as const, state: 'posted' as const, reason: 'accepted' };
    const ok = { weeks: [posted], card: null, content: null };
    expect(describeRun(ok)).toEqual(['digest 2026-W47: posted (state posted): accepted']);
    expect(exitCodeOf(ok)).toBe(0);
    expect(exitCodeOf({ ...ok, weeks: [{ ...posted, action: 'failed', state: 'failed' }] })).toBe(1);
    expect(exitCodeOf({ ...ok, weeks: [{ ...posted, action: 'skipped', state: 'uncertain' }] })).toBe(1);
    expect(exitCodeOf({ ...ok, weeks: [{ ...posted, action: 'skipped', state: 'posted' }] })).toBe(0);
    expect(describeRun({ ...ok, weeks: [] })).toEqual(['digest: nothing to do']);
  });
});
