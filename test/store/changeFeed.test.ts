/**
 * The change feeds' own rules, without a database server: the embedded store's in-memory
 * log (how far back it reaches) and how MongoDB's per-version records become an answer
 * (a gap means "reload"). The contract suite checks both stores end to end.
 */
import { describe, expect, it } from '@jest/globals';
import mongoose from 'mongoose';
import { ChangeLog } from '../../server/store/changeLog.js';
import { CHANGE_TTL_SECONDS, changeSchema, changesFromRecords } from '../../server/store/mongo/changes.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { makeIncident } from '../support/factories.js';
import { tempDir } from '../support/stores.js';

describe('ChangeLog (embedded store)', () => {
  it('answers from the version it opened at, and forgets the oldest versions past its key budget', () => {
    const log = new ChangeLog(5, 3);
    log.record(6, { incidentKeys: ['OPS-1'] });
    log.record(7, { actionItemKeys: ['REL-1', 'REL-2'] });
    expect(log.since(5, 7)).toEqual({ version: 7, incidentKeys: ['OPS-1'], actionItemKeys: ['REL-1', 'REL-2'] });
    expect(log.since(4, 7)).toBeNull(); // before the store was opened: unknown
    log.record(8, { incidentKeys: ['OPS-2'] }); // 4 keys > 3: version 6 is forgotten
    expect(log.since(5, 8)).toBeNull();
    expect(log.since(6, 8)).toEqual({ version: 8, incidentKeys: ['OPS-2'], actionItemKeys: ['REL-1', 'REL-2'] });
    expect(log.since(9, 8)).toBeNull();
  });

  it('a reopened store knows nothing before its own start, so an older reader reloads', async () => {
    const dir = tempDir('pmi-feed-');
    let store = await EmbeddedStore.create(dir);
    await store.upsertIncidents([makeIncident({ key: 'OPS-1' })]);
    const before = await store.dataVersion();
    await store.close();
    store = await EmbeddedStore.create(dir);
    expect(await store.changesSince(before - 1)).toBeNull();
    expect(await store.changesSince(before)).toEqual({ version: before, incidentKeys: [], actionItemKeys: [] });
    await store.upsertIncidents([makeIncident({ key: 'OPS-2' })]);
    expect(await store.changesSince(before)).toEqual({
      version: before + 1,
      incidentKeys: ['OPS-2'],
      actionItemKeys: [],
    });
    await store.close();
  });
});

describe('the embedded store names exactly the keys written', () => {
  it('leaves out a key of the same batch whose record did not change (MongoDB cannot tell, and names it)', async () => {
    const dir = tempDir('pmi-feed-');
    const store = await EmbeddedStore.create(dir);
    try {
      await store.upsertIncidents([makeIncident({ key: 'OPS-1' })]);
      const before = await store.dataVersion();
      await store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-2' })]);
      expect(await store.changesSince(before)).toEqual({
        version: before + 1,
        incidentKeys: ['OPS-2'],
        actionItemKeys: [],
      });
    } finally {
      await store.close();
    }
  });
});

describe('MongoDB change records', () => {
  const record = (version: number, incidentKeys: string[] = [], actionItemKeys: string[] = []) => ({
    version,
    incidentKeys,
    actionItemKeys,
  });

  it("joins the keys of every version after the reader's, each key once", () => {
    const records = [
      record(4, ['OPS-9']),
      record(5, ['OPS-1'], ['REL-1']),
      record(6, ['OPS-1', 'OPS-2']),
      record(7, [], ['REL-2']),
    ];
    expect(changesFromRecords(4, 7, records)).toEqual({
      version: 7,
      incidentKeys: ['OPS-1', 'OPS-2'],
      actionItemKeys: ['REL-1', 'REL-2'],
    });
    expect(changesFromRecords(7, 7, [])).toEqual({ version: 7, incidentKeys: [], actionItemKeys: [] });
  });

  it('answers null for a gap (a writer not yet recorded, an expired record) or a version ahead of the store', () => {
    expect(changesFromRecords(4, 7, [record(5), record(7)])).toBeNull();
    expect(changesFromRecords(4, 7, [record(6), record(7)])).toBeNull();
    expect(changesFromRecords(8, 7, [])).toBeNull();
  });

  it('keys records by version (unique) and lets them expire after a day', async () => {
    const Change = mongoose.model('ChangeUnderTest', changeSchema);
    const indexes = Change.schema.indexes();
    expect(indexes).toContainEqual([{ version: 1 }, expect.objectContaining({ unique: true })]);
    expect(indexes).toContainEqual([{ at: 1 }, expect.objectContaining({ expireAfterSeconds: CHANGE_TTL_SECONDS })]);
    await expect(
      new Change({ version: 3, incidentKeys: ['OPS-1'], at: new Date() }).validate(),
    ).resolves.toBeUndefined();
  });
});
