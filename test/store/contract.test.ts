/**
 * One contract for every store. Runs on the embedded store always, and on MongoDB when
 * MONGODB_URI is set (see test/support/stores.ts for the printed skip reason).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { emptyPostmortem } from '../../server/domain/postmortem.js';
import type { TicketRequest } from '../../server/domain/types.js';
import { NotFoundError } from '../../server/errors.js';
import type { Store } from '../../server/store/Store.js';
import { incidentCursor } from '../../server/store/shared.js';
import { makeActionItem, makeIncident } from '../support/factories.js';
import { availableStores } from '../support/stores.js';

describe.each(availableStores({ announce: true }))('store contract: $name', (harness) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await harness.open());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('reports its kind', () => {
    expect(store.kind).toBe(harness.name);
  });

  describe('incidents', () => {
    const a = makeIncident({ key: 'OPS-1', startedAt: '2026-10-05T10:00:00.000Z', services: ['api', 'db'], severity: 'P0' });
    const b = makeIncident({ key: 'OPS-2', createdAt: '2026-10-06T10:00:00.000Z', services: ['web'], severity: null });
    const c = makeIncident({ key: 'OPS-3', startedAt: '2026-10-07T10:00:00.000Z', services: ['api'], severity: 'P2' });

    it('upserts by key idempotently and counts inserted, updated and unchanged', async () => {
      expect(await store.upsertIncidents([a, b])).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
      expect(await store.upsertIncidents([a, b])).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
      const changed = { ...a, summary: 'Checkout errors' };
      expect(await store.upsertIncidents([changed, b, c])).toEqual({ inserted: 1, updated: 1, unchanged: 1 });
      expect((await store.counts()).incidents).toBe(3);
      expect((await store.getIncident('OPS-1'))?.summary).toBe('Checkout errors');
    });

    it('keeps the last copy when a batch repeats a key', async () => {
      const counts = await store.upsertIncidents([a, { ...a, summary: 'second' }]);
      expect(counts.inserted + counts.updated).toBeGreaterThanOrEqual(1);
      expect((await store.counts()).incidents).toBe(1);
      expect((await store.getIncident('OPS-1'))?.summary).toBe('second');
    });

    it('derives the place in time from startedAt, else created', async () => {
      await store.upsertIncidents([{ ...a, placeAt: '1999-01-01T00:00:00.000Z' }, b]);
      expect((await store.getIncident('OPS-1'))?.placeAt).toBe('2026-10-05T10:00:00.000Z');
      expect((await store.getIncident('OPS-2'))?.placeAt).toBe('2026-10-06T10:00:00.000Z');
    });

    it('returns the stored document exactly, without database fields', async () => {
      await store.upsertIncidents([a]);
      expect(await store.getIncident('OPS-1')).toEqual(a);
      expect(await store.getIncident('OPS-404')).toBeNull();
    });

    it('queries by half-open time range, service and severity, in place-in-time order', async () => {
      await store.upsertIncidents([c, a, b]);
      const keys = async (q: Parameters<Store['findIncidents']>[0]) => (await store.findIncidents(q)).map((i) => i.key);
      expect(await keys({})).toEqual(['OPS-1', 'OPS-2', 'OPS-3']);
      expect(await keys({ from: '2026-10-05T10:00:00.000Z', to: '2026-10-07T10:00:00.000Z' })).toEqual(['OPS-1', 'OPS-2']);
      expect(await keys({ service: 'api' })).toEqual(['OPS-1', 'OPS-3']);
      expect(await keys({ severity: 'P0' })).toEqual(['OPS-1']);
      expect(await keys({ severity: 'unknown' })).toEqual(['OPS-2']);
      expect(await keys({ keys: ['OPS-3', 'OPS-9'] })).toEqual(['OPS-3']);
      expect(await keys({ service: 'api', severity: 'P2', from: '2026-10-01T00:00:00.000Z' })).toEqual(['OPS-3']);
    });

    it('pages with a limit and a cursor', async () => {
      await store.upsertIncidents([a, b, c]);
      const first = await store.findIncidents({}, { limit: 2 });
      expect(first.map((i) => i.key)).toEqual(['OPS-1', 'OPS-2']);
      const rest = await store.findIncidents({}, { limit: 2, after: incidentCursor(first[1]!) });
      expect(rest.map((i) => i.key)).toEqual(['OPS-3']);
    });
  });

  describe('action items', () => {
    const open = makeActionItem({ key: 'REL-1', incidentKey: 'OPS-1', owner: 'Ana', jiraDueDate: '2026-10-10' });
    const done = makeActionItem({ key: 'REL-2', incidentKey: 'OPS-1', owner: 'Bo', status: 'Done', statusCategory: 'done', resolvedAt: '2026-10-09T12:00:00.000Z', jiraDueDate: '2026-10-01' });
    const noDue = makeActionItem({ key: 'REL-3', incidentKey: 'OPS-2', owner: 'Ana', status: 'In Progress', statusCategory: 'indeterminate' });

    it('upserts by key idempotently', async () => {
      expect(await store.upsertActionItems([open, done, noDue])).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
      expect(await store.upsertActionItems([open, { ...done, owner: 'Cy' }])).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
      expect(await store.getActionItem('REL-2')).toEqual({ ...done, owner: 'Cy' });
    });

    it('filters by incident, owner, open or done, and Jira due date', async () => {
      await store.upsertActionItems([noDue, done, open]);
      const keys = async (q: Parameters<Store['findActionItems']>[0]) => (await store.findActionItems(q)).map((i) => i.key);
      expect(await keys({})).toEqual(['REL-1', 'REL-2', 'REL-3']);
      expect(await keys({ incidentKeys: ['OPS-1'] })).toEqual(['REL-1', 'REL-2']);
      expect(await keys({ owner: 'Ana' })).toEqual(['REL-1', 'REL-3']);
      expect(await keys({ open: true })).toEqual(['REL-1', 'REL-3']);
      expect(await keys({ open: false })).toEqual(['REL-2']);
      expect(await keys({ statusCategory: 'indeterminate' })).toEqual(['REL-3']);
      expect(await keys({ open: true, dueBefore: '2026-10-11' })).toEqual(['REL-1']);
      expect(await keys({ open: true, dueBefore: '2026-10-10' })).toEqual([]);
    });

    it('pages by key', async () => {
      await store.upsertActionItems([open, done, noDue]);
      expect((await store.findActionItems({}, { limit: 1, after: 'REL-1' })).map((i) => i.key)).toEqual(['REL-2']);
    });
  });

  it('changes its data version when data changes, and only then', async () => {
    const v0 = await store.dataVersion();
    await store.upsertIncidents([makeIncident({ key: 'OPS-1' })]);
    const v1 = await store.dataVersion();
    expect(v1).not.toBe(v0);
    await store.upsertIncidents([makeIncident({ key: 'OPS-1' })]);
    expect(await store.dataVersion()).toBe(v1);
    await store.upsertActionItems([makeActionItem({ key: 'REL-1' })]);
    const v2 = await store.dataVersion();
    expect(v2).not.toBe(v1);
    await store.acquireLease('sync', 'a', 1000, new Date());
    expect(await store.dataVersion()).toBe(v2);
  });

  it('names the keys written since a data version (its change feed), and null for a version it cannot know', async () => {
    const v0 = await store.dataVersion();
    await store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-2' })]);
    const v1 = await store.dataVersion();
    await store.upsertActionItems([makeActionItem({ key: 'REL-1', incidentKey: 'OPS-1' })]);
    await store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-3', severity: 'P0' })]); // OPS-1 unchanged
    await store.savePostmortem(emptyPostmortem('OPS-2', '2026-11-01T00:00:00.000Z'));
    const v2 = await store.dataVersion();

    const all = await store.changesSince!(v0);
    expect(all?.version).toBe(v2);
    expect([...(all?.incidentKeys ?? [])].sort()).toEqual(['OPS-1', 'OPS-2', 'OPS-3']);
    expect(all?.actionItemKeys).toEqual(['REL-1']);

    const later = await store.changesSince!(v1);
    expect([...(later?.incidentKeys ?? [])].sort()).toEqual(['OPS-2', 'OPS-3']);
    expect(later?.actionItemKeys).toEqual(['REL-1']);

    expect(await store.changesSince!(v2)).toEqual({ version: v2, incidentKeys: [], actionItemKeys: [] });
    // A version the store never had (ahead of it): the reader must reload.
    expect(await store.changesSince!(v2 + 10)).toBeNull();
  });

  it('hands out every incident and action item at once', async () => {
    await store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-2' })]);
    await store.upsertActionItems([makeActionItem({ key: 'REL-1' })]);
    const all = await store.allRecords!();
    expect(all.incidents.map((i) => i.key).sort()).toEqual(['OPS-1', 'OPS-2']);
    expect(all.actionItems.map((i) => i.key)).toEqual(['REL-1']);
    expect(all.incidents.find((i) => i.key === 'OPS-2')).toMatchObject(makeIncident({ key: 'OPS-2' }));
  });

  it('saves and reads a post-mortem per incident', async () => {
    const pm = {
      incidentKey: 'OPS-1',
      title: 'Checkout outage',
      summary: { incidentId: 'OPS-1', startedAt: null, endedAt: null, durationSeconds: 8100, services: ['api'], severity: 'P1' as const, impact: 'Checkout failed', commander: 'Dana', responders: ['Sam'] },
      detection: { method: 'Automated alert', timeToDetectSeconds: 300, effective: 'Yes' },
      timeline: [{ at: '2026-10-05T10:00:00.000Z', event: 'Alert', owner: 'Monitoring', source: 'document' as const }],
      timeToAcknowledgeSeconds: 120,
      timeToResolveSeconds: 5400,
      rootCause: { immediateCause: 'Pool exhaustion', contributingFactors: ['No load test'], fiveWhys: ['Why 1'] },
      resolution: { how: 'Rollback', effective: 'Yes' },
      lessons: { wentWell: ['Runbook'], couldBeBetter: ['Detection'] },
      actionItems: [{ ref: 'OPS-1-1', jiraKey: null, description: 'Load test', owner: '@sre', dueDate: '2026-11-01', status: 'Open' }],
      links: [{ label: 'Dashboard', url: 'https://grafana.example.com/d/1' }],
      importedAt: '2026-10-08T00:00:00.000Z',
    };
    await store.savePostmortem(pm);
    expect(await store.getPostmortem('OPS-1')).toEqual(pm);
    await store.savePostmortem({ ...pm, title: 'Checkout outage (rev 2)' });
    expect((await store.getPostmortem('OPS-1'))?.title).toBe('Checkout outage (rev 2)');
    expect(await store.getPostmortem('OPS-2')).toBeNull();
  });

  describe('sync state', () => {
    const now = new Date('2026-11-01T00:00:00.000Z');

    it('compare-and-sets the watermark and refuses a stale version', async () => {
      expect(await store.getSyncState('incidents')).toBeNull();
      const first = await store.compareAndSetSyncState('incidents', null, '2026-10-01T00:00:00.000Z', now);
      expect(first).toMatchObject({ name: 'incidents', version: 1, watermark: '2026-10-01T00:00:00.000Z' });
      expect(await store.compareAndSetSyncState('incidents', null, '2026-10-02T00:00:00.000Z', now)).toBeNull();
      const second = await store.compareAndSetSyncState('incidents', 1, '2026-10-03T00:00:00.000Z', now);
      expect(second).toMatchObject({ version: 2, watermark: '2026-10-03T00:00:00.000Z' });
      expect(await store.compareAndSetSyncState('incidents', 1, '2026-10-04T00:00:00.000Z', now)).toBeNull();
      expect(await store.getSyncState('incidents')).toEqual({ name: 'incidents', version: 2, watermark: '2026-10-03T00:00:00.000Z', updatedAt: now.toISOString() });
    });

    it('remembers the last sync run', async () => {
      expect(await store.lastSyncRun()).toBeNull();
      const run = {
        startedAt: '2026-11-01T00:00:00.000Z', finishedAt: '2026-11-01T00:00:05.000Z', ok: true, full: false,
        incidents: { inserted: 1, updated: 0, unchanged: 0 }, actionItems: { inserted: 0, updated: 0, unchanged: 0 },
        requests: 4, retries: 0, problems: [], error: null,
      };
      await store.recordSyncRun(run);
      await store.recordSyncRun({ ...run, startedAt: '2026-11-01T00:15:00.000Z', finishedAt: '2026-11-01T00:15:05.000Z', ok: false, error: 'Jira said 503' });
      expect(await store.lastSyncRun()).toMatchObject({ ok: false, error: 'Jira said 503' });
    });
  });

  describe('leases', () => {
    const t0 = new Date('2026-11-01T00:00:00.000Z');
    const later = (ms: number) => new Date(t0.getTime() + ms);

    it('lets one holder at a time run a job, until the lease expires or is released', async () => {
      expect(await store.acquireLease('sync', 'replica-a', 60_000, t0)).toBe(true);
      expect(await store.acquireLease('sync', 'replica-b', 60_000, later(1_000))).toBe(false);
      expect(await store.acquireLease('sync', 'replica-a', 60_000, later(2_000))).toBe(true); // renewal
      expect(await store.acquireLease('sync', 'replica-b', 60_000, later(61_000))).toBe(false); // renewed until 62 s
      expect(await store.acquireLease('sync', 'replica-b', 60_000, later(62_000))).toBe(true); // expired
      await store.releaseLease('sync', 'replica-a'); // not the holder: no effect
      expect(await store.acquireLease('sync', 'replica-a', 60_000, later(63_000))).toBe(false);
      await store.releaseLease('sync', 'replica-b');
      expect(await store.acquireLease('sync', 'replica-a', 60_000, later(64_000))).toBe(true);
      expect(await store.acquireLease('digest', 'replica-b', 60_000, later(64_000))).toBe(true);
    });

    it('grants a contested lease to exactly one of several concurrent callers', async () => {
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((h) => store.acquireLease('digest', h, 60_000, t0)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('digests', () => {
    const now = new Date('2026-11-23T09:00:00.000Z');

    it('claims a week once', async () => {
      const claims = await Promise.all([store.claimDigest('2026-W47', 'a', now, false), store.claimDigest('2026-W47', 'b', now, false)]);
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      expect(await store.claimDigest('2026-W47', 'c', now, true)).toBeNull();
    });

    it('updates and lists records, newest week first', async () => {
      await store.claimDigest('2026-W46', 'a', now, false);
      await store.claimDigest('2026-W47', 'a', now, true);
      const posted = await store.updateDigest('2026-W46', { state: 'posted', postedAt: now.toISOString(), attempts: 1 });
      expect(posted).toEqual({ week: '2026-W46', state: 'posted', holder: 'a', claimedAt: now.toISOString(), postedAt: now.toISOString(), attempts: 1, lastError: null, manual: false });
      expect((await store.listDigests(10)).map((d) => d.week)).toEqual(['2026-W47', '2026-W46']);
      expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'claimed', manual: true });
      await expect(store.updateDigest('2026-W01', { state: 'posted' })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('ticket requests', () => {
    const request: TicketRequest = {
      idempotencyKey: 'OPS-1#OPS-1-1', incidentKey: 'OPS-1', state: 'pending', jiraKey: null, summary: 'Add load tests',
      owner: '@sre', dueDate: '2026-12-01', description: null, documentRef: 'OPS-1-1', error: null,
      createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
    };

    it('records a request once per idempotency key and updates it', async () => {
      expect(await store.createTicketRequest(request)).toEqual(request);
      expect(await store.createTicketRequest({ ...request, summary: 'again' })).toBeNull();
      const created = await store.updateTicketRequest(request.idempotencyKey, { state: 'created', jiraKey: 'REL-9' });
      expect(created).toEqual({ ...request, state: 'created', jiraKey: 'REL-9' });
      expect(await store.getTicketRequest(request.idempotencyKey)).toEqual(created);
      expect(await store.getTicketRequest('nope')).toBeNull();
      await expect(store.updateTicketRequest('nope', { state: 'failed' })).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
