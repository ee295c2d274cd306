import { describe, it, expect } from '@jest/globals';
import { compare, formatDuration, formatRate, span, withSignificance } from '../../../client/src/format.js';

describe('display formatting', () => {
  it.each([
    [null, '—'],
    [0, '0s'],
    [59, '59s'],
    [90, '2m'],
    [3600, '1h'],
    [5400, '1h 30m'],
    [47 * 3600, '47h'],
    [49 * 3600, '2d 1h'],
    [72 * 3600, '3d'],
  ])('formats %p seconds as %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('formats rates as whole percentages, and no rate as a dash', () => {
    expect(formatRate(0.666)).toBe('67%');
    expect(formatRate(null)).toBe('—');
  });

  it('compares with the previous window, knowing which direction is better', () => {
    const time = { lowerIsBetter: true, format: formatDuration };
    expect(compare(7200, 3600, time)).toEqual({ direction: 'up', better: false, text: 'up from 1h' });
    expect(compare(1800, 3600, time)).toEqual({ direction: 'down', better: true, text: 'down from 1h' });
    expect(compare(0.5, 1, { lowerIsBetter: false, format: formatRate })).toEqual({
      direction: 'down',
      better: false,
      text: 'down from 100%',
    });
    expect(compare(3, 3, { lowerIsBetter: true, format: String })).toEqual({
      direction: 'same',
      better: null,
      text: 'same as previous (3)',
    });
    expect(compare(1030, 1010, time)).toEqual({ direction: 'same', better: null, text: 'same as previous (17m)' });
    expect(compare(3, null, time)).toBeNull();
    expect(compare(null, 3, time)).toBeNull();
  });

  it('tells a missing point from out-of-order points', () => {
    expect(span('2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z')).toBe(3600);
    expect(span(null, '2026-01-01T01:00:00.000Z')).toBe('missing');
    expect(span('2026-01-01T02:00:00.000Z', '2026-01-01T01:00:00.000Z')).toBe('invalid');
  });
});

describe('changes told apart from noise', () => {
  const time = { lowerIsBetter: true, format: formatDuration };
  it('a change that is not significant is neutral, "within noise", with its test for the tooltip', () => {
    expect(withSignificance(compare(7200, 3600, time), { p: 0.42, significant: false }, 'Mann-Whitney U test')).toEqual(
      {
        direction: 'up',
        better: null,
        noise: true,
        text: 'up from 1h, within noise',
        test: 'Mann-Whitney U test: p = 0.420, not significant at 0.05',
      },
    );
    expect(
      withSignificance(compare(7200, 3600, time), { p: null, significant: false }, 'Mann-Whitney U test')?.test,
    ).toBe('Mann-Whitney U test: not tested, fewer than 5 values in a window');
  });
  it('a significant change keeps its colour and carries its p-value', () => {
    expect(
      withSignificance(compare(1800, 3600, time), { p: 0.0001, significant: true }, 'Exact binomial test'),
    ).toEqual({
      direction: 'down',
      better: true,
      text: 'down from 1h',
      test: 'Exact binomial test: p < 0.001, significant at 0.05',
    });
  });
  it('leaves "same" and missing comparisons alone', () => {
    expect(withSignificance(compare(3600, 3600, time), { p: 1, significant: false }, 'x')?.noise).toBeUndefined();
    expect(withSignificance(null, { p: 1, significant: false }, 'x')).toBeNull();
  });
});
