import { describe, it, expect } from '@jest/globals';
import { LatestOnly } from '../../../client/src/latest.js';

describe("the dashboard's latest-request-wins guard", () => {
  it('aborts the turn before when a new one begins, and only the newest is current', () => {
    const latest = new LatestOnly();
    const first = latest.begin();
    expect(first.isCurrent()).toBe(true);
    expect(first.signal.aborted).toBe(false);
    const second = latest.begin();
    expect(first.signal.aborted).toBe(true);
    expect(first.isCurrent()).toBe(false);
    expect(second.isCurrent()).toBe(true);
    expect(second.signal.aborted).toBe(false);
  });
});
