/**
 * The sync against the sample Jira with a real embedded store in a temp DATA_DIR: full
 * and incremental runs, request counts, 429/5xx recovery, failures that keep committed
 * pages, unreadable fields, bad credentials, and /api/health's lastSync.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { parseConfigFileObject, loadConfig, type JiraMappingConfig } from '../../server/config/config.js';
import { createServices } from '../../server/assembly/index.js';
import { createApp } from '../../server/http/app.js';
import { STATUSES } from '../../server/jira-sample/catalog.js';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { createLogger } from '../../server/logging.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import type { Store } from '../../server/store/Store.js';
import { createJiraSync } from '../../server/sync/jiraSync.js';
import { SYNC_STATE_NAMES } from '../../server/sync/runSync.js';
import { tempDir } from '../support/stores.js';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { snapshot } from './fixtures.js';

export const SEED_NOW = new Date('2026-11-20T12:00:00.000Z');
const FAST_RETRY = { baseDelayMs: 5, rateLimitBaseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 };
const mapping: JiraMappingConfig = parseConfigFileObject(demoConfig).mapping;

interface Opened {
  store: Store;
  dir: string;
  close(): Promise<void>;
}

async function openStore(): Promise<Opened> {
  const dir = tempDir('pmi-sync-');
  const store = await EmbeddedStore.create(dir);
  return {
    store,
    dir,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function syncFor(
  jira: SampleJira,
  store: Store,
  overrides: { apiToken?: string; mapping?: JiraMappingConfig; timezone?: string; pageSize?: number } = {},
) {
  return createJiraSync({
    store,
    connection: { baseUrl: jira.url, email: jira.email, apiToken: overrides.apiToken ?? jira.apiToken },
    mapping: overrides.mapping ?? mapping,
    timezone: overrides.timezone ?? 'UTC',
    retryPolicy: FAST_RETRY,
    ...(overrides.pageSize !== undefined ? { pageSize: overrides.pageSize } : {}),
  });
}

type RawIssue = {
  key: string;
  fields: {
    status: { statusCategory: { key: string } };
    resolutiondate?: string | null;
    issuetype: { name: string };
    project: { key: string };
    labels: string[];
    customfield_10040?: { value: string } | null;
    customfield_10041?: Array<{ value: string }> | null;
    customfield_10042?: string | null;
    customfield_10043?: string | null;
    customfield_10044?: string | null;
    customfield_10046?: { displayName: string } | null;
    customfield_10047?: string | null;
  };
  changelog?: { histories: Array<{ created: string; items: Array<{ fieldId?: string; from?: string; to?: string }> }> };
};

const category = (id: string | undefined) => STATUSES.find((s) => s.id === id)?.category ?? null;
const iso = (jiraTime: string) => new Date(Date.parse(jiraTime.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))).toISOString();

/** The changelog rules of docs/jira.md ("How the field mapping works"), computed here from the sample's whole changelog. */
function expectedPoints(raw: RawIssue) {
  const moves = (raw.changelog?.histories ?? [])
    .flatMap((h) =>
      h.items
        .filter((i) => i.fieldId === 'status')
        .map((i) => ({ at: iso(h.created), from: category(i.from), to: category(i.to) })),
    )
    .sort((x, y) => x.at.localeCompare(y.at));
  const leftToDo = moves.find((m) => m.from === 'new' && m.to !== 'new')?.at ?? null;
  const firstDone = moves.find((m) => m.from !== 'done' && m.to === 'done')?.at ?? null;
  const done = raw.fields.status.statusCategory.key === 'done';
  const resolutiondate = raw.fields.resolutiondate ? iso(raw.fields.resolutiondate) : null;
  return { leftToDo, firstDone, done, resolutiondate };
}

describe('sync from the sample Jira into the embedded store', () => {
  let jira: SampleJira;
  let incidentKeys: string[];
  let actionItemKeys: string[];

  beforeAll(async () => {
    jira = await startSampleJira({ now: SEED_NOW });
    const all = jira.data.keys().map((key) => jira.data.issue(key) as unknown as RawIssue);
    incidentKeys = all
      .filter((i) => i.fields.issuetype.name === 'Incident' && i.fields.project.key === 'OPS')
      .map((i) => i.key);
    actionItemKeys = all.filter((i) => i.fields.labels.includes('postmortem-action')).map((i) => i.key);
  });
  afterAll(async () => {
    await jira.close();
  });

  it('a first sync stores every incident and action item, with changelog points from whole changelogs', async () => {
    const db = await openStore();
    try {
      const run = await syncFor(jira, db.store).run(new Date());
      expect(run.ok).toBe(true);
      expect(run.incidents.inserted).toBe(incidentKeys.length);
      expect(run.actionItems.inserted).toBe(actionItemKeys.length);
      expect(await db.store.counts()).toEqual({ incidents: incidentKeys.length, actionItems: actionItemKeys.length });

      let beyond40 = 0;
      for (const key of incidentKeys) {
        const raw = jira.data.issue(key, { changelog: true }) as unknown as RawIssue;
        const stored = await db.store.getIncident(key);
        const want = expectedPoints(raw);
        if ((raw.changelog?.histories.length ?? 0) > 40) beyond40 += 1;
        expect({ key, ack: stored?.acknowledgedAt }).toEqual({ key, ack: want.leftToDo });
        expect({ key, resolved: stored?.resolvedAt }).toEqual({
          key,
          resolved: want.resolutiondate ?? (want.done ? want.firstDone : null),
        });
      }
      // The seed has incidents whose first status moves are beyond the 40 newest histories search returns.
      expect(beyond40).toBeGreaterThan(0);

      for (const key of actionItemKeys.slice(0, 200)) {
        const raw = jira.data.issue(key, { changelog: true }) as unknown as RawIssue;
        const stored = await db.store.getActionItem(key);
        const want = expectedPoints(raw);
        expect({ key, resolved: stored?.resolvedAt }).toEqual({
          key,
          resolved: want.done ? (want.resolutiondate ?? want.firstDone) : null,
        });
      }
    } finally {
      await db.close();
    }
  });

  it('reads custom fields through their display names: option severity, multi-option services, user, date-time offsets', async () => {
    const db = await openStore();
    try {
      await syncFor(jira, db.store).run(new Date());
      let checked = 0;
      for (const key of incidentKeys.slice(0, 60)) {
        const raw = jira.data.issue(key) as unknown as RawIssue;
        const stored = await db.store.getIncident(key);
        const f = raw.fields;
        const sev = f.customfield_10040?.value as string | undefined;
        expect(stored?.severity).toBe(sev ? ((mapping.severityMap as Record<string, string>)[sev] ?? null) : null);
        expect(stored?.services).toEqual((f.customfield_10041 ?? []).map((o) => o.value));
        expect(stored?.commander).toBe(f.customfield_10046?.displayName ?? null);
        expect(stored?.startedAt).toBe(f.customfield_10042 ? iso(f.customfield_10042) : null);
        expect(stored?.endedAt).toBe(f.customfield_10043 ? iso(f.customfield_10043) : null);
        expect(stored?.detectedAt).toBe(f.customfield_10044 ? iso(f.customfield_10044) : null);
        if (typeof f.customfield_10042 === 'string' && /\+0530$/.test(f.customfield_10042)) checked += 1;
      }
      expect(checked).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });

  it('an incremental run with nothing changed makes field + myself + one search per query, and counts all unchanged', async () => {
    const db = await openStore();
    try {
      const sync = syncFor(jira, db.store);
      await sync.run(new Date());
      const before = await snapshot(db.store);
      jira.resetStats();
      const again = await sync.run(new Date());
      expect(jira.stats().requests).toBe(4);
      expect(jira.stats().byRoute['POST /rest/api/3/search/jql']).toBe(2);
      expect(again.requests).toBe(4);
      expect(again.incidents.inserted + again.incidents.updated).toBe(0);
      expect(again.actionItems.inserted + again.actionItems.updated).toBe(0);
      expect(await snapshot(db.store)).toEqual(before);

      // --full re-reads everything and still writes nothing new.
      const full = await sync.run(new Date(), { full: true });
      expect(full.incidents).toEqual({ inserted: 0, updated: 0, unchanged: incidentKeys.length });
      expect(full.actionItems).toEqual({ inserted: 0, updated: 0, unchanged: actionItemKeys.length });
      expect(await db.store.counts()).toEqual({ incidents: incidentKeys.length, actionItems: actionItemKeys.length });
    } finally {
      await db.close();
    }
  });

  it("an incremental run picks up edits, its JQL date written in the Jira user's zone (west of UTC here)", async () => {
    // Los Angeles: a date literal written in UTC would be read 8 hours late and miss the second edit.
    const local = await startSampleJira({ now: SEED_NOW, timeZone: 'America/Los_Angeles' });
    const db = await openStore();
    try {
      const sync = syncFor(local, db.store);
      await sync.run(new Date());
      const key = incidentKeys[5] as string;
      local.data.updateIssue(key, { summary: 'First edit' });
      const itemKey = local.data.addIssue({
        projectKey: 'REL',
        issueType: 'Task',
        summary: 'Add a canary',
        labels: ['postmortem-action'],
      });
      local.data.link(key, itemKey, 'Relates');
      const first = await sync.run(new Date());
      expect(first.ok).toBe(true);
      expect(first.incidents.updated).toBe(1);
      expect(first.actionItems.inserted).toBe(1);
      expect((await db.store.getActionItem(itemKey))?.incidentKey).toBe(key);

      local.data.updateIssue(key, { summary: 'Second edit' });
      const second = await sync.run(new Date());
      expect(second.incidents.updated).toBe(1);
      expect((await db.store.getIncident(key))?.summary).toBe('Second edit');
    } finally {
      await db.close();
      await local.close();
    }
  });

  it('keeps the owner of a ticket filed for a document-only incident, which has no Jira link to it', async () => {
    const jira = await startSampleJira({ now: SEED_NOW });
    const db = await openStore();
    try {
      const sync = syncFor(jira, db.store);
      await sync.run(new Date());
      const doc = (await db.store.findIncidents({}))[0]!;
      await db.store.upsertIncidents([{ ...doc, key: 'PM-2026-11-03', jiraId: null, source: 'document', url: null }]);
      const ticket = jira.data.addIssue({
        projectKey: 'REL',
        issueType: 'Task',
        summary: 'Document-only follow-up',
        labels: ['postmortem-action'],
      });
      const unlinked = jira.data.addIssue({
        projectKey: 'REL',
        issueType: 'Task',
        summary: 'Was linked, link removed',
        labels: ['postmortem-action'],
      });
      await sync.run(new Date());
      const stored = (await db.store.getActionItem(ticket))!;
      // What the import records after creating the ticket:
      await db.store.upsertActionItems([
        { ...stored, incidentKey: 'PM-2026-11-03', documentRef: 'PM-1' },
        { ...(await db.store.getActionItem(unlinked))!, incidentKey: doc.key },
      ]);
      jira.data.updateIssue(ticket, { summary: 'Document-only follow-up (edited)' });
      jira.data.updateIssue(unlinked, { summary: 'Edited after its link was removed' });
      await sync.run(new Date());
      expect(await db.store.getActionItem(ticket)).toMatchObject({
        incidentKey: 'PM-2026-11-03',
        documentRef: 'PM-1',
        summary: 'Document-only follow-up (edited)',
      });
      // A Jira incident's ownership still follows Jira's links.
      expect((await db.store.getActionItem(unlinked))?.incidentKey).toBeNull();
    } finally {
      await db.close();
      await jira.close();
    }
  });

  it("honours 429's Retry-After and recovers from 500/503, ending in the same state as a clean run", async () => {
    const clean = await openStore();
    const db = await openStore();
    try {
      await syncFor(jira, clean.store).run(new Date());
      jira.injectFaults([
        { route: 'POST /rest/api/3/search/jql', status: 429, times: 1, retryAfterSeconds: 1 },
        { route: 'GET /rest/api/3/field', status: 503, times: 2 },
        { route: 'POST /rest/api/3/changelog/bulkfetch', status: 500, times: 1 },
      ]);
      const started = Date.now();
      const run = await syncFor(jira, db.store).run(new Date());
      expect(run.ok).toBe(true);
      expect(run.retries).toBe(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(await snapshot(db.store)).toEqual(await snapshot(clean.store));
    } finally {
      jira.clearFaults();
      await clean.close();
      await db.close();
    }
  });

  it('fails with a clear message after bounded attempts, keeps committed pages, and the next run completes', async () => {
    const clean = await openStore();
    const db = await openStore();
    try {
      await syncFor(jira, clean.store).run(new Date());
      // Pages of 4: more action-item pages (160) than the sync reads ahead while it stores
      // the incidents, so the fault meets it in the middle of the action items.
      const sync = syncFor(jira, db.store, { pageSize: 4 });
      let injected = false;
      const run = await sync.run(new Date(), {
        onProgress: (p) => {
          if (p.query !== 'actionItems' || injected) return;
          jira.injectFaults([{ route: 'POST /rest/api/3/search/jql', status: 503, times: 100 }]);
          injected = true;
        },
      });
      jira.clearFaults();
      expect(run.ok).toBe(false);
      expect(run.error).toMatch(
        /^Jira answered 503 Service Unavailable to POST \/rest\/api\/3\/search\/jql after 4 attempts/,
      );
      const kept = await db.store.counts();
      expect(kept.incidents).toBe(incidentKeys.length);
      expect(kept.actionItems).toBeGreaterThanOrEqual(4);
      expect(kept.actionItems).toBeLessThan(actionItemKeys.length);
      expect(run.actionItems.inserted).toBe(kept.actionItems);
      const state = await db.store.getSyncState(SYNC_STATE_NAMES.actionItems);
      const newest = (await db.store.findActionItems({}))
        .map((i) => i.updatedAt)
        .sort()
        .at(-1);
      expect(state?.watermark).toBe(newest);
      expect((await db.store.lastSyncRun())?.ok).toBe(false);

      const resumed = await sync.run(new Date());
      expect(resumed.ok).toBe(true);
      expect(await snapshot(db.store)).toEqual(await snapshot(clean.store));
    } finally {
      jira.clearFaults();
      await clean.close();
      await db.close();
    }
  });

  it('stores an unreadable field as a missing point and reports key, field and reason, without stopping', async () => {
    const db = await openStore();
    try {
      // "Root cause category" is a text field: mapped to a time point, its words cannot be read as dates.
      const odd = { ...mapping, fields: { ...mapping.fields, startedAt: 'Root cause category' } };
      const run = await syncFor(jira, db.store, { mapping: odd }).run(new Date());
      expect(run.ok).toBe(true);
      expect(run.incidents.inserted).toBe(incidentKeys.length);
      const withText = incidentKeys.filter(
        (k) => typeof (jira.data.issue(k) as unknown as RawIssue).fields.customfield_10047 === 'string',
      );
      expect(withText.length).toBeGreaterThan(0);
      const problem = run.problems.find((p) => p.key === withText[0]);
      expect(problem).toEqual({
        key: withText[0],
        field: 'startedAt',
        reason: expect.stringMatching(/^customfield_10047: not a date-time or date: "/),
      });
      expect((await db.store.getIncident(withText[0] as string))?.startedAt).toBeNull();
    } finally {
      await db.close();
    }
  });

  it('stops on bad credentials with one line naming JIRA_EMAIL/JIRA_API_TOKEN, without retrying', async () => {
    const db = await openStore();
    try {
      const run = await syncFor(jira, db.store, { apiToken: 'wrong-token' }).run(new Date());
      expect(run.ok).toBe(false);
      expect(run.retries).toBe(0);
      expect(run.error).toMatch(
        /^Jira refused GET \/rest\/api\/3\/(field|myself) \(401 Unauthorized\): check JIRA_EMAIL\/JIRA_API_TOKEN and the account's project access\.$/,
      );
      expect(run.error).not.toContain('wrong-token');
      expect(await db.store.counts()).toEqual({ incidents: 0, actionItems: 0 });
    } finally {
      await db.close();
    }
  });

  it('says the same for a 403 (an account without project access)', async () => {
    const forbidden = createServer((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorMessages: ['You do not have permission to view these issues.'], errors: {} }));
    });
    await new Promise<void>((resolve) => forbidden.listen(0, '127.0.0.1', resolve));
    const db = await openStore();
    try {
      const port = (forbidden.address() as AddressInfo).port;
      const run = await createJiraSync({
        store: db.store,
        connection: { baseUrl: `http://127.0.0.1:${port}`, email: 'sre@example.com', apiToken: 'token' },
        mapping,
        timezone: 'UTC',
      }).run(new Date());
      expect(run.ok).toBe(false);
      expect(run.retries).toBe(0);
      expect(run.error).toMatch(
        /^Jira refused GET \/rest\/api\/3\/(field|myself) \(403 Forbidden\): check JIRA_EMAIL\/JIRA_API_TOKEN and the account's project access\.$/,
      );
    } finally {
      await db.close();
      await new Promise((resolve) => forbidden.close(resolve));
    }
  });

  it("passes Jira's own words on for a JQL it refuses, without retrying", async () => {
    const db = await openStore();
    try {
      const bad = { ...mapping, incidentJql: 'project = NOPE AND issuetype = Incident' };
      const run = await syncFor(jira, db.store, { mapping: bad }).run(new Date());
      expect(run.ok).toBe(false);
      expect(run.retries).toBe(0);
      expect(run.error).toMatch(/^Jira answered 400 Bad Request to POST \/rest\/api\/3\/search\/jql: .*NOPE/);
    } finally {
      await db.close();
    }
  });

  it('backs off on network errors, then fails the run naming the call and the attempts', async () => {
    const db = await openStore();
    const closed = await startSampleJira({ seed: 'empty' });
    const url = closed.url;
    await closed.close();
    try {
      const run = await createJiraSync({
        store: db.store,
        connection: { baseUrl: url, email: jira.email, apiToken: jira.apiToken },
        mapping,
        timezone: 'UTC',
        retryPolicy: FAST_RETRY,
      }).run(new Date());
      expect(run.ok).toBe(false);
      expect(run.error).toMatch(/^Could not reach Jira for GET \/rest\/api\/3\/(field|myself) after 4 attempts: /);
      expect(run.retries).toBeGreaterThanOrEqual(3);
    } finally {
      await db.close();
    }
  });

  it("shows the last run's counts in /api/health", async () => {
    const db = await openStore();
    try {
      const run = await syncFor(jira, db.store).run(new Date());
      const config = loadConfig({ DATA_DIR: db.dir });
      const base = { config, store: db.store, logger: createLogger('silent'), now: () => new Date() };
      const app = createApp({ ...base, ...createServices(base) });
      const res = await request(app).get('/api/health').expect(200);
      expect(res.body.lastSync).toEqual({
        at: run.finishedAt,
        ok: true,
        incidents: incidentKeys.length,
        actionItems: actionItemKeys.length,
      });
      expect(res.body.counts).toEqual({ incidents: incidentKeys.length, actionItems: actionItemKeys.length });
    } finally {
      await db.close();
    }
  });
});
