import { describe, it, expect } from '@jest/globals';
import { parseReviewState, reviewUrl, wantsReview } from '../../../client/src/review-state.js';
import { sdkErrorText } from '../../../client/src/teams.js';

describe('the review agenda in the URL', () => {
  it('opens as the review when the URL or a deep link asks, or in a meeting side panel or stage', () => {
    const plain = { frameContext: 'content', subPageId: null };
    expect(wantsReview('?view=review', plain)).toBe(true);
    expect(wantsReview('?severity=P1', plain)).toBe(false);
    expect(wantsReview('', { frameContext: 'content', subPageId: 'review:2026-W47' })).toBe(true);
    expect(wantsReview('', { frameContext: 'content', subPageId: 'overdue' })).toBe(false);
    expect(wantsReview('?severity=P1', { frameContext: 'sidePanel', subPageId: null })).toBe(true);
    expect(wantsReview('', { frameContext: 'meetingStage', subPageId: null })).toBe(true);
    expect(wantsReview('', { frameContext: null, subPageId: null })).toBe(false);
  });

  it('reads the week and the 1-based position, falling back to the first item', () => {
    expect(parseReviewState('?view=review&week=2026-W47&item=3')).toEqual({ week: '2026-W47', item: 3 });
    expect(parseReviewState('?view=review&item=0')).toEqual({ week: null, item: 1 });
    expect(parseReviewState('?view=review&item=2.5')).toEqual({ week: null, item: 1 });
    expect(parseReviewState('?view=review&item=x')).toEqual({ week: null, item: 1 });
    // A deep link's week counts when the URL names none.
    expect(parseReviewState('', 'review:2026-W40')).toEqual({ week: '2026-W40', item: 1 });
    expect(parseReviewState('?week=2026-W41', 'review:2026-W40')).toEqual({ week: '2026-W41', item: 1 });
  });

  it('writes the address the side panel shares, leaving out the first position', () => {
    expect(reviewUrl('https://pmi.example.com', { week: '2026-W47', item: 1 })).toBe(
      'https://pmi.example.com/tab?view=review&week=2026-W47',
    );
    expect(reviewUrl('', { week: '2026-W47', item: 4 })).toBe('/tab?view=review&week=2026-W47&item=4');
    expect(reviewUrl('', { week: null, item: 1 })).toBe('/tab?view=review');
  });
});

describe('Teams SDK errors in words', () => {
  it("names what went wrong and keeps Teams' message and code", () => {
    expect(sdkErrorText({ errorCode: 5000, message: 'Not a presenter' })).toBe(
      'Only presenters can share to the stage: Not a presenter (error 5000).',
    );
    expect(sdkErrorText({ errorCode: 123 })).toBe('Teams refused (error 123).');
    expect(sdkErrorText(null)).toBe('Teams did not say why.');
  });
});
