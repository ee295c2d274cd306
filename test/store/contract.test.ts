/**
 * One contract for every store. Runs on the embedded store always, and on MongoDB when
 * MONGODB_URI is set (see test/support/stores.ts for the printed skip reason).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { emptyPostmortem } from '../../server/domain/postmortem.js';
import type { ActionItem, Incident, Postmortem, SyncRun, TicketRequest } from '../../server/domain/types.js';
import { ConflictError, InputError, NotFoundError } from '../../server/errors.js';
import type { Store } from '../../server/store/Store.js';
import { newLeaseHolder } from '../../server/leases/holder.js';
import { createActionItemTicket } from '../../server/tickets/createTicket.js';
import { FakeJira, jiraIncident } from '../import/doubles.js';
import { makeActionItem, makeIncident, makeSyncRun } from '../support/factories.js';
import { testApp } from '../support/app.js';
import { availableStores } from '../support/stores.js';

const ticketRequest: TicketRequest = {
  idempotencyKey: 'OPS-1#OPS-1-1',
  incidentKey: 'OPS-1',
  state: 'pending',
  jiraKey: null,
  summary: 'Add load tests',
  owner: '@sre',
  dueDate: '2026-12-01',
  description: null,
  documentRef: 'OPS-1-1',
  error: null,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

describe.each(availableStores({ announce: true }))('store contract: $name', (harness) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  let peer: () => Promise<Store>;

  beforeEach(async () => {
    ({ store, cleanup, peer } = await harness.open());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('reports its kind', () => {
    expect(store.kind).toBe(harness.name);
  });

  describe('incidents', () => {
    const a = makeIncident({
      key: 'OPS-1',
      startedAt: '2026-10-05T10:00:00.000Z',
      services: ['api', 'db'],
      severity: 'P0',
    });
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
      expect(['first', 'second']).toContain((await store.getIncident('OPS-1'))?.summary);
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

    it('finds by keys and by source, in place-in-time order', async () => {
      const imported = makeIncident({ key: 'OPS-0', source: 'document', createdAt: '2026-10-08T10:00:00.000Z' });
      await store.upsertIncidents([c, a, imported, b]);
      const keys = async (q: Parameters<Store['findIncidents']>[0]) => (await store.findIncidents(q)).map((i) => i.key);
      expect(await keys({})).toEqual(['OPS-1', 'OPS-2', 'OPS-3', 'OPS-0']);
      expect(await keys({ keys: ['OPS-3', 'OPS-9', 'OPS-1'] })).toEqual(['OPS-1', 'OPS-3']);
      expect(await keys({ keys: [] })).toEqual([]);
      expect(await keys({ source: 'document' })).toEqual(['OPS-0']);
      expect(await keys({ source: 'jira', keys: ['OPS-0', 'OPS-2'] })).toEqual(['OPS-2']);
    });

    it('lists at most a limit, the first in order, and refuses a limit below one', async () => {
      await store.upsertIncidents([c, b, a]);
      expect((await store.findIncidents({}, { limit: 2 })).map((i) => i.key)).toEqual(['OPS-1', 'OPS-2']);
      await expect(store.findIncidents({}, { limit: 0 })).rejects.toBeInstanceOf(InputError);
    });
  });

  describe('action items', () => {
    const open = makeActionItem({ key: 'REL-1', incidentKey: 'OPS-1', owner: 'Ana', jiraDueDate: '2026-10-10' });
    const done = makeActionItem({
      key: 'REL-2',
      incidentKey: 'OPS-1',
      owner: 'Bo',
      status: 'Done',
      statusCategory: 'done',
      resolvedAt: '2026-10-09T12:00:00.000Z',
      jiraDueDate: '2026-10-01',
    });
    const noDue = makeActionItem({
      key: 'REL-3',
      incidentKey: 'OPS-2',
      owner: 'Ana',
      status: 'In Progress',
      statusCategory: 'indeterminate',
    });

    it('upserts by key idempotently', async () => {
      expect(await store.upsertActionItems([open, done, noDue])).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
      expect(await store.upsertActionItems([open, { ...done, owner: 'Cy' }])).toEqual({
        inserted: 0,
        updated: 1,
        unchanged: 1,
      });
      expect(await store.getActionItem('REL-2')).toEqual({ ...done, owner: 'Cy' });
    });

    it('finds by keys, and open or done, in key order', async () => {
      await store.upsertActionItems([noDue, done, open]);
      const keys = async (q: Parameters<Store['findActionItems']>[0]) =>
        (await store.findActionItems(q)).map((i) => i.key);
      expect(await keys({})).toEqual(['REL-1', 'REL-2', 'REL-3']);
      expect(await keys({ keys: ['REL-3', 'REL-1', 'REL-9'] })).toEqual(['REL-1', 'REL-3']);
      expect(await keys({ open: true })).toEqual(['REL-1', 'REL-3']);
      expect(await keys({ open: false })).toEqual(['REL-2']);
      expect(await keys({ open: true, keys: ['REL-2', 'REL-3'] })).toEqual(['REL-3']);
    });

    it('lists at most a limit, the first by key', async () => {
      await store.upsertActionItems([open, done, noDue]);
      expect((await store.findActionItems({}, { limit: 2 })).map((i) => i.key)).toEqual(['REL-1', 'REL-2']);
    });
  });

  describe('deletions', () => {
    it('deletes an incident everywhere it counts: its post-mortem goes and its action items lose their incident', async () => {
      await store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-2' })]);
      await store.upsertActionItems([
        makeActionItem({ key: 'REL-1', incidentKey: 'OPS-1' }),
        makeActionItem({ key: 'REL-2', incidentKey: 'OPS-2' }),
        makeActionItem({ key: 'REL-3', incidentKey: 'OPS-1' }),
      ]);
      await store.savePostmortem({
        incidentKey: 'OPS-1',
        importedAt: '2026-10-10T00:00:00.000Z',
      } as unknown as Parameters<Store['savePostmortem']>[0]);
      const before = await store.dataVersion();
      expect(await store.deleteIncidents(['OPS-1', 'OPS-404'])).toEqual({
        deleted: 1,
        detachedActionItems: ['REL-1', 'REL-3'],
      });
      expect(await store.dataVersion()).not.toBe(before);
      expect(await store.getIncident('OPS-1')).toBeNull();
      expect(await store.getPostmortem('OPS-1')).toBeNull();
      expect((await store.counts()).incidents).toBe(1);
      expect((await store.getActionItem('REL-1'))?.incidentKey).toBeNull();
      expect((await store.getActionItem('REL-2'))?.incidentKey).toBe('OPS-2');
      const after = await store.dataVersion();
      expect(await store.deleteIncidents(['OPS-1'])).toEqual({ deleted: 0, detachedActionItems: [] });
      expect(await store.dataVersion()).toBe(after);
    });

    it('deletes action items and changes the data version only when one was stored', async () => {
      await store.upsertActionItems([makeActionItem({ key: 'REL-1' }), makeActionItem({ key: 'REL-2' })]);
      const before = await store.dataVersion();
      expect(await store.deleteActionItems(['REL-1', 'REL-9'])).toBe(1);
      expect(await store.getActionItem('REL-1')).toBeNull();
      expect((await store.counts()).actionItems).toBe(1);
      const after = await store.dataVersion();
      expect(after).not.toBe(before);
      expect(await store.deleteActionItems(['REL-1'])).toBe(0);
      expect(await store.dataVersion()).toBe(after);
    });
  });

  describe('webhook delivery queue', () => {
    const t0 = new Date('2026-12-03T10:00:00.000Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const delivery = (id: string, ms: number) => ({
      id,
      event: 'jira:issue_updated',
      issues: [{ id: '10001', key: 'REL-1' }],
      receivedAt: at(ms).toISOString(),
    });

    it('queues a delivery once per identifier', async () => {
      expect(await store.enqueueWebhookDelivery(delivery('d-1', 0))).toBe(true);
      expect(await store.enqueueWebhookDelivery(delivery('d-1', 5))).toBe(false);
      const claimed = await store.claimWebhookDeliveries('replica-a', 10, at(10), 30_000);
      expect(claimed.map((d) => d.id)).toEqual(['d-1']);
      expect(claimed[0]).toMatchObject({
        state: 'claimed',
        holder: 'replica-a',
        attempts: 1,
        issues: [{ id: '10001', key: 'REL-1' }],
      });
      await store.finishWebhookDeliveries(['d-1'], 'replica-a', null);
      // Jira's retry of a delivery already done is still a duplicate.
      expect(await store.enqueueWebhookDelivery(delivery('d-1', 20))).toBe(false);
      expect(await store.claimWebhookDeliveries('replica-a', 10, at(30), 30_000)).toEqual([]);
    });

    it('gives each delivery to exactly one of several concurrent claimers, oldest first', async () => {
      for (let i = 0; i < 6; i += 1) await store.enqueueWebhookDelivery(delivery(`d-${i}`, i));
      const claims = await Promise.all(
        ['a', 'b', 'c'].map((h) => store.claimWebhookDeliveries(h, 10, at(100), 30_000)),
      );
      const ids = claims
        .flat()
        .map((d) => d.id)
        .sort();
      expect(ids).toEqual(['d-0', 'd-1', 'd-2', 'd-3', 'd-4', 'd-5']);
      const limited = await (async () => {
        await store.enqueueWebhookDelivery(delivery('d-7', 7));
        await store.enqueueWebhookDelivery(delivery('d-6', 6));
        return store.claimWebhookDeliveries('a', 1, at(100), 30_000);
      })();
      expect(limited.map((d) => d.id)).toEqual(['d-6']);
    });

    it('lets another worker take a delivery whose claim expired, and puts a failed one back', async () => {
      await store.enqueueWebhookDelivery(delivery('d-1', 0));
      expect(await store.claimWebhookDeliveries('a', 10, at(0), 1_000)).toHaveLength(1);
      expect(await store.claimWebhookDeliveries('b', 10, at(500), 1_000)).toEqual([]);
      const retaken = await store.claimWebhookDeliveries('b', 10, at(1_000), 1_000);
      expect(retaken.map((d) => [d.id, d.holder, d.attempts])).toEqual([['d-1', 'b', 2]]);
      // The first worker's late finish does not touch b's claim.
      await store.finishWebhookDeliveries(['d-1'], 'a', null);
      await store.finishWebhookDeliveries(['d-1'], 'b', 'Jira answered 503');
      const again = await store.claimWebhookDeliveries('c', 10, at(1_100), 1_000);
      expect(again[0]).toMatchObject({ id: 'd-1', holder: 'c', attempts: 3, lastError: 'Jira answered 503' });
    });

    it('prunes done deliveries received before a time, never pending ones', async () => {
      await store.enqueueWebhookDelivery(delivery('d-1', 0));
      await store.enqueueWebhookDelivery(delivery('d-2', 1));
      await store.claimWebhookDeliveries('a', 1, at(2), 1_000);
      await store.finishWebhookDeliveries(['d-1'], 'a', null);
      expect(await store.pruneWebhookDeliveries(at(10))).toBe(1);
      expect(await store.enqueueWebhookDelivery(delivery('d-1', 20))).toBe(true);
      expect((await store.claimWebhookDeliveries('a', 10, at(30), 1_000)).map((d) => d.id)).toEqual(['d-2', 'd-1']);
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

    const all = await store.changesSince(v0);
    expect(all?.version).toBe(v2);
    expect([...(all?.incidentKeys ?? [])].sort()).toEqual(['OPS-1', 'OPS-2', 'OPS-3']);
    expect(all?.actionItemKeys).toEqual(['REL-1']);

    // Every key written is named. MongoDB cannot tell which keys of a batch that wrote were
    // unchanged (OPS-1 here), so it names them too; the embedded store names exactly the
    // written ones (test/store/changeFeed.test.ts). Nothing outside the batches is named.
    const later = await store.changesSince(v1);
    expect(later?.incidentKeys).toEqual(expect.arrayContaining(['OPS-2', 'OPS-3']));
    expect(['OPS-1', 'OPS-2', 'OPS-3']).toEqual(expect.arrayContaining(later?.incidentKeys ?? []));
    expect(later?.actionItemKeys).toEqual(['REL-1']);

    expect(await store.changesSince(v2)).toEqual({ version: v2, incidentKeys: [], actionItemKeys: [] });
    // A version the store never had (ahead of it): the reader must reload.
    expect(await store.changesSince(v2 + 10)).toBeNull();
  });

  it('hands out every incident and action item at once', async () => {
    await store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-2' })]);
    await store.upsertActionItems([makeActionItem({ key: 'REL-1' })]);
    const all = await store.allRecords();
    expect(all.incidents.map((i) => i.key).sort()).toEqual(['OPS-1', 'OPS-2']);
    expect(all.actionItems.map((i) => i.key)).toEqual(['REL-1']);
    expect(all.incidents.find((i) => i.key === 'OPS-2')).toMatchObject(makeIncident({ key: 'OPS-2' }));
  });

  it('saves and reads a post-mortem per incident', async () => {
    const pm = {
      incidentKey: 'OPS-1',
      title: 'Checkout outage',
      summary: {
        incidentId: 'OPS-1',
        startedAt: null,
        endedAt: null,
        durationSeconds: 8100,
        services: ['api'],
        severity: 'P1' as const,
        impact: 'Checkout failed',
        commander: 'Dana',
        responders: ['Sam'],
      },
      detection: { method: 'Automated alert', timeToDetectSeconds: 300, effective: 'Yes' },
      timeline: [{ at: '2026-10-05T10:00:00.000Z', event: 'Alert', owner: 'Monitoring', source: 'document' as const }],
      timeToAcknowledgeSeconds: 120,
      timeToResolveSeconds: 5400,
      rootCause: { immediateCause: 'Pool exhaustion', contributingFactors: ['No load test'], fiveWhys: ['Why 1'] },
      resolution: { how: 'Rollback', effective: 'Yes' },
      lessons: { wentWell: ['Runbook'], couldBeBetter: ['Detection'] },
      actionItems: [
        {
          ref: 'OPS-1-1',
          jiraKey: null,
          description: 'Load test',
          owner: '@sre',
          dueDate: '2026-11-01',
          status: 'Open',
        },
      ],
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
      expect(await store.getSyncState('incidents')).toEqual({
        name: 'incidents',
        version: 2,
        watermark: '2026-10-03T00:00:00.000Z',
        updatedAt: now.toISOString(),
      });
    });

    it('remembers the last sync run', async () => {
      expect(await store.lastSyncRun()).toBeNull();
      const run = makeSyncRun({
        startedAt: '2026-11-01T00:00:00.000Z',
        finishedAt: '2026-11-01T00:00:05.000Z',
        incidents: { inserted: 1, updated: 0, unchanged: 0 },
        requests: 4,
      });
      await store.recordSyncRun(run);
      await store.recordSyncRun({
        ...run,
        startedAt: '2026-11-01T00:15:00.000Z',
        finishedAt: '2026-11-01T00:15:05.000Z',
        ok: false,
        error: 'Jira said 503',
      });
      expect(await store.lastSyncRun()).toMatchObject({ ok: false, error: 'Jira said 503' });
    });
  });

  describe('leases', () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Real time throughout: a store shared by several hosts judges expiry by its own clock.
    const now = () => new Date();

    it('lets one holder at a time run a job, until the lease expires or is released', async () => {
      expect(await store.acquireLease('sync', 'replica-a', 60_000, now())).toBe(true);
      expect(await store.acquireLease('sync', 'replica-b', 60_000, now())).toBe(false);
      expect(await store.acquireLease('sync', 'replica-a', 60_000, now())).toBe(true); // renewal
      await store.releaseLease('sync', 'replica-b'); // not the holder: no effect
      expect(await store.acquireLease('sync', 'replica-b', 60_000, now())).toBe(false);
      await store.releaseLease('sync', 'replica-a');
      expect(await store.acquireLease('sync', 'replica-b', 60_000, now())).toBe(true);
      expect(await store.acquireLease('digest', 'replica-a', 60_000, now())).toBe(true);
    });

    it('lets another holder take a lease once it has expired, and a renewal extends it', async () => {
      expect(await store.acquireLease('sync', 'replica-a', 200, now())).toBe(true);
      await sleep(600);
      expect(await store.acquireLease('sync', 'replica-b', 200, now())).toBe(true); // expired
      expect(await store.acquireLease('sync', 'replica-b', 60_000, now())).toBe(true); // renewed for a minute
      await sleep(600);
      expect(await store.acquireLease('sync', 'replica-a', 60_000, now())).toBe(false);
    });

    it('grants a contested lease to exactly one of several concurrent callers', async () => {
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((h) => store.acquireLease('digest', h, 60_000, now())),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('names the holder and when its lease ends, to any store on the same data', async () => {
      expect(await store.getLease('sync')).toBeNull();
      const before = Date.now();
      expect(await store.acquireLease('sync', 'replica-a', 60_000, now())).toBe(true);
      const lease = await (await peer()).getLease('sync');
      expect(lease).toMatchObject({ name: 'sync', holder: 'replica-a' });
      const endsIn = Date.parse(lease!.expiresAt) - before;
      expect(endsIn).toBeGreaterThan(55_000);
      expect(endsIn).toBeLessThan(65_000);
    });

    it('lets exactly one of two stores on the same data take a contested lease, and only its holder renew it', async () => {
      const other = await peer();
      const holders = Array.from({ length: 8 }, () => newLeaseHolder());
      const results = await Promise.all(
        holders.map((h, i) => (i % 2 === 0 ? store : other).acquireLease('ticket:k', h, 60_000, now())),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = holders[results.indexOf(true)]!;
      expect((await other.getLease('ticket:k'))?.holder).toBe(winner);
      // Renewal works from either store; any other holder, of any process, is still refused.
      expect(await other.acquireLease('ticket:k', winner, 60_000, now())).toBe(true);
      expect(
        await store.acquireLease(
          'ticket:k',
          holders.find((h) => h !== winner)!,
          60_000,
          now(),
        ),
      ).toBe(false);
    });
  });

  describe('digests', () => {
    const now = new Date('2026-11-23T09:00:00.000Z');

    it('claims a week once', async () => {
      const claims = await Promise.all([
        store.claimDigest('2026-W47', 'a', now, false),
        store.claimDigest('2026-W47', 'b', now, false),
      ]);
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      expect(await store.claimDigest('2026-W47', 'c', now, true)).toBeNull();
    });

    it('updates and lists records, newest week first', async () => {
      await store.claimDigest('2026-W46', 'a', now, false);
      await store.claimDigest('2026-W47', 'a', now, true);
      const posted = await store.updateDigest('2026-W46', {
        state: 'posted',
        postedAt: now.toISOString(),
        attempts: 1,
      });
      expect(posted).toEqual({
        week: '2026-W46',
        state: 'posted',
        holder: 'a',
        claimedAt: now.toISOString(),
        postedAt: now.toISOString(),
        attempts: 1,
        lastError: null,
        manual: false,
      });
      expect((await store.listDigests(10)).map((d) => d.week)).toEqual(['2026-W47', '2026-W46']);
      expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'claimed', manual: true });
      await expect(store.updateDigest('2026-W01', { state: 'posted' })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('ticket requests', () => {
    const request = ticketRequest;

    it('records a request once per idempotency key and updates it', async () => {
      expect(await store.createTicketRequest(request)).toEqual(request);
      expect(await store.createTicketRequest({ ...request, summary: 'again' })).toBeNull();
      const created = await store.updateTicketRequest(request.idempotencyKey, { state: 'created', jiraKey: 'REL-9' });
      expect(created).toEqual({ ...request, state: 'created', jiraKey: 'REL-9' });
      expect(await store.getTicketRequest(request.idempotencyKey)).toEqual(created);
      expect(await store.getTicketRequest('nope')).toBeNull();
      await expect(store.updateTicketRequest('nope', { state: 'failed' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('records a request exactly once when two stores on the same data race for it', async () => {
      const other = await peer();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? store : other).createTicketRequest({ ...request, summary: `attempt ${i}` }),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await other.getTicketRequest(request.idempotencyKey)).toEqual(results.find((r) => r !== null));
    });

    it('lets eight attempts through two stores on the same data create one Jira ticket', async () => {
      const other = await peer();
      const jira = new FakeJira();
      jira.seed('OPS-1', { issueType: 'Incident' });
      // Jira takes its time, so every attempt is in flight while the first creates.
      jira.createGate = new Promise((resolve) => setTimeout(resolve, 200));
      await store.upsertIncidents([jiraIncident('OPS-1')]);
      const settings = {
        actionItemProject: 'REL',
        actionItemIssueType: 'Task',
        actionItemLabel: 'postmortem-action',
        publicUrl: null,
      };
      const attempt = (s: Store) =>
        createActionItemTicket(
          { store: s, jira, settings, now: () => new Date(), recheckDelaysMs: [] },
          {
            incidentKey: 'OPS-1',
            idempotencyKey: 'OPS-1#same',
            summary: 'Add load tests',
            owner: null,
            dueDate: null,
            description: null,
            documentRef: null,
          },
        );
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => attempt(i % 2 === 0 ? store : other)),
      );
      expect(jira.issues.filter((issue) => issue.project === 'REL').map((issue) => issue.key)).toEqual(['REL-1']);
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') expect(outcome.value.key).toBe('REL-1');
        else
          expect(outcome.reason).toMatchObject({
            code: 'conflict',
            message: expect.stringMatching(/lease is held by .+ until /),
          });
      }
      expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.outcome === 'created')).toHaveLength(1);
    });
  });

  describe('where the two backends used to differ', () => {
    it('clears a field that a later upsert empties (replace, not merge)', async () => {
      const first = makeIncident({
        key: 'OPS-1',
        commander: 'Dana',
        services: ['api', 'db'],
        severity: 'P1',
        timeline: [{ at: null, event: 'Paged', owner: 'Dana', source: 'jira' }],
      });
      await store.upsertIncidents([first]);
      const cleared = { ...first, commander: null, services: [], severity: null, timeline: [] };
      expect(await store.upsertIncidents([cleared])).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
      expect(await store.getIncident('OPS-1')).toEqual(cleared);
      const item = makeActionItem({ key: 'REL-1', owner: 'Ana', jiraDueDate: '2026-11-01', incidentKey: 'OPS-1' });
      await store.upsertActionItems([item]);
      await store.upsertActionItems([{ ...item, owner: null, jiraDueDate: null, incidentKey: null }]);
      expect(await store.getActionItem('REL-1')).toEqual({
        ...item,
        owner: null,
        jiraDueDate: null,
        incidentKey: null,
      });
    });

    it('stores a field a record leaves out as its default (null, empty text, an empty list)', async () => {
      const full = makeIncident({ key: 'OPS-1', commander: 'Dana', summary: 'Checkout errors' });
      const { commander: _commander, summary: _summary, timeline: _timeline, ...partial } = full;
      await store.upsertIncidents([partial as Incident]);
      const expected = { ...full, commander: null, summary: '', timeline: [] };
      expect(await store.getIncident('OPS-1')).toEqual(expected);
      expect((await store.allRecords()).incidents[0]).toMatchObject(expected);
      expect(await store.upsertIncidents([partial as Incident])).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
      const { owner: _owner, labels: _labels, ...item } = makeActionItem({ key: 'REL-1', owner: 'Ana' });
      await store.upsertActionItems([item as ActionItem]);
      expect(await store.getActionItem('REL-1')).toMatchObject({ owner: null, labels: [] });
      const request = {
        idempotencyKey: 'OPS-1#1',
        incidentKey: 'OPS-1',
        state: 'pending',
        summary: 'Add load tests',
        createdAt: '2026-11-01T00:00:00.000Z',
        updatedAt: '2026-11-01T00:00:00.000Z',
      } as TicketRequest;
      await store.createTicketRequest(request);
      expect(await store.getTicketRequest('OPS-1#1')).toEqual({
        ...request,
        jiraKey: null,
        owner: null,
        dueDate: null,
        description: null,
        documentRef: null,
        error: null,
      });
    });

    it('refuses a new record that breaks its schema, whatever the record, and stores nothing of it', async () => {
      const now = new Date('2026-11-23T09:00:00.000Z');
      await expect(store.claimDigest('2026-47', 'a', now, false)).rejects.toBeInstanceOf(InputError);
      expect(await store.listDigests(10)).toEqual([]);
      await expect(store.createTicketRequest({ ...ticketRequest, dueDate: '01/12/2026' })).rejects.toThrow(/dueDate/);
      expect(await store.getTicketRequest(ticketRequest.idempotencyKey)).toBeNull();
      await expect(store.compareAndSetSyncState('incidents', null, 'yesterday', now)).rejects.toThrow(/watermark/);
      expect(await store.getSyncState('incidents')).toBeNull();
      await store.compareAndSetSyncState('incidents', null, null, now);
      await expect(store.compareAndSetSyncState('incidents', 1, 'yesterday', now)).rejects.toBeInstanceOf(InputError);
      expect(await store.getSyncState('incidents')).toMatchObject({ version: 1, watermark: null });
      await expect(
        store.enqueueWebhookDelivery({ id: 'd-1', event: 'jira:issue_updated', issues: [], receivedAt: 'now' }),
      ).rejects.toThrow(/receivedAt/);
      expect(await store.claimWebhookDeliveries('a', 10, now, 1_000)).toEqual([]);
      await expect(
        store.savePostmortem(emptyPostmortem('OPS-1', '2026-11-01') as unknown as Postmortem),
      ).rejects.toThrow(/importedAt/);
      expect(await store.getPostmortem('OPS-1')).toBeNull();
      await expect(
        store.recordSyncRun(makeSyncRun({ startedAt: '2026-11-01T00:00:00.000Z', finishedAt: 'later' })),
      ).rejects.toThrow(/finishedAt/);
      expect(await store.lastSyncRun()).toBeNull();
    });

    it('writes both of two concurrent upserts of one new key: one inserts it, the other replaces it', async () => {
      const first = makeIncident({ key: 'OPS-1', summary: 'first' });
      const second = makeIncident({ key: 'OPS-1', summary: 'second' });
      const counts = await Promise.all([store.upsertIncidents([first]), store.upsertIncidents([second])]);
      expect(counts.map((c) => c.inserted).sort()).toEqual([0, 1]);
      expect(counts.map((c) => c.updated).sort()).toEqual([0, 1]);
      expect((await store.counts()).incidents).toBe(1);
      expect(['first', 'second']).toContain((await store.getIncident('OPS-1'))?.summary);
    });

    it('counts nested objects with their keys in another order as unchanged, and keeps the version', async () => {
      const incident = makeIncident({
        key: 'OPS-1',
        timeline: [{ at: '2026-10-01T09:00:00.000Z', event: 'Alert', owner: 'Monitoring', source: 'jira' }],
        readProblems: [{ field: 'severity', reason: 'no such priority' }],
      });
      await store.upsertIncidents([incident]);
      const version = await store.dataVersion();
      const reordered = {
        ...incident,
        timeline: [{ source: 'jira' as const, owner: 'Monitoring', event: 'Alert', at: '2026-10-01T09:00:00.000Z' }],
        readProblems: [{ reason: 'no such priority', field: 'severity' }],
      };
      expect(await store.upsertIncidents([reordered])).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
      expect(await store.dataVersion()).toBe(version);
      const pm = {
        incidentKey: 'OPS-1',
        title: 'T',
        summary: { impact: 'x', commander: 'Dana' },
        importedAt: '2026-10-08T00:00:00.000Z',
      };
      await store.savePostmortem(pm as unknown as Postmortem);
      const afterPm = await store.dataVersion();
      await store.savePostmortem({
        importedAt: pm.importedAt,
        summary: { commander: 'Dana', impact: 'x' },
        title: 'T',
        incidentKey: 'OPS-1',
      } as unknown as Postmortem);
      expect(await store.dataVersion()).toBe(afterPm);
    });

    it('refuses an invalid document loudly, and stores the rest of its batch', async () => {
      const version = await store.dataVersion();
      const bad = { ...makeIncident({ key: 'OPS-2' }), severity: 'SEV1' } as unknown as Incident;
      const batch = [makeIncident({ key: 'OPS-1' }), bad, makeIncident({ key: 'OPS-3' })];
      const refused = await store.upsertIncidents(batch).then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(InputError);
      expect((refused as InputError).message).toMatch(/OPS-2: severity/);
      expect((refused as InputError).message).toMatch(/the other 2 of the batch were stored/);
      expect(await store.getIncident('OPS-1')).toEqual(batch[0]);
      expect(await store.getIncident('OPS-3')).toEqual(batch[2]);
      expect(await store.getIncident('OPS-2')).toBeNull();
      expect(await store.dataVersion()).not.toBe(version);
      const unknownField = { ...makeActionItem({ key: 'REL-1' }), color: 'red' } as unknown as ActionItem;
      await expect(store.upsertActionItems([unknownField])).rejects.toThrow(/REL-1: color/);
      expect(await store.getActionItem('REL-1')).toBeNull();
    });

    it('moves the data version even when writing it fails after the data was written', async () => {
      const before = await store.dataVersion();
      const mend = harness.failVersionWrites(store);
      await expect(store.upsertIncidents([makeIncident({ key: 'OPS-1' })])).rejects.toThrow();
      mend();
      expect(await store.getIncident('OPS-1')).not.toBeNull();
      expect(await store.dataVersion()).not.toBe(before);
      // A re-run finds the record unchanged; the version must not fall back.
      expect(await store.upsertIncidents([makeIncident({ key: 'OPS-1' })])).toEqual({
        inserted: 0,
        updated: 0,
        unchanged: 1,
      });
      expect(await store.dataVersion()).not.toBe(before);
    });

    it('keeps the newest 200 sync runs by finish time, and calls the latest finished the last run', async () => {
      const run = (finishedAt: string, error: string | null = null): SyncRun =>
        makeSyncRun({ finishedAt, ok: error === null, error });
      // The newest run is recorded first (a replica with a slower store finished its record later).
      await store.recordSyncRun(run('2026-11-30T00:00:00.000Z', 'newest'));
      for (let i = 0; i < 205; i += 1)
        await store.recordSyncRun(run(new Date(Date.parse('2026-11-01T00:00:00.000Z') + i * 60_000).toISOString()));
      expect(await store.lastSyncRun()).toMatchObject({ finishedAt: '2026-11-30T00:00:00.000Z', error: 'newest' });
      expect(await harness.countSyncRuns(store)).toBe(200);
      // Equal finish times: the one recorded later is the last run.
      await store.recordSyncRun(run('2026-11-30T00:00:00.000Z', 'same time, recorded later'));
      expect(await store.lastSyncRun()).toMatchObject({ error: 'same time, recorded later' });
    }, 30_000);

    it('refuses a patch that would change the key of a record, and patches only the expected record', async () => {
      const now = new Date('2026-11-23T09:00:00.000Z');
      await store.claimDigest('2026-W47', 'a', now, false);
      await expect(store.updateDigest('2026-W47', { week: '2026-W48' } as never)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getDigest('2026-W48')).toBeNull();
      await expect(store.updateTicketRequest('k', { idempotencyKey: 'other' } as never)).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(
        store.updateDigest('2026-W47', { state: 'uncertain' }, { state: 'claimed', holder: 'b' }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'claimed', holder: 'a' });
      expect(
        await store.updateDigest('2026-W47', { state: 'uncertain' }, { state: 'claimed', holder: 'a' }),
      ).toMatchObject({ state: 'uncertain' });
      await expect(store.updateDigest('2026-W01', { state: 'posted' }, { state: 'claimed' })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it('refuses a patch with a value the record cannot hold', async () => {
      await store.claimDigest('2026-W47', 'a', new Date('2026-11-23T09:00:00.000Z'), false);
      await expect(store.updateDigest('2026-W47', { state: 'sent' as never })).rejects.toBeInstanceOf(InputError);
      expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'claimed' });
    });

    if (harness.cutOff === undefined) {
      process.stdout.write(
        `Store contract (${harness.name}): the outage case is for a store reached over the network; this one is a file store inside the process.\n`,
      );
    } else {
      const cutOff = harness.cutOff;
      it('answers 503 with Retry-After while the database cannot be reached', async () => {
        const t = await testApp({}, { store });
        try {
          await cutOff(store);
          const res = await request(t.app).get('/api/incidents/OPS-1').expect(503);
          expect(res.headers['retry-after']).toMatch(/^\d+$/);
          expect(res.body.error.code).toBe('store_unavailable');
        } finally {
          await t.close();
        }
      });
    }
  });
});
