import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { FIELD_IDS, CUSTOM_FIELDS } from '../../server/jira-sample/catalog.js';
import { formatJiraDate } from '../../server/jira-sample/format.js';
import type { SampleIssue } from '../../server/jira-sample/model.js';
import { linkTime } from '../../server/jira-sample/seed.js';

const NOW = new Date('2026-11-27T03:00:00Z');
const DAY = 86_400_000;
let jira: SampleJira;
let issues: SampleIssue[];

const option = (fieldId: string, id: unknown): string | undefined =>
  CUSTOM_FIELDS.find((f) => f.id === fieldId)?.options?.find((o) => o.id === id)?.value;

beforeAll(async () => {
  jira = await startSampleJira({ now: NOW });
  issues = jira.data.store.issues;
});
afterAll(async () => {
  await jira.close();
});

describe('demo seed: a realistic reliability history', () => {
  const incidents = () => issues.filter((i) => i.issueType.name === 'Incident');
  const actionItems = () => issues.filter((i) => i.labels.includes('postmortem-action'));

  it('has at least 150 incidents over six months across six or more services', () => {
    const list = incidents();
    expect(list.length).toBeGreaterThanOrEqual(150);
    const created = list.map((i) => i.created);
    expect(Math.max(...created) - Math.min(...created)).toBeGreaterThan(150 * DAY);
    expect(Math.min(...created)).toBeGreaterThanOrEqual(NOW.getTime() - 183 * DAY);
    const services = new Set(
      list.flatMap((i) => (i.custom[FIELD_IDS.services] as string[]).map((id) => option(FIELD_IDS.services, id))),
    );
    expect(services.size).toBeGreaterThanOrEqual(6);
  });

  it('never puts a timestamp after now', () => {
    const now = NOW.getTime();
    const late = issues
      .filter((i) => i.created > now || i.updated > now || i.histories.some((h) => h.created > now))
      .map((i) => i.key);
    expect(late).toEqual([]);
  });

  it('has no burst of edits just before now (a sync with nothing changed re-reads almost nothing)', () => {
    const now = NOW.getTime();
    const lastTenMinutes = issues.filter((i) => i.updated > now - 10 * 60_000).length;
    // About one edit a minute would already be a busy team for a history of this size.
    expect(lastTenMinutes).toBeLessThanOrEqual(3);
  });

  it('uses severities that need the severityMap, including unmapped and empty ones', () => {
    const values = incidents().map((i) => option(FIELD_IDS.severity, i.custom[FIELD_IDS.severity]) ?? null);
    const map: Record<string, string> = demoConfig.jira.severityMap;
    expect(values.filter((v) => v !== null && map[v] !== undefined).length).toBeGreaterThan(100);
    expect(values.some((v) => v !== null && map[v] === undefined)).toBe(true);
    expect(values.some((v) => v === null)).toBe(true);
  });

  it('uses detection methods both inside and outside the default detectionMap', () => {
    const map: Record<string, string> = demoConfig.jira.detectionMap;
    const values = incidents().map((i) => option(FIELD_IDS.detectionMethod, i.custom[FIELD_IDS.detectionMethod]));
    expect(values.some((v) => v !== undefined && map[v] !== undefined)).toBe(true);
    expect(values.some((v) => v !== undefined && map[v] === undefined)).toBe(true);
  });

  it('has missing and out-of-order timestamps', () => {
    const list = incidents();
    expect(list.some((i) => i.custom[FIELD_IDS.detectedAt] === null)).toBe(true);
    expect(list.some((i) => i.custom[FIELD_IDS.impactStart] === null)).toBe(true);
    expect(
      list.some((i) => (i.custom[FIELD_IDS.detectedAt] as number) < (i.custom[FIELD_IDS.impactStart] as number)),
    ).toBe(true);
  });

  it('has incidents whose changelog is longer than the 40 a search returns', () => {
    expect(incidents().filter((i) => i.histories.length > 40).length).toBeGreaterThanOrEqual(3);
  });

  it('hides some acknowledgements and resolutions beyond those 40, so a client must fetch the rest', () => {
    const statusMovesOutsideNewest40 = incidents().filter((i) => {
      const older = i.histories.slice(0, Math.max(0, i.histories.length - 40));
      return older.some((h) => h.items.some((item) => item.field === 'status'));
    });
    expect(statusMovesOutsideNewest40.length).toBeGreaterThanOrEqual(3);
  });

  it('has several hundred action items, linked (both directions, several types) or parented', () => {
    const items = actionItems();
    expect(items.length).toBeGreaterThanOrEqual(300);
    const store = jira.data.store;
    const parented = items.filter(
      (i) => i.parentId !== null && store.getById(i.parentId)?.issueType.name === 'Incident',
    );
    expect(parented.length).toBeGreaterThan(50);
    const links = items.flatMap((i) => i.linkIds.map((id) => ({ item: i, link: store.links.get(id) })));
    expect(links.some(({ item, link }) => link?.inwardId === item.id)).toBe(true);
    expect(links.some(({ item, link }) => link?.outwardId === item.id)).toBe(true);
    expect(new Set(links.map(({ link }) => link?.type.name)).size).toBeGreaterThanOrEqual(4);
    const linkedToNonIncident = links.filter(({ item, link }) => {
      const otherId = link?.inwardId === item.id ? link?.outwardId : link?.inwardId;
      return store.getById(otherId ?? -1)?.issueType.name === 'Problem';
    });
    expect(linkedToNonIncident.length).toBeGreaterThan(0);
  });

  it('has overdue items, items without due dates, and the three ways of being done', () => {
    const items = actionItems();
    const today = formatJiraDate(NOW.getTime(), 'UTC');
    expect(
      items.filter((i) => i.status.category !== 'done' && i.dueDate !== null && i.dueDate < today).length,
    ).toBeGreaterThan(10);
    expect(items.filter((i) => i.dueDate === null).length).toBeGreaterThan(10);
    expect(items.some((i) => i.status.name === 'Done' && i.resolutionDate !== null)).toBe(true);
    expect(
      items.some(
        (i) =>
          i.status.name === 'Done' &&
          i.resolutionDate === null &&
          i.histories.some((h) => h.items.some((x) => x.toString === 'Done')),
      ),
    ).toBe(true);
    expect(items.some((i) => i.status.name === "Won't Do" && i.resolution?.name === "Won't Do")).toBe(true);
  });

  it('has incidents still open as well as resolved ones', () => {
    const list = incidents();
    expect(list.filter((i) => i.status.category !== 'done').length).toBeGreaterThanOrEqual(3);
    expect(list.filter((i) => i.status.category === 'done').length).toBeGreaterThan(100);
  });

  it('uses status categories new, indeterminate and done', () => {
    expect(new Set(issues.map((i) => i.status.category))).toEqual(new Set(['new', 'indeterminate', 'done']));
  });
});

describe('linkTime', () => {
  const HOUR = 3_600_000;
  const now = NOW.getTime();
  it('keeps a link planned in the past, after both issues exist', () => {
    expect(linkTime(now - 5 * DAY, now - 9 * DAY, now - 6 * DAY, now)).toBe(now - 5 * DAY);
    expect(linkTime(now - 8 * DAY, now - 9 * DAY, now - 6 * DAY, now)).toBe(now - 6 * DAY);
  });
  it('moves a link planned for the future to between the later creation and an hour ago', () => {
    const at = linkTime(now + 3 * DAY, now - 9 * DAY, now - 4 * DAY, now);
    expect(at).toBeGreaterThanOrEqual(now - 4 * DAY);
    expect(at).toBeLessThanOrEqual(now - HOUR);
  });
  it('never goes past now, even for issues created in the last hour', () => {
    expect(linkTime(now + DAY, now - 10 * 60_000, now - 20 * 60_000, now)).toBe(now - 10 * 60_000);
  });
});

describe('determinism relative to now', () => {
  it('gives the same issues for the same now, and shifts every instant with now', async () => {
    const again = await startSampleJira({ now: NOW });
    const later = await startSampleJira({ now: new Date(NOW.getTime() + 3 * DAY) });
    try {
      const strip = (j: SampleJira) =>
        j.data.keys().map((k) => JSON.stringify(j.data.issue(k, { changelog: true })).replaceAll(j.url, ''));
      expect(strip(again)).toEqual(strip(jira));
      const a = jira.data.store.issues;
      const b = later.data.store.issues;
      expect(b.map((i) => i.key)).toEqual(a.map((i) => i.key));
      b.forEach((issue, index) => {
        const base = a[index] as SampleIssue;
        expect(issue.created - base.created).toBe(3 * DAY);
        expect(issue.updated - base.updated).toBe(3 * DAY);
        expect(issue.histories.map((h) => h.created - 3 * DAY)).toEqual(base.histories.map((h) => h.created));
      });
    } finally {
      await again.close();
      await later.close();
    }
  });

  it('a different seed number gives a different history', async () => {
    const other = await startSampleJira({ now: NOW, seed: { incidents: 180, actionItems: 640, seed: 7 } });
    try {
      expect(other.data.store.issues.map((i) => i.summary)).not.toEqual(issues.map((i) => i.summary));
    } finally {
      await other.close();
    }
  });
});
