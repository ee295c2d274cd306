import { describe, it, expect, beforeAll } from '@jest/globals';
import type { ErrorObject } from 'ajv';
import { buildDigestCard, cardBytes, CARD_VERSION, MAX_CARD_BYTES } from '../../server/digest/card.js';
import type { DigestContent } from '../../server/digest/content.js';
import { collectDigestContent, TOP_OVERDUE } from '../../server/digest/content.js';
import { digestLinks } from '../../server/digest/links.js';
import { MetricsService } from '../../server/metrics/index.js';
import type { Store } from '../../server/store/Store.js';
import type { ActionItem, Incident, Postmortem } from '../../server/domain/types.js';
import { actionItem, incident, NOW, SLA_DAYS, ZONE, sampleData } from './fixtures.js';
import { cardValidator, featuresAbove } from './cardSchema.js';

/** Just what MetricsService and the digest read, over arrays. */
function arrayStore(incidents: Incident[], actionItems: ActionItem[], postmortems: Postmortem[] = []): Store {
  return {
    allRecords: async () => ({ incidents: [...incidents], actionItems: [...actionItems] }),
    changesSince: async () => null,
    dataVersion: async () => 1,
    getPostmortem: async (key: string) => postmortems.find((p) => p.incidentKey === key) ?? null,
  } as unknown as Store;
}

async function contentFor(
  data: { incidents: Incident[]; actionItems: ActionItem[]; postmortems?: Postmortem[] },
  links = digestLinks(
    { publicUrl: 'https://pmi.example.com', teamsAppId: '0b7f4c52-3a36-4a4f-9d0e-2f1f6d6c1a11' },
    '2026-W47',
  ),
): Promise<DigestContent> {
  const store = arrayStore(data.incidents, data.actionItems, data.postmortems);
  const source = new MetricsService(store, { timezone: ZONE, slaDays: SLA_DAYS, now: () => NOW });
  return collectDigestContent(source, store, { week: '2026-W47', timezone: ZONE, now: NOW, links });
}

function allText(card: unknown): string {
  return JSON.stringify(card);
}

let validate: (card: unknown) => ErrorObject[];
beforeAll(() => {
  validate = cardValidator();
});

describe('digest content', () => {
  it('counts the week and the week before from the metrics', async () => {
    const content = await contentFor(sampleData());
    expect(content.week).toBe('2026-W47');
    expect(content.previousWeek).toBe('2026-W46');
    expect(content.firstDay).toBe('2026-11-16');
    expect(content.lastDay).toBe('2026-11-22');
    expect(content.incidents.current.total).toBe(4);
    expect(content.incidents.current.bySeverity).toMatchObject({ P0: 1, P1: 1, P2: 1, unknown: 1 });
    expect(content.incidents.previous.total).toBe(2);
    // TTD in W47: 4 min, 20 min, 2 min, 1 min -> median 3 min.
    expect(content.timeToDetect.current.medianSeconds).toBe(180);
    // W46: 30 min and 10 min -> 20 min.
    expect(content.timeToDetect.previous.medianSeconds).toBe(1200);
    // TTR in W47: OPS-101 2 h and OPS-103 1 h; the others are unresolved.
    expect(content.timeToResolve.current).toMatchObject({ count: 2, missing: 2, medianSeconds: 5400 });
    // Opened in W47: ACT-1, ACT-2; closed in W47: ACT-2, ACT-4. W46: opened ACT-3, ACT-4.
    expect(content.actionItems.opened).toEqual({ current: 2, previous: 2 });
    expect(content.actionItems.closed).toEqual({ current: 2, previous: 0 });
  });

  it('lists the most overdue items, most days first, and counts the rest', async () => {
    const content = await contentFor(sampleData());
    // Today is 2026-11-23 in Berlin. ACT-5: SLA due 2026-09-16 (68 days); ACT-6/7: 2026-10-01 (53);
    // ACT-8: 2026-11-02 (21); ACT-3: 2026-11-13 (10); ACT-1 and ACT-9: 2026-11-20 (3).
    expect(content.mostOverdue.map((v) => [v.key, v.daysOverdue])).toEqual([
      ['ACT-5', 68],
      ['ACT-6', 53],
      ['ACT-7', 53],
      ['ACT-8', 21],
      ['ACT-3', 10],
    ]);
    expect(content.actionItems.overdueNow).toBe(7);
    expect(content.moreOverdue).toBe(7 - TOP_OVERDUE);
  });

  it('lists the P0/P1 incidents of the week with their post-mortem state', async () => {
    const content = await contentFor(sampleData());
    expect(content.majorIncidents).toEqual([
      expect.objectContaining({
        key: 'OPS-101',
        severity: 'P0',
        resolved: true,
        postmortemImportedAt: '2026-11-19T15:00:00.000Z',
        actionItems: { total: 2, open: 1 },
      }),
      expect.objectContaining({
        key: 'OPS-102',
        severity: 'P1',
        resolved: false,
        postmortemImportedAt: null,
        actionItems: { total: 0, open: 0 },
      }),
    ]);
  });
});

describe('digest card', () => {
  it('is a valid Adaptive Card 1.4 using nothing newer than 1.4', async () => {
    const card = buildDigestCard(await contentFor(sampleData()));
    expect(card.version).toBe(CARD_VERSION);
    expect(CARD_VERSION).toBe('1.4');
    expect(validate(card)).toEqual([]);
    expect(featuresAbove(card, 1.4)).toEqual([]);
    expect(cardBytes(card)).toBeLessThan(MAX_CARD_BYTES);
  });

  it('the schema check itself refuses unknown properties, msteams extras other than width, and 1.5 features', async () => {
    const card = buildDigestCard(await contentFor(sampleData()));
    expect(validate({ ...card, extra: true })).not.toEqual([]);
    expect(validate({ ...card, msteams: { width: 'Full', entities: [] } })).not.toEqual([]);
    const withTable = { ...card, body: [...card.body, { type: 'Table', columns: [{ width: 1 }], rows: [] }] };
    expect(validate(withTable)).toEqual([]);
    expect(featuresAbove(withTable, 1.4)).toEqual([expect.stringContaining('Table needs 1.5')]);
  });

  it('shows the numbers with their changes and the formulas', async () => {
    const text = allText(buildDigestCard(await contentFor(sampleData())));
    expect(text).toContain('Reliability digest, week 2026-W47');
    expect(text).toContain('16 Nov to 22 Nov 2026 (Europe/Berlin)');
    expect(text).toContain('Incidents: 4 (week before 2, +2)');
    expect(text).toContain('"title":"P0","value":"1 (week before 0, +1)"');
    expect(text).toContain(
      '"title":"Time to detect","value":"3 min over 4 incidents (week before 20 min, \u221217 min) (within noise)"',
    );
    expect(text).toContain(
      '"title":"Time to acknowledge","value":"6 min over 3 incidents (week before 6 min, no change)"',
    );
    expect(text).toContain('Incidents: 4 (week before 2, +2) (within noise)');
    expect(text).toContain('"title":"Overdue now","value":"7"');
    expect(text).toContain('TTD = detected - started');
    expect(text).toContain('PERCENTILE.INC');
  });

  it('marks a significant change with its p-value instead of "within noise"', async () => {
    // 9 incidents in W47 against none in W46: 2 * (1/2)^9 = 0.0039.
    const incidents = Array.from({ length: 9 }, (_, i) =>
      incident(`OPS-${200 + i}`, { startedAt: `2026-11-${16 + (i % 6)}T0${i}:00:00.000Z` }),
    );
    const text = allText(buildDigestCard(await contentFor({ incidents, actionItems: [] })));
    expect(text).toContain('Incidents: 9 (week before 0, +9) (significant, p = 0.004)');
    expect(text).toContain('No incident this week happened while a fix on its service was overdue.');
  });

  it("lists the late fixes the week's incidents hit: owner, due date, days overdue, the incidents, and the rest counted", async () => {
    const content = await contentFor(sampleData());
    // Every W47 incident is on api, like OPS-50's overdue items and ACT-3/ACT-4 (due 13 and 14 Nov).
    expect(content.behindOverdueFix).toEqual({ count: 4, total: 4 });
    expect(content.lateFixes.map((f) => [f.key, f.incidents.length, f.daysOverdue])).toEqual([
      ['ACT-5', 4, 68],
      ['ACT-6', 4, 53],
      ['ACT-7', 4, 53],
      ['ACT-3', 4, 10],
      ['ACT-4', 3, null],
    ]);
    expect(content.moreLateFixes).toBe(2);
    const text = allText(buildDigestCard(content));
    expect(text).toContain("4 of the week's 4 incidents came while a fix on the same service was overdue (100%).");
    expect(text).toContain(
      'Lee \u00b7 due 2026-10-01 \u00b7 **53 days overdue** \u00b7 overdue at 4 incidents of the week: [OPS-101](https://example.atlassian.net/browse/OPS-101)',
    );
    expect(text).toContain(
      'Alex Owner \u00b7 due 2026-11-14 \u00b7 done since \u00b7 overdue at 3 incidents of the week',
    );
    expect(text).toContain('and 2 more late fixes.');
  });

  it('names owner, days overdue and Jira link of each top overdue item, and counts the rest', async () => {
    const card = buildDigestCard(await contentFor(sampleData()));
    const text = allText(card);
    expect(text).toContain('[ACT-6](https://example.atlassian.net/browse/ACT-6)');
    expect(text).toContain('Lee \u00b7 **53 days overdue** (due 2026-10-01)');
    expect(text).toContain('No owner \u00b7 **68 days overdue** (due 2026-09-16, from the SLA)');
    expect(text).toContain('and 2 more overdue items.');
    expect(text).not.toContain('ACT-9](');
  });

  it('escapes markdown in Jira text so a summary cannot become a link or bold', async () => {
    const text = allText(buildDigestCard(await contentFor(sampleData())));
    expect(text).toContain('Checkout API returned 500s for \\\\[EU\\\\] \\\\*all\\\\* customers');
  });

  it('escapes the incident key and drops links that are not http(s)', async () => {
    const data = sampleData();
    const target = data.incidents.find((i) => i.severity === 'P0' || i.severity === 'P1')!;
    const evilKey = 'OPS-1**](javascript:alert(1))[x';
    data.incidents = data.incidents.map((i) => (i === target ? { ...i, key: evilKey, url: 'javascript:alert(2)' } : i));
    const card = buildDigestCard(await contentFor(data));
    const text = allText(card);
    expect(text).not.toContain('javascript:alert(2)');
    const block = card.body
      .map((element) => String((element as { text?: unknown }).text ?? ''))
      .find((t) => t.includes('**P0 OPS-1'))!;
    // Every markdown character of the key is escaped: no bold ends, no link opens.
    expect(block).toContain('**P0 OPS-1\\*\\*\\](javascript:alert(1))\\[x**');
    expect(block).not.toMatch(/[^\\]\]\(javascript/);
    // Everywhere else the key appears (the late fixes' incidents) it is escaped too.
    for (const element of card.body)
      expect(String((element as { text?: unknown }).text ?? '')).not.toMatch(/[^\\]\]\(javascript/);
    expect(validate(card)).toEqual([]);
  });

  it('shows post-mortem state of P0/P1 incidents', async () => {
    const text = allText(buildDigestCard(await contentFor(sampleData())));
    expect(text).toContain('Resolved \u00b7 post-mortem written (imported 19 Nov) \u00b7 2 action items, 1 open');
    expect(text).toContain('Not resolved (Investigating) \u00b7 **no post-mortem yet** \u00b7 no action items');
  });

  it('has buttons that open the Teams tab and the overdue list, and the chart image', async () => {
    const card = buildDigestCard(await contentFor(sampleData()));
    expect(card.actions).toEqual([
      expect.objectContaining({ type: 'Action.OpenUrl', title: 'Open the dashboard' }),
      expect.objectContaining({ type: 'Action.OpenUrl', title: 'Overdue list (7)' }),
      expect.objectContaining({ type: 'Action.OpenUrl', title: 'Review agenda (2026-W47)' }),
    ]);
    const [dashboard, overdue, review] = (card.actions ?? []).map((a) => new URL(String(a.url)));
    // The review of the card's week: in Teams a deep link the tab reads as page.subPageId.
    expect(JSON.parse(review?.searchParams.get('context') ?? '{}')).toEqual({ subEntityId: 'review:2026-W47' });
    expect(review?.searchParams.get('webUrl')).toBe('https://pmi.example.com/tab?view=review&week=2026-W47');
    expect(dashboard?.href).toMatch(
      /^https:\/\/teams\.microsoft\.com\/l\/entity\/0b7f4c52-3a36-4a4f-9d0e-2f1f6d6c1a11\/dashboard\?/,
    );
    expect(dashboard?.searchParams.get('webUrl')).toBe('https://pmi.example.com/tab');
    expect(JSON.parse(overdue?.searchParams.get('context') ?? '{}')).toEqual({ subEntityId: 'overdue' });
    expect(card.body).toContainEqual(
      expect.objectContaining({ type: 'Image', url: 'https://pmi.example.com/api/digest/chart/2026-W47.png' }),
    );
  });

  it('links to the web dashboard without a Teams app id, and drops buttons and chart without any URL', async () => {
    const web = buildDigestCard(
      await contentFor(
        sampleData(),
        digestLinks({ publicUrl: 'https://pmi.example.com/', teamsAppId: null }, '2026-W47'),
      ),
    );
    expect(web.actions?.map((a) => a.url)).toEqual([
      'https://pmi.example.com/tab',
      'https://pmi.example.com/tab#overdue',
      'https://pmi.example.com/tab?view=review&week=2026-W47',
    ]);
    const bare = buildDigestCard(
      await contentFor(sampleData(), digestLinks({ publicUrl: null, teamsAppId: null }, '2026-W47')),
    );
    expect(bare.actions).toBeUndefined();
    expect(bare.body.some((e) => e.type === 'Image')).toBe(false);
    expect(validate(bare)).toEqual([]);
  });

  it('says so plainly when nothing happened', async () => {
    const card = buildDigestCard(await contentFor({ incidents: [], actionItems: [] }));
    const text = allText(card);
    expect(text).toContain('Incidents: 0 (week before 0, no change)');
    expect(text).toContain('No incidents in either week.');
    expect(text).toContain('No action item is overdue.');
    expect(text).toContain('"value":"n/a over 0 incidents (week before n/a, n/a)"');
    expect(validate(card)).toEqual([]);
  });

  it('stays under 28 KB with the longest texts and a bad week', async () => {
    const long = 'x'.repeat(5000);
    const incidents = Array.from({ length: 40 }, (_, i) =>
      incident(`OPS-${1000 + i}`, {
        severity: i % 2 ? 'P0' : 'P1',
        summary: long,
        status: long,
        startedAt: '2026-11-17T10:00:00.000Z',
      }),
    );
    const actionItems = Array.from({ length: 300 }, (_, i) =>
      actionItem(`ACT-${1000 + i}`, {
        incidentKey: `OPS-${1000 + (i % 40)}`,
        summary: long,
        owner: long,
        jiraDueDate: '2026-01-01',
        url: `https://example.atlassian.net/browse/${'Y'.repeat(500)}`,
      }),
    );
    const content = await contentFor({ incidents, actionItems });
    const card = buildDigestCard(content);
    expect(content.moreMajorIncidents).toBe(40 - content.majorIncidents.length);
    expect(cardBytes(card)).toBeLessThan(MAX_CARD_BYTES);
    expect(validate(card)).toEqual([]);
  });
});
