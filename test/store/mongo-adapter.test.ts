/**
 * The MongoDB adapter without a server: mongoose runs for real over collections whose
 * driver calls are recorded and answered here (test/support/stubbedMongo.ts). What is
 * checked is what reaches the driver (operations, options) and how the adapter reads the
 * driver's results and errors, using the driver's own error classes. The behaviour on a
 * real server is the contract suite's (test/store/contract.test.ts with MONGODB_URI).
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createRequire } from 'node:module';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Incident } from '../../server/domain/types.js';
import { ConflictError, InputError, StoreUnavailableError } from '../../server/errors.js';
import type { MongoStore } from '../../server/store/mongo/MongoStore.js';
import { BULK_UPSERT_OPTIONS, bulkUpsertOperations, translateMongoError } from '../../server/store/mongo/operations.js';
import { testApp } from '../support/app.js';
import { makeIncident, makeSyncRun } from '../support/factories.js';
import { stubbedMongoStore, type SentCall } from '../support/stubbedMongo.js';

const {
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoBulkWriteError,
} = mongoose.mongo;
// The driver raises this one when a primary is lost, but does not export it.
const { PoolClearedError } = createRequire(import.meta.url)('mongodb/lib/cmap/errors.js') as {
  PoolClearedError: new (pool: { address: string; serverError?: Error }) => Error;
};

type Models = Record<string, mongoose.Model<unknown>>;
const modelsOf = (store: MongoStore) => (store as unknown as { models: Models }).models;
const calls = (sent: SentCall[], collection: string, method?: string) =>
  sent.filter((c) => c.collection === collection && (method === undefined || c.method === method));

const stores: Array<{ connection: mongoose.Connection }> = [];
async function open(respond?: Parameters<typeof stubbedMongoStore>[0]) {
  const opened = await stubbedMongoStore(respond);
  stores.push(opened);
  opened.sent.length = 0; // the index builds of open(); tested on their own below
  return opened;
}
afterEach(async () => {
  for (const { connection } of stores.splice(0)) await connection.close();
});

describe('upserts: what reaches the driver', () => {
  it('one unordered bulk write of whole-document replaces, with throwOnValidationError, between a write mark and the version bump', async () => {
    const { store, sent } = await open(({ method }) =>
      method === 'bulkWrite'
        ? {
            insertedCount: 0,
            matchedCount: 1,
            modifiedCount: 0,
            deletedCount: 0,
            upsertedCount: 1,
            upsertedIds: { 1: 'x' },
            insertedIds: {},
          }
        : undefined,
    );
    const counts = await store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-2' })]);
    expect(counts).toEqual({ inserted: 1, updated: 0, unchanged: 1 });

    expect(sent.map((c) => `${c.collection}.${c.method}`)).toEqual([
      'meta.updateOne',
      'incidents.bulkWrite',
      'meta.findOneAndUpdate',
    ]);
    const [ops, options] = sent[1]!.args as [
      Array<Record<string, { filter: unknown; replacement: Record<string, unknown>; upsert: boolean }>>,
      Record<string, unknown>,
    ];
    expect(options).toMatchObject({ ordered: false, throwOnValidationError: true });
    expect(ops.map((op) => Object.keys(op))).toEqual([['replaceOne'], ['replaceOne']]);
    expect(ops[0]!.replaceOne).toMatchObject({
      filter: { key: 'OPS-1' },
      upsert: true,
      replacement: { key: 'OPS-1', commander: 'Dana Reyes' },
    });

    const [markFilter, mark, markOptions] = sent[0]!.args as [
      unknown,
      { $currentDate: Record<string, boolean> },
      Record<string, unknown>,
    ];
    expect(markFilter).toEqual({ _id: 'dataVersion' });
    const [markPath] = Object.keys(mark.$currentDate);
    expect(markPath).toMatch(/^pending\.[0-9a-f-]{36}$/);
    expect(markOptions).toMatchObject({ upsert: true });
    // The bump removes this write's mark in the same update.
    expect(sent[2]!.args[1]).toEqual({ $inc: { value: 1 }, $unset: { [markPath!]: '' } });
  });

  it('records the keys of a write that moved the version in the change feed, under the new version', async () => {
    const { store, sent } = await open(({ collection, method }) => {
      if (method === 'bulkWrite')
        return {
          insertedCount: 0,
          matchedCount: 0,
          modifiedCount: 0,
          deletedCount: 0,
          upsertedCount: 2,
          upsertedIds: { 0: 'a', 1: 'b' },
          insertedIds: {},
        };
      if (collection === 'meta' && method === 'findOneAndUpdate') return { _id: 'dataVersion', value: 7 };
      return undefined;
    });
    await store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-2' })]);
    const [record] = calls(sent, 'changes', 'insertOne')[0]!.args as [Record<string, unknown>];
    expect(record).toMatchObject({ version: 7, incidentKeys: ['OPS-1', 'OPS-2'], actionItemKeys: [] });
  });

  it('leaves a gap in the change feed when a write failed part way (which keys it reached is unknown)', async () => {
    const { store, sent } = await open(({ collection, method }) => {
      if (method === 'bulkWrite') throw new Error('connection reset');
      if (collection === 'meta' && method === 'findOneAndUpdate') return { _id: 'dataVersion', value: 8 };
      return undefined;
    });
    await expect(store.upsertIncidents([makeIncident({ key: 'OPS-1' })])).rejects.toThrow();
    expect(calls(sent, 'meta', 'findOneAndUpdate')).toHaveLength(1);
    expect(calls(sent, 'changes', 'insertOne')).toHaveLength(0);
  });

  it('does not move the version when the bulk write changed nothing, but still removes its mark', async () => {
    const { store, sent } = await open(({ method }) =>
      method === 'bulkWrite'
        ? {
            insertedCount: 0,
            matchedCount: 1,
            modifiedCount: 0,
            deletedCount: 0,
            upsertedCount: 0,
            upsertedIds: {},
            insertedIds: {},
          }
        : undefined,
    );
    expect(await store.upsertIncidents([makeIncident({ key: 'OPS-1' })])).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 1,
    });
    const finish = sent.at(-1)!;
    expect(finish.collection).toBe('meta');
    expect(Object.keys(finish.args[1] as object)).toEqual(['$unset']);
  });

  it('sends a field cleared in Jira as cleared: the replacement carries null and empty values, no $set', async () => {
    const { store, sent } = await open();
    const cleared = makeIncident({ key: 'OPS-1', commander: null, services: [], severity: null });
    await store.upsertIncidents([cleared]);
    const [ops] = calls(sent, 'incidents', 'bulkWrite')[0]!.args as [
      Array<{ replaceOne: { replacement: Record<string, unknown> } }>,
    ];
    expect(ops[0]!.replaceOne.replacement).toMatchObject({ commander: null, services: [], severity: null });
    expect(JSON.stringify(calls(sent, 'incidents'))).not.toContain('$set');
  });

  it('sends nested objects in one key order whatever order they came in, so the server sees the same bytes', async () => {
    const { store, sent } = await open();
    const timeline = [{ at: '2026-10-01T09:00:00.000Z', event: 'Alert', owner: 'Monitoring', source: 'jira' as const }];
    await store.upsertIncidents([
      makeIncident({ key: 'OPS-1', timeline, readProblems: [{ field: 'severity', reason: 'r' }] }),
    ]);
    await store.upsertIncidents([
      makeIncident({
        key: 'OPS-1',
        timeline: [{ source: 'jira', owner: 'Monitoring', event: 'Alert', at: '2026-10-01T09:00:00.000Z' }],
        readProblems: [{ reason: 'r', field: 'severity' }],
      }),
    ]);
    const [first, second] = calls(sent, 'incidents', 'bulkWrite').map((c) => JSON.stringify(c.args[0]));
    expect(second).toBe(first);
  });

  it('refuses an invalid document loudly after writing the rest of the batch', async () => {
    const { store, sent } = await open(({ method }) =>
      method === 'bulkWrite'
        ? {
            insertedCount: 0,
            matchedCount: 0,
            modifiedCount: 0,
            deletedCount: 0,
            upsertedCount: 2,
            upsertedIds: {},
            insertedIds: {},
          }
        : undefined,
    );
    const bad = { ...makeIncident({ key: 'OPS-2' }), severity: 'SEV1' } as unknown as Incident;
    const err = await store
      .upsertIncidents([makeIncident({ key: 'OPS-1' }), bad, makeIncident({ key: 'OPS-3' })])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).parameter).toBe('severity');
    expect((err as Error).message).toMatch(/incident OPS-2: severity: .*SEV1/);
    const [ops] = calls(sent, 'incidents', 'bulkWrite')[0]!.args as [
      Array<{ replaceOne: { filter: { key: string } } }>,
    ];
    expect(ops.map((op) => op.replaceOne.filter.key)).toEqual(['OPS-1', 'OPS-3']);
    expect(calls(sent, 'meta', 'findOneAndUpdate').at(-1)!.args[1]).toMatchObject({ $inc: { value: 1 } });
  });

  it('makes mongoose throw, not drop, an operation it refuses (throwOnValidationError), and reads that error as a refusal', async () => {
    const { store, sent } = await open();
    const ops = bulkUpsertOperations([
      makeIncident({ key: 'OPS-1' }),
      { ...makeIncident({ key: 'OPS-2' }), detection: 'psychic' } as unknown as Incident,
    ]);
    // mongoose's default: the invalid operation is left out and nothing is thrown.
    await expect(modelsOf(store).incidents!.bulkWrite(structuredClone(ops), { ordered: false })).resolves.toBeDefined();
    expect((calls(sent, 'incidents', 'bulkWrite')[0]!.args[0] as unknown[]).length).toBe(1);
    // With the adapter's options it still writes the valid one, then throws.
    const thrown = await modelsOf(store)
      .incidents!.bulkWrite(structuredClone(ops), BULK_UPSERT_OPTIONS)
      .catch((e: unknown) => e);
    expect((thrown as Error).name).toBe('MongooseBulkWriteError');
    expect((calls(sent, 'incidents', 'bulkWrite')[1]!.args[0] as unknown[]).length).toBe(1);
    const translated = translateMongoError(thrown, 'upsert');
    expect(translated).toBeInstanceOf(InputError);
    expect(translated.message).toMatch(/detection/);
  });

  it('moves the version when a bulk write fails part way (MongoBulkWriteError), and says the store is unavailable on a network error', async () => {
    const partial = new MongoBulkWriteError({ message: 'write conflict', code: 112, writeErrors: [] }, {
      insertedCount: 0,
      matchedCount: 0,
      modifiedCount: 0,
      deletedCount: 0,
      upsertedCount: 1,
      upsertedIds: {},
      insertedIds: {},
    } as never);
    for (const failure of [partial, new MongoNetworkTimeoutError('connection timed out')]) {
      const { store, sent } = await open(({ method }) => {
        if (method === 'bulkWrite') throw failure;
      });
      await expect(store.upsertIncidents([makeIncident({ key: 'OPS-1' })])).rejects.toThrow();
      expect(calls(sent, 'meta', 'findOneAndUpdate').at(-1)!.args[1]).toMatchObject({ $inc: { value: 1 } });
    }
  });
});

describe('the data version', () => {
  const now = new Date('2026-12-03T10:00:00.000Z');

  it('is the stored counter while no write is under way', async () => {
    const { store } = await open(({ collection, method }) =>
      collection === 'meta' && method === 'findOne' ? { _id: 'dataVersion', value: 7, pending: {} } : undefined,
    );
    expect(await store.dataVersion()).toBe(7);
  });

  it('is one nobody can cache under while a write is under way (or its writer died less than a minute ago)', async () => {
    const { store } = await open(({ collection, method }) => {
      if (collection !== 'meta') return undefined;
      if (method === 'findOne')
        return { _id: 'dataVersion', value: 7, pending: { t1: new Date(now.getTime() - 5_000) } };
      if (method === 'aggregate') return [{ now }];
      return undefined;
    });
    const a = await store.dataVersion();
    const b = await store.dataVersion();
    expect([a, b]).not.toContain(7);
    expect(a).not.toBe(b);
  });

  it('folds the mark of a writer that died between its write and its bump into a bump, judged by the server clock', async () => {
    const { store, sent } = await open(({ collection, method }) => {
      if (collection !== 'meta') return undefined;
      if (method === 'findOne')
        return { _id: 'dataVersion', value: 7, pending: { t1: new Date(now.getTime() - 61_000) } };
      // The server's clock, not this process's, says how old the mark is.
      if (method === 'aggregate') return [{ now }];
      if (method === 'findOneAndUpdate') return { _id: 'dataVersion', value: 8, pending: {} };
      return undefined;
    });
    expect(await store.dataVersion()).toBe(8);
    const [aggregate] = calls(sent, 'meta', 'aggregate');
    expect(JSON.stringify(aggregate!.args[0])).toContain('$$NOW');
    const [fold] = calls(sent, 'meta', 'findOneAndUpdate');
    expect(fold!.args[0]).toEqual({ _id: 'dataVersion', $or: [{ 'pending.t1': { $exists: true } }] });
    expect(fold!.args[1]).toEqual({ $inc: { value: 1 }, $unset: { 'pending.t1': '' } });
  });
});

describe('driver errors', () => {
  const outages: Array<[string, () => Error]> = [
    ['MongoNetworkError', () => new MongoNetworkError('connection reset by peer')],
    ['MongoNetworkTimeoutError', () => new MongoNetworkTimeoutError('connection 3 to db:27017 timed out')],
    [
      'MongoPoolClearedError',
      () => new PoolClearedError({ address: 'db:27017', serverError: new Error('primary stepped down') }),
    ],
    [
      'MongoServerSelectionError',
      () => new MongoServerSelectionError('Server selection timed out after 10000 ms', {} as never),
    ],
    [
      'MongoServerError NotWritablePrimary',
      () => new MongoServerError({ message: 'not primary', code: 10107, codeName: 'NotWritablePrimary' }),
    ],
    [
      'MongoServerError InterruptedAtShutdown',
      () => new MongoServerError({ message: 'interrupted at shutdown', code: 11600 }),
    ],
  ];

  it.each(outages)('%s on a read becomes "store unavailable"', async (_name, make) => {
    const { store } = await open(({ method }) => {
      if (method === 'findOne') throw make();
    });
    await expect(store.getIncident('OPS-1')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('mongoose buffering timeout (what callers get for seconds after the primary is lost) becomes "store unavailable"', async () => {
    const { store, connection } = await open();
    const incidents = connection.collection('incidents') as unknown as {
      findOne?: unknown;
      opts: { bufferTimeoutMS?: number };
    };
    incidents.opts.bufferTimeoutMS = 50;
    // This collection goes through mongoose's real buffering again: no connection, so it times out.
    delete incidents.findOne;
    const err = await store.getIncident('OPS-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/MongooseError/);
  });

  it('an outage answers 503 with Retry-After over HTTP', async () => {
    const { store } = await open(({ method }) => {
      if (method === 'findOne') throw new MongoNetworkTimeoutError('connection timed out');
    });
    const t = await testApp({}, { store });
    try {
      const res = await request(t.app).get('/api/incidents/OPS-1').expect(503);
      expect(res.headers['retry-after']).toBe('10');
      expect(res.body).toEqual({
        error: {
          code: 'store_unavailable',
          message: expect.stringMatching(/MongoDB is unreachable \(MongoNetworkTimeoutError\)/),
        },
      });
    } finally {
      await t.close();
    }
  });

  it('E11000 while building a unique index at start-up is reported as duplicates, not as a connection that exists', async () => {
    const dup = new MongoServerError({
      message: 'E11000 duplicate key error collection: pmi.incidents index: key_1 dup key: { key: "OPS-1" }',
      code: 11000,
    });
    const err = await stubbedMongoStore(({ method, collection }) => {
      if (method === 'createIndex' && collection === 'incidents') throw dup;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(
      /Cannot build a unique index on the incidents collection: some documents share the same key .*OPS-1.*Remove the duplicates/,
    );
  });

  it('E11000 on a claim means someone else claimed it first', async () => {
    const { store } = await open(({ method }) => {
      if (method === 'insertOne') throw new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 });
    });
    expect(await store.claimDigest('2026-W47', 'a', new Date('2026-11-23T09:00:00.000Z'), false)).toBeNull();
    expect(translateMongoError(new MongoServerError({ message: 'E11000', code: 11000 }), 'x')).toBeInstanceOf(
      ConflictError,
    );
  });
});

describe('indexes built at start-up', () => {
  it('include a TTL index on lease expiry and the sync-run order', async () => {
    const { sent } = await stubbedMongoStore();
    const built = sent.filter((c) => c.method === 'createIndex').map((c) => [c.collection, ...c.args]);
    expect(built).toContainEqual(['leases', { expiresAt: 1 }, { expireAfterSeconds: 0 }]);
    expect(built).toContainEqual(['leases', { name: 1 }, { unique: true }]);
    expect(built).toContainEqual(['syncRuns', { finishedAt: -1, _id: -1 }, {}]);
  });
});

describe('conditional updates', () => {
  it("ask for the updated document with returnDocument: 'after' (no deprecated `new`), validators on", async () => {
    const warnings = jest.spyOn(process, 'emitWarning');
    try {
      const { store, sent } = await open(({ method, args }) => {
        if (method === 'findOneAndUpdate')
          return {
            ...(args[0] as object),
            state: 'posted',
            holder: 'a',
            claimedAt: '2026-11-23T09:00:00.000Z',
            attempts: 0,
            manual: false,
            postedAt: null,
            lastError: null,
          };
      });
      await store.compareAndSetSyncState(
        'incidents',
        1,
        '2026-10-01T00:00:00.000Z',
        new Date('2026-11-01T00:00:00.000Z'),
      );
      await store.updateDigest('2026-W47', { state: 'posted' });
      const updates = calls(sent, 'syncStates', 'findOneAndUpdate').concat(calls(sent, 'digests', 'findOneAndUpdate'));
      expect(updates).toHaveLength(2);
      for (const update of updates) {
        expect(update.args[2]).toMatchObject({ returnDocument: 'after' });
        expect(update.args[2]).not.toHaveProperty('new');
      }
      expect(warnings.mock.calls.filter(([message]) => String(message).includes('deprecated'))).toEqual([]);
    } finally {
      warnings.mockRestore();
    }
  });

  it('refuse a patch with an invalid value, or one that changes the key, before anything is sent', async () => {
    const { store, sent } = await open();
    await expect(store.updateDigest('2026-W47', { state: 'sent' as never })).rejects.toBeInstanceOf(InputError);
    await expect(store.updateTicketRequest('k', { dueDate: '01/12/2026' })).rejects.toThrow(/dueDate/);
    await expect(store.updateDigest('2026-W47', { week: '2026-W48' } as never)).rejects.toBeInstanceOf(ConflictError);
    expect(sent.filter((c) => c.method === 'findOneAndUpdate')).toEqual([]);
  });

  it('compare-and-set a digest: the expected values go into the filter; a record that moved on is a conflict', async () => {
    const { store, sent } = await open(({ method }) => {
      if (method === 'findOneAndUpdate') return null; // no record matched the expected values
      if (method === 'findOne') return { _id: 'x' }; // but the week exists
    });
    await expect(
      store.updateDigest('2026-W47', { state: 'uncertain' }, { state: 'claimed', holder: 'a' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(calls(sent, 'digests', 'findOneAndUpdate')[0]!.args[0]).toEqual({
      state: 'claimed',
      holder: 'a',
      week: '2026-W47',
    });
  });
});

describe('new records', () => {
  it('that break their schema are refused before anything is sent, as the embedded store refuses them', async () => {
    const { store, sent } = await open();
    const now = new Date('2026-11-23T09:00:00.000Z');
    await expect(store.claimDigest('2026-47', 'a', now, false)).rejects.toBeInstanceOf(InputError);
    await expect(store.compareAndSetSyncState('incidents', null, 'yesterday', now)).rejects.toThrow(/watermark/);
    await expect(store.compareAndSetSyncState('incidents', 1, 'yesterday', now)).rejects.toThrow(/watermark/);
    await expect(
      store.enqueueWebhookDelivery({ id: 'd-1', event: 'jira:issue_updated', issues: [], receivedAt: 'now' }),
    ).rejects.toThrow(/receivedAt/);
    expect(sent.filter((c) => c.method !== 'findOne')).toEqual([]);
  });

  it('leave no field out: one a document omits is sent as its schema default', async () => {
    const { store, sent } = await open();
    const { commander: _commander, timeline: _timeline, ...partial } = makeIncident({ key: 'OPS-1' });
    await store.upsertIncidents([partial as Incident]);
    const [ops] = calls(sent, 'incidents', 'bulkWrite')[0]!.args as [Array<{ replaceOne: { replacement: object } }>];
    expect(ops[0]!.replaceOne.replacement).toMatchObject({ commander: null, timeline: [] });
  });
});

describe('leases', () => {
  it("are judged and set by the server clock: the caller's clock is not sent", async () => {
    const { store, sent } = await open();
    expect(await store.acquireLease('sync', 'a', 30_000, new Date('2020-01-01T00:00:00.000Z'))).toBe(true);
    expect(await store.acquireLease('sync', 'a', 30_000, new Date('2030-01-01T00:00:00.000Z'))).toBe(true);
    const [first, second] = calls(sent, 'leases', 'updateOne');
    expect(second!.args).toEqual(first!.args);
    expect(first!.args[1]).toEqual([{ $set: { name: 'sync', holder: 'a', expiresAt: { $add: ['$$NOW', 30_000] } } }]);
    expect(JSON.stringify(first!.args[0])).toContain('$$NOW');
    expect(JSON.stringify(first!.args)).not.toMatch(/20[23]0-/);
  });

  it("are refused (false) when the upsert collides with another holder's live lease", async () => {
    const { store } = await open(({ method }) => {
      if (method === 'updateOne')
        throw new MongoServerError({
          message: 'E11000 duplicate key error collection: pmi.leases index: name_1',
          code: 11000,
        });
    });
    expect(await store.acquireLease('sync', 'b', 30_000, new Date())).toBe(false);
  });
});

describe('sync runs', () => {
  it('prune to the newest 200 by finish time, and read the last by finish time then recording order', async () => {
    const boundary = {
      _id: new mongoose.Types.ObjectId('65a000000000000000000001'),
      finishedAt: '2026-11-01T00:00:00.000Z',
    };
    const { store, sent } = await open(({ collection, method }) =>
      collection === 'syncRuns' && method === 'find' ? [boundary] : undefined,
    );
    await store.recordSyncRun(
      makeSyncRun({ startedAt: '2026-11-02T00:00:00.000Z', finishedAt: '2026-11-02T00:00:05.000Z' }),
    );
    const [find] = calls(sent, 'syncRuns', 'find');
    expect(find!.args[1]).toMatchObject({ sort: { finishedAt: -1, _id: -1 }, skip: 199, limit: 1 });
    const [prune] = calls(sent, 'syncRuns', 'deleteMany');
    expect(prune!.args[0]).toEqual({
      $or: [
        { finishedAt: { $lt: boundary.finishedAt } },
        { finishedAt: boundary.finishedAt, _id: { $lt: boundary._id.toHexString() } },
      ],
    });
    await store.lastSyncRun();
    expect(calls(sent, 'syncRuns', 'findOne')[0]!.args[1]).toMatchObject({ sort: { finishedAt: -1, _id: -1 } });
  });
});
