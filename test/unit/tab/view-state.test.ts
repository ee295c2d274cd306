import { describe, it, expect } from '@jest/globals';
import {
  customWindowProblem,
  DEFAULT_STATE,
  formatViewState,
  parseViewState,
  windowRange,
} from '../../../client/src/view-state.js';

describe('the view state in the URL', () => {
  it('round-trips every choice, leaving defaults out of the link', () => {
    const state = {
      ...DEFAULT_STATE,
      window: 'custom' as const,
      from: '2026-05-01',
      to: '2026-05-31',
      service: 'api gateway',
      severity: 'P1' as const,
      owner: 'Grace Hopper',
      metric: 'timeToDetect' as const,
      incident: 'OPS-7',
    };
    const search = formatViewState(state);
    expect(search).toBe(
      '?window=custom&from=2026-05-01&to=2026-05-31&service=api+gateway&severity=P1&owner=Grace+Hopper&metric=timeToDetect&incident=OPS-7',
    );
    expect(parseViewState(search)).toEqual(state);
    expect(formatViewState(DEFAULT_STATE)).toBe('');
    expect(parseViewState('')).toEqual(DEFAULT_STATE);
  });

  it("keeps the overdue list's order in the link", () => {
    expect(formatViewState({ ...DEFAULT_STATE, overdueSort: 'incidents' })).toBe('?sort=incidents');
    expect(parseViewState('?sort=incidents').overdueSort).toBe('incidents');
    expect(parseViewState('?sort=size').overdueSort).toBe('days');
  });

  it('falls back to defaults for values it does not know, instead of asking the API for them', () => {
    expect(parseViewState('?window=7&severity=P9&metric=mttr')).toEqual(DEFAULT_STATE);
    expect(parseViewState('?severity=unknown').severity).toBe('unknown');
    // A custom window needs two real dates in order.
    expect(parseViewState('?window=custom&from=2026-05-31&to=2026-05-01').window).toBe('90');
    expect(parseViewState('?window=custom&from=2026-02-30&to=2026-03-01').window).toBe('90');
  });

  it('turns the window into the [from, to) instants the API takes', () => {
    const now = new Date('2026-11-27T10:00:00.000Z');
    expect(windowRange({ ...DEFAULT_STATE, window: '30' }, now)).toEqual({
      from: '2026-10-28T10:00:00.000Z',
      to: '2026-11-27T10:00:00.000Z',
    });
    // Custom dates are inclusive: the range ends at midnight after the last day.
    expect(windowRange({ ...DEFAULT_STATE, window: 'custom', from: '2026-05-01', to: '2026-05-31' }, now)).toEqual({
      from: '2026-05-01T00:00:00.000Z',
      to: '2026-06-01T00:00:00.000Z',
    });
  });

  it('ends a preset window at the start of the minute, so loads within a minute ask the same question', () => {
    const at = (iso: string) => windowRange({ ...DEFAULT_STATE, window: '90' }, new Date(iso));
    expect(at('2026-11-27T10:41:07.123Z')).toEqual({
      from: '2026-08-29T10:41:00.000Z',
      to: '2026-11-27T10:41:00.000Z',
    });
    expect(at('2026-11-27T10:41:59.999Z')).toEqual(at('2026-11-27T10:41:00.000Z'));
    expect(at('2026-11-27T10:42:00.000Z').to).toBe('2026-11-27T10:42:00.000Z');
    expect(windowRange({ ...DEFAULT_STATE, window: '180' }, new Date('2026-11-27T10:41:07.123Z')).from).toBe(
      '2026-05-31T10:41:00.000Z',
    );
    // custom windows are whole days, unchanged
    expect(
      windowRange(
        { ...DEFAULT_STATE, window: 'custom', from: '2026-05-01', to: '2026-05-01' },
        new Date('2026-11-27T10:41:07.123Z'),
      ),
    ).toEqual({ from: '2026-05-01T00:00:00.000Z', to: '2026-05-02T00:00:00.000Z' });
  });

  it('explains what is wrong with a custom window', () => {
    expect(customWindowProblem('', '2026-05-01')).toBe('Pick a start date.');
    expect(customWindowProblem('2026-05-02', '2026-05-01')).toMatch(/on or before/);
    expect(customWindowProblem('2023-01-01', '2026-05-01')).toMatch(/1,100 days/);
    expect(customWindowProblem('2026-05-01', '2026-05-01')).toBeNull();
  });
});
