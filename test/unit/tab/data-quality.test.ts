import { describe, it, expect } from '@jest/globals';
import { fullRows, previewRows, shownNote } from '../../../client/src/data-quality.js';

const incident = {
  key: 'OPS-1',
  url: 'https://x.test/OPS-1',
  problems: ['startedAt is missing', 'acknowledgedAt is missing'],
};
const item = { key: 'ACT-1', url: null, problems: ['no owner'] };

describe('the data-quality panel rows', () => {
  it('lists the entries /api/metrics sent, incidents first, and counts the full lists from the totals', () => {
    const { rows, total } = previewRows({
      incidents: [incident],
      actionItems: [item],
      totals: { incidents: 577, actionItems: 3348 },
    });
    expect(rows).toEqual([
      {
        kind: 'incident',
        key: 'OPS-1',
        url: 'https://x.test/OPS-1',
        problems: 'startedAt is missing; acknowledgedAt is missing',
      },
      { kind: 'actionItem', key: 'ACT-1', url: null, problems: 'no owner' },
    ]);
    expect(total).toBe(3925);
    expect(shownNote(rows.length, total, 'en-US')).toBe('Showing 2 of 3,925.');
  });

  it('treats lists without totals (an older server) as whole', () => {
    const { rows, total } = previewRows({ incidents: [incident], actionItems: [item] });
    expect(total).toBe(2);
    expect(shownNote(rows.length, total, null)).toBeNull();
  });

  it('turns the full lists of /api/data-quality into the same rows', () => {
    expect(
      fullRows({
        items: [
          { kind: 'incident', ...incident },
          { kind: 'actionItem', ...item },
        ],
        totals: { incidents: 1, actionItems: 1 },
      }),
    ).toEqual(previewRows({ incidents: [incident], actionItems: [item] }).rows);
  });

  it('formats the counts in the host locale, falling back for a tag the browser does not know', () => {
    expect(shownNote(20, 3348, 'de-DE')).toBe('Showing 20 of 3.348.');
    expect(shownNote(20, 3348, 'not a locale!')).toBe('Showing 20 of 3,348.');
  });
});
