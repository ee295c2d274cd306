import { describe, it, expect } from '@jest/globals';
import {
  digestDueAt,
  lastCompleteWeek,
  latestDueWeek,
  nextCronTime,
  parseWeek,
  shiftWeek,
  weekRange,
  weekStartDate,
} from '../../server/digest/weeks.js';
import { InputError } from '../../server/errors.js';
import {
  formatCountChange,
  formatDuration,
  formatDurationChange,
  formatRate,
  formatRateChange,
  plainText,
} from '../../server/digest/format.js';

describe('ISO weeks', () => {
  it('checks week names and says what is accepted', () => {
    expect(parseWeek('2026-W47')).toBe('2026-W47');
    expect(parseWeek('2026-W53')).toBe('2026-W53'); // 2026 has 53 ISO weeks
    for (const bad of ['2025-W53', '2026-W00', '2026-W54', '2026W47', '2026-47', '']) {
      expect(() => parseWeek(bad, '--week')).toThrow(InputError);
    }
    expect(() => parseWeek('2026-47', '--week')).toThrow('--week must be an ISO week such as 2026-W47');
  });

  it('gives the instants of a week in the zone, across a year boundary', () => {
    expect(weekRange('2026-W47', 'Europe/Berlin')).toEqual({
      from: '2026-11-15T23:00:00.000Z',
      to: '2026-11-22T23:00:00.000Z',
    });
    expect(weekRange('2026-W53', 'UTC')).toEqual({ from: '2026-12-28T00:00:00.000Z', to: '2027-01-04T00:00:00.000Z' });
    expect(weekStartDate('2027-W01')).toBe('2027-01-04');
    expect(shiftWeek('2026-W53', 1)).toBe('2027-W01');
    expect(shiftWeek('2027-W01', -1)).toBe('2026-W53');
    expect(shiftWeek('2026-W47', -52)).toBe('2025-W47');
  });

  it('takes "last week" in TIMEZONE, not UTC', () => {
    // Monday 00:30 in Berlin is still Sunday in UTC.
    const now = new Date('2026-11-22T23:30:00Z');
    expect(lastCompleteWeek(now, 'Europe/Berlin')).toBe('2026-W47');
    expect(lastCompleteWeek(now, 'UTC')).toBe('2026-W46');
  });
});

describe('when a digest falls due', () => {
  it('finds the next cron time in the zone, on and after a given instant', () => {
    const monday = new Date('2026-11-22T23:00:00Z'); // Monday 00:00 Berlin
    expect(nextCronTime('0 9 * * 1', 'Europe/Berlin', monday)?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(nextCronTime('0 9 * * mon', 'Europe/Berlin', monday)?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(nextCronTime('0 9 * * 1', 'UTC', new Date('2026-11-23T09:00:00Z'))?.toISOString()).toBe(
      '2026-11-23T09:00:00.000Z',
    );
    expect(nextCronTime('*/15 * * * *', 'UTC', new Date('2026-11-23T09:01:00Z'))?.toISOString()).toBe(
      '2026-11-23T09:15:00.000Z',
    );
    expect(nextCronTime('30 8 1 * *', 'UTC', new Date('2026-11-23T09:01:00Z'))?.toISOString()).toBe(
      '2026-12-01T08:30:00.000Z',
    );
    // Sunday as 0 and as 7.
    expect(nextCronTime('0 18 * * 0', 'UTC', new Date('2026-11-23T00:00:00Z'))?.toISOString()).toBe(
      '2026-11-29T18:00:00.000Z',
    );
    expect(nextCronTime('0 18 * * 7', 'UTC', new Date('2026-11-23T00:00:00Z'))?.toISOString()).toBe(
      '2026-11-29T18:00:00.000Z',
    );
  });

  it('skips a wall time that a DST change removes', () => {
    // 29 Mar 2026: Berlin jumps from 02:00 to 03:00, so 02:30 does not exist that day.
    const due = nextCronTime('30 2 * * *', 'Europe/Berlin', new Date('2026-03-28T23:00:00Z'));
    expect(due?.toISOString()).toBe('2026-03-30T00:30:00.000Z');
  });

  it('makes week W due at the first cron time after it ends', () => {
    expect(digestDueAt('2026-W47', '0 9 * * 1', 'Europe/Berlin')?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(digestDueAt('2026-W47', '0 9 * * 5', 'UTC')?.toISOString()).toBe('2026-11-27T09:00:00.000Z');
  });

  it('the latest due week is last week once Monday 09:00 passed, the week before until then', () => {
    const cronExpr = '0 9 * * 1';
    expect(latestDueWeek(new Date('2026-11-23T07:59:00Z'), cronExpr, 'Europe/Berlin')).toBe('2026-W46');
    expect(latestDueWeek(new Date('2026-11-23T08:00:00Z'), cronExpr, 'Europe/Berlin')).toBe('2026-W47');
    // A timer that fires a moment early is still the 09:00 tick.
    expect(latestDueWeek(new Date('2026-11-23T07:59:59.900Z'), cronExpr, 'Europe/Berlin')).toBe('2026-W47');
    expect(latestDueWeek(new Date('2026-11-26T15:00:00Z'), cronExpr, 'Europe/Berlin')).toBe('2026-W47');
    // A monthly cron leaves the weeks since its last run waiting.
    expect(latestDueWeek(new Date('2026-11-26T15:00:00Z'), '0 9 1 * *', 'UTC')).toBe('2026-W43');
  });
});

describe('number formatting', () => {
  it('writes durations short', () => {
    expect(formatDuration(null)).toBe('n/a');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(720)).toBe('12 min');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(12_000)).toBe('3 h 20 min');
    expect(formatDuration(187_200)).toBe('2 d 4 h');
    expect(formatDurationChange(180, 1200)).toBe('\u221217 min');
    expect(formatDurationChange(1200, 180)).toBe('+17 min');
    expect(formatDurationChange(60, 60)).toBe('no change');
    expect(formatDurationChange(null, 60)).toBe('n/a');
  });

  it('writes counts and rates with their change', () => {
    expect(formatCountChange(4, 2)).toBe('+2');
    expect(formatCountChange(1, 3)).toBe('\u22122');
    expect(formatCountChange(3, 3)).toBe('no change');
    expect(formatRate(0.666)).toBe('67%');
    expect(formatRate(null)).toBe('n/a');
    expect(formatRateChange(0.5, 0.7)).toBe('\u221220 pts');
    expect(formatRateChange(0.5, null)).toBe('n/a');
    expect(formatRateChange(0.36, 0.35)).toBe('+1 pt');
  });

  it('escapes card markdown and cuts long text', () => {
    expect(plainText('a *b* _c_ [d](e) \\')).toBe('a \\*b\\* \\_c\\_ \\[d\\](e) \\\\');
    expect(plainText('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}\u2026`);
    expect(plainText('two\nlines')).toBe('two lines');
  });
});
