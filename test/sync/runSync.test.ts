import { describe, it, expect } from '@jest/globals';
import { runSync, type SyncSettings } from '../../server/sync/runSync.js';
import { ACTION_ITEM_PAGES_AHEAD } from '../../server/sync/querySpecs.js';
import { JiraError } from '../../server/errors.js';
import { DEFAULT_FIELDS, DETECTION_MAP, SEVERITY_MAP, issue, move, status } from './fixtures.js';
import { memoryStore, scriptedReader } from './memory.js';
import type { JiraHistory, JiraIssue } from '../../server/jira/JiraReader.js';

const settings: SyncSettings = {
  timezone: 'UTC',
  baseUrl: 'https://example.atlassian.net/',
  jira: {
    incidentJql: 'issuetype = Incident ORDER BY created DESC',
    actionItemJql: 'labels = postmortem-action',
    fields: DEFAULT_FIELDS,
    severityMap: SEVERITY_MAP,
    detectionMap: DETECTION_MAP,
  },
};
const now = new Date('2026-11-27T04:00:00.000Z');

/** 45 histories: an early move out of To Do, then 44 moves between in-progress statuses. */
function longChangelog(): JiraHistory[] {
  const list = [move('1', '2026-10-01T08:01:00.000Z', '10000', '3')];
  for (let i = 2; i <= 45; i += 1) {
    list.push(
      move(
        String(i),
        new Date(Date.parse('2026-10-01T09:00:00.000Z') + i * 60_000).toISOString(),
        i % 2 ? '10004' : '3',
        i % 2 ? '3' : '10004',
      ),
    );
  }
  return list;
}

function dataset() {
  const full = longChangelog();
  const long: JiraIssue = issue('OPS-3', { status: status('3'), updated: '2026-10-03T08:00:00.000+0000' });
  long.histories = full.slice(5).reverse(); // what search sends: the 40 newest, newest first
  long.historiesComplete = false;
  const incidents = [
    issue('OPS-1', { priority: { name: 'Highest' }, updated: '2026-10-01T08:00:00.000+0000' }),
    issue('OPS-2', { priority: { name: 'Low' }, updated: '2026-10-02T08:00:00.000+0000', created: 'not a date' }),
    long,
  ];
  const link = (key: string) => ({ id: '1', type: { name: 'Relates' }, outwardIssue: { key } });
  const actionItems = [
    issue('REL-1', { issuelinks: [link('REL-9'), link('OPS-2')], updated: '2026-10-04T08:00:00.000+0000' }),
    issue('REL-2', { parent: { key: 'OPS-1' }, issuelinks: [link('OPS-2')], updated: '2026-10-05T08:00:00.000+0000' }),
    issue('REL-3', { issuelinks: [link('REL-9')], updated: '2026-10-06T08:00:00.000+0000' }),
  ];
  return { incidents, actionItems, changelogs: new Map([[long.id, full]]) };
}

describe('runSync against a scripted Jira', () => {
  it('syncs incidents, then action items owned by stored incidents, and advances each watermark', async () => {
    const mem = memoryStore();
    const jira = scriptedReader(dataset());
    const progress: string[] = [];
    const run = await runSync(
      { store: mem.store, jira, settings, onProgress: (p) => progress.push(`${p.query}:${p.pages}:${p.issues}`) },
      now,
    );
    expect(run).toMatchObject({
      ok: true,
      full: false,
      error: null,
      incidents: { inserted: 3, updated: 0, unchanged: 0 },
      actionItems: { inserted: 3, updated: 0, unchanged: 0 },
    });
    expect(progress).toEqual(['incidents:1:2', 'incidents:2:3', 'actionItems:1:2', 'actionItems:2:3']);
    expect(jira.searches[0]?.jql).toBe('(issuetype = Incident) ORDER BY updated ASC, key ASC');
    expect(mem.actionItems.get('REL-1')?.incidentKey).toBe('OPS-2');
    expect(mem.actionItems.get('REL-2')?.incidentKey).toBe('OPS-1');
    expect(mem.actionItems.get('REL-3')?.incidentKey).toBeNull();
    expect(mem.incidents.get('OPS-1')?.url).toBe('https://example.atlassian.net/browse/OPS-1');
    expect(mem.states.get('jira-incidents')?.watermark).toBe('2026-10-03T08:00:00.000Z');
    expect(mem.states.get('jira-action-items')?.watermark).toBe('2026-10-06T08:00:00.000Z');
    expect(mem.runs).toEqual([run]);
    expect(run.requests).toBe(jira.calls.length);
  });

  it("sends the action items' first search while the last incident pages are still being stored", async () => {
    const mem = memoryStore();
    const jira = scriptedReader(dataset());
    const events: string[] = [];
    const search = jira.search.bind(jira);
    jira.search = async (request) => {
      events.push(`search ${request.jql.includes('postmortem-action') ? 'actionItems' : 'incidents'}`);
      return search(request);
    };
    const upsert = mem.store.upsertIncidents.bind(mem.store);
    mem.store.upsertIncidents = async (records) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const counts = await upsert(records);
      events.push('stored incidents');
      return counts;
    };
    const run = await runSync({ store: mem.store, jira, settings }, now);
    expect(run.ok).toBe(true);
    expect(events.indexOf('search actionItems')).toBeGreaterThan(-1);
    expect(events.indexOf('search actionItems')).toBeLessThan(events.lastIndexOf('stored incidents'));
    // Still owned by the incidents stored before the action items were mapped.
    expect(mem.actionItems.get('REL-2')?.incidentKey).toBe('OPS-1');
  });

  it('reads up to ACTION_ITEM_PAGES_AHEAD pages of action items while the incidents are stored, no more', async () => {
    const base = dataset();
    const many = Array.from({ length: 2 * ACTION_ITEM_PAGES_AHEAD + 10 }, (_, i) =>
      issue(`REL-${100 + i}`, { updated: '2026-10-04T08:00:00.000+0000' }),
    );
    const mem = memoryStore();
    const jira = scriptedReader({ ...base, actionItems: many }, 1);
    let itemPagesRead = 0;
    const search = jira.search.bind(jira);
    jira.search = async (request) => {
      if (request.jql.includes('postmortem-action')) itemPagesRead += 1;
      return search(request);
    };
    const readWhileStoring: number[] = [];
    const upsert = mem.store.upsertIncidents.bind(mem.store);
    mem.store.upsertIncidents = async (records) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      readWhileStoring.push(itemPagesRead);
      return upsert(records);
    };
    const run = await runSync({ store: mem.store, jira, settings }, now);
    expect(run.ok).toBe(true);
    expect(mem.actionItems.size).toBe(many.length);
    // By the last incident page stored, Jira had been kept busy with action items, within the bound.
    expect(readWhileStoring.at(-1)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...readWhileStoring)).toBeLessThanOrEqual(ACTION_ITEM_PAGES_AHEAD);
  });

  it('reads the rest of a changelog longer than search returns, so acknowledgedAt comes from its first entries', async () => {
    const mem = memoryStore();
    const jira = scriptedReader(dataset());
    await runSync({ store: mem.store, jira, settings }, now);
    expect(jira.calls.filter((c) => c === 'changelog')).toHaveLength(1);
    expect(mem.incidents.get('OPS-3')?.acknowledgedAt).toBe('2026-10-01T08:01:00.000Z');
    expect(mem.incidents.get('OPS-3')?.timeline).toHaveLength(45);
  });

  it('loads the status list once, only when a changelog names a status no issue showed', async () => {
    const mem = memoryStore();
    const jira = scriptedReader(dataset());
    await runSync({ store: mem.store, jira, settings }, now);
    // Every issue is in To Do or In Progress now; '10004' (Investigating) appears only in the changelog.
    expect(jira.calls.filter((c) => c === 'status')).toHaveLength(1);
  });

  it('reports unreadable fields in the run result with the issue key', async () => {
    const mem = memoryStore();
    const run = await runSync({ store: mem.store, jira: scriptedReader(dataset()), settings }, now);
    expect(run.problems).toEqual([{ key: 'OPS-2', field: 'created', reason: 'not a date-time or date: "not a date"' }]);
    expect(mem.incidents.get('OPS-2')?.readProblems).toHaveLength(1);
  });

  it('an incremental run asks for updated >= watermark minus the overlap in the Jira zone and skips unchanged issues', async () => {
    const mem = memoryStore();
    await runSync({ store: mem.store, jira: scriptedReader(dataset()), settings }, now);
    const jira = scriptedReader(dataset(), 100);
    const run = await runSync({ store: mem.store, jira, settings }, now);
    // 08:00 UTC minus 5 minutes, in Asia/Kolkata (+05:30).
    expect(jira.searches.map((s) => s.jql)).toEqual([
      '(issuetype = Incident) AND updated >= "2026-10-03 13:25" ORDER BY updated ASC, key ASC',
      '(labels = postmortem-action) AND updated >= "2026-10-06 13:25" ORDER BY updated ASC, key ASC',
    ]);
    expect(jira.calls).toEqual(['field', 'myself', 'search', 'search']);
    expect(run.incidents).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(run.actionItems).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(run.problems).toHaveLength(1);
  });

  it('--full re-reads and rewrites everything without the updated clause', async () => {
    const mem = memoryStore();
    await runSync({ store: mem.store, jira: scriptedReader(dataset()), settings }, now);
    const jira = scriptedReader(dataset());
    const run = await runSync({ store: mem.store, jira, settings }, now, { full: true });
    expect(jira.searches.every((s) => !s.jql.includes('updated >='))).toBe(true);
    expect(run.full).toBe(true);
    expect(run.incidents).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(jira.calls.filter((c) => c === 'changelog')).toHaveLength(1);
  });

  it('keeps the document reference an import gave an action item', async () => {
    const mem = memoryStore();
    await runSync({ store: mem.store, jira: scriptedReader(dataset()), settings }, now);
    const item = mem.actionItems.get('REL-1');
    if (!item) throw new Error('REL-1 missing');
    mem.actionItems.set('REL-1', { ...item, documentRef: 'OPS-2-1' });
    await runSync({ store: mem.store, jira: scriptedReader(dataset()), settings }, now, { full: true });
    expect(mem.actionItems.get('REL-1')?.documentRef).toBe('OPS-2-1');
  });

  it('a failure keeps every committed page, records the run as failed with one line, and the next run resumes', async () => {
    const mem = memoryStore();
    const jira = scriptedReader(dataset());
    jira.failSearchAfter = 1;
    jira.error = new JiraError(
      "Jira refused POST /rest/api/3/search/jql (401 Unauthorized): check JIRA_EMAIL/JIRA_API_TOKEN and the account's project access.",
      401,
    );
    const run = await runSync({ store: mem.store, jira, settings }, now);
    expect(run.ok).toBe(false);
    expect(run.error).toBe(
      "Jira refused POST /rest/api/3/search/jql (401 Unauthorized): check JIRA_EMAIL/JIRA_API_TOKEN and the account's project access.",
    );
    expect(mem.runs.at(-1)).toEqual(run);
    expect([...mem.incidents.keys()]).toEqual(['OPS-1', 'OPS-2']);
    expect(mem.states.get('jira-incidents')?.watermark).toBe('2026-10-02T08:00:00.000Z');

    const again = await runSync({ store: mem.store, jira: scriptedReader(dataset()), settings }, now);
    expect(again.ok).toBe(true);
    expect(mem.incidents.size).toBe(3);
    expect(mem.states.get('jira-incidents')?.watermark).toBe('2026-10-03T08:00:00.000Z');
  });

  it('stops with a clear message when another sync moved the watermark', async () => {
    const mem = memoryStore();
    const jira = scriptedReader(dataset());
    const original = mem.store.compareAndSetSyncState.bind(mem.store);
    mem.store.compareAndSetSyncState = async (name, _expected, watermark, at) => {
      await original(name, null, '2026-01-01T00:00:00.000Z', at);
      return original(name, null, watermark, at);
    };
    const run = await runSync({ store: mem.store, jira, settings }, now);
    expect(run.ok).toBe(false);
    expect(run.error).toMatch(/Another sync moved the incidents watermark/);
  });

  it('refuses a field mapping naming a field Jira does not have, before any search', async () => {
    const mem = memoryStore();
    const jira = scriptedReader(dataset());
    const run = await runSync(
      {
        store: mem.store,
        jira,
        settings: { ...settings, jira: { ...settings.jira, fields: { ...DEFAULT_FIELDS, startedAt: 'Impact Start' } } },
      },
      now,
    );
    expect(run.ok).toBe(false);
    expect(run.error).toMatch(/^jira\.fields\.startedAt: Jira has no field with id or name "Impact Start"/);
    expect(jira.searches).toHaveLength(0);
  });
});
