/**
 * A document the store refuses stops the sync at its page, loudly, and the watermark stays
 * before it: the next run reads it again. Runs on every store this machine has (the
 * embedded one always, MongoDB when MONGODB_URI is set).
 */
import { describe, expect, it } from '@jest/globals';
import type { Incident } from '../../server/domain/types.js';
import { runSync, SYNC_STATE_NAMES, type SyncSettings } from '../../server/sync/runSync.js';
import { availableStores } from '../support/stores.js';
import { DEFAULT_FIELDS, DETECTION_MAP, SEVERITY_MAP, issue } from './fixtures.js';
import { scriptedReader } from './memory.js';

const settings: SyncSettings = {
  timezone: 'UTC',
  baseUrl: 'https://example.atlassian.net/',
  jira: {
    incidentJql: 'issuetype = Incident',
    actionItemJql: 'labels = postmortem-action',
    fields: DEFAULT_FIELDS,
    severityMap: SEVERITY_MAP,
    detectionMap: DETECTION_MAP,
  },
};
const now = new Date('2026-11-27T04:00:00.000Z');

const incidents = [
  issue('OPS-1', { updated: '2026-10-01T08:00:00.000+0000' }),
  issue('OPS-2', { updated: '2026-10-02T08:00:00.000+0000' }),
  issue('OPS-3', { updated: '2026-10-03T08:00:00.000+0000' }),
];

describe.each(availableStores())('a document the store refuses, through the sync: $name', (harness) => {
  it('fails the run naming it, keeps the rest of its page, and leaves the watermark before it', async () => {
    const { store, cleanup } = await harness.open();
    try {
      // A mapping bug that produces a value the store cannot hold, for one issue only.
      let broken = true;
      const buggy = new Proxy(store, {
        get(target, property) {
          if (property === 'upsertIncidents') {
            return (records: Incident[]) =>
              target.upsertIncidents(
                records.map((r) =>
                  broken && r.key === 'OPS-2' ? ({ ...r, detection: 'psychic' } as unknown as Incident) : r,
                ),
              );
          }
          const value = Reflect.get(target, property) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });

      const failed = await runSync(
        { store: buggy, jira: scriptedReader({ incidents, actionItems: [] }), settings },
        now,
      );
      expect(failed.ok).toBe(false);
      expect(failed.error).toMatch(/incident OPS-2: detection/);
      expect(await store.getIncident('OPS-1')).not.toBeNull(); // the rest of its batch
      expect(await store.getIncident('OPS-2')).toBeNull();
      expect(await store.getIncident('OPS-3')).toBeNull(); // the sync stopped at that page
      expect((await store.getSyncState(SYNC_STATE_NAMES.incidents))?.watermark ?? null).toBeNull();
      expect(await store.lastSyncRun()).toMatchObject({ ok: false });

      // Once the mapping is fixed, the next (incremental) run picks it up.
      broken = false;
      const fixed = await runSync(
        { store: buggy, jira: scriptedReader({ incidents, actionItems: [] }), settings },
        now,
      );
      expect(fixed).toMatchObject({ ok: true, error: null });
      expect(await store.getIncident('OPS-2')).toMatchObject({ key: 'OPS-2', detection: 'unknown' });
      expect((await store.getSyncState(SYNC_STATE_NAMES.incidents))?.watermark).toBe('2026-10-03T08:00:00.000Z');
    } finally {
      await cleanup();
    }
  });
});
