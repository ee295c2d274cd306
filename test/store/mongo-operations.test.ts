/** What the MongoDB adapter builds, checked without a server: operations, filters, schemas, errors. */
import { describe, expect, it } from '@jest/globals';
import mongoose from 'mongoose';
import { ConflictError, StoreUnavailableError } from '../../server/errors.js';
import {
  actionItemSchema,
  digestSchema,
  incidentSchema,
  ticketRequestSchema,
} from '../../server/store/mongo/models.js';
import {
  bulkUpsertOperations,
  leaseUpsert,
  translateMongoError,
  upsertCountsFromResult,
} from '../../server/store/mongo/operations.js';
import { actionItemFilter, incidentFilter, normalizeIncident } from '../../server/store/shared.js';
import { makeActionItem, makeIncident } from '../support/factories.js';

const Incident = mongoose.model('IncidentUnderTest', incidentSchema);
const ActionItem = mongoose.model('ActionItemUnderTest', actionItemSchema);
const Digest = mongoose.model('DigestUnderTest', digestSchema);
const TicketRequest = mongoose.model('TicketRequestUnderTest', ticketRequestSchema);

/** The validation errors mongoose reports for a document, by path ({} when valid). */
async function errorsOf(doc: mongoose.Document): Promise<Record<string, unknown>> {
  try {
    await doc.validate();
    return {};
  } catch (err) {
    return (err as mongoose.Error.ValidationError).errors;
  }
}

describe('bulk upsert operations', () => {
  it('sends one whole-document replace per key, matching on the Jira key, the last copy winning', () => {
    const a = makeIncident({ key: 'OPS-1' });
    const ops = bulkUpsertOperations([a, makeIncident({ key: 'OPS-2' }), { ...a, summary: 'newer' }]);
    expect(ops).toHaveLength(2);
    expect(ops[0]).toEqual({
      replaceOne: { filter: { key: 'OPS-1' }, replacement: { ...a, summary: 'newer' }, upsert: true },
    });
  });

  it('reads inserted, updated and unchanged from the bulk result', () => {
    expect(upsertCountsFromResult({ upsertedCount: 2, matchedCount: 5, modifiedCount: 1 })).toEqual({
      inserted: 2,
      updated: 1,
      unchanged: 4,
    });
  });
});

describe('filters shared by both stores', () => {
  it('turns a query into the filters its callers use: keys, source, open or done', () => {
    expect(incidentFilter({})).toEqual({});
    expect(incidentFilter({ source: 'jira' })).toEqual({ source: 'jira' });
    expect(incidentFilter({ keys: ['OPS-1'], source: 'document' })).toEqual({
      $and: [{ key: { $in: ['OPS-1'] } }, { source: 'document' }],
    });
    expect(actionItemFilter({ open: true })).toEqual({ statusCategory: { $ne: 'done' } });
    expect(actionItemFilter({ keys: ['REL-5'], open: false })).toEqual({
      $and: [{ key: { $in: ['REL-5'] } }, { statusCategory: 'done' }],
    });
  });

  it('takes a lease only when free, expired by the server clock, or already ours', () => {
    expect(leaseUpsert('sync', 'a', 30_000)).toEqual({
      filter: { name: 'sync', $or: [{ holder: 'a' }, { $expr: { $lte: ['$expiresAt', '$$NOW'] } }] },
      update: [{ $set: { name: 'sync', holder: 'a', expiresAt: { $add: ['$$NOW', 30_000] } } }],
      options: { upsert: true, updatePipeline: true },
    });
  });
});

describe('schemas', () => {
  it('accept the domain documents as the stores write them', async () => {
    expect(
      await errorsOf(
        new Incident(normalizeIncident(makeIncident({ key: 'OPS-1', startedAt: '2026-10-01T10:00:00.000Z' }))),
      ),
    ).toEqual({});
    expect(await errorsOf(new ActionItem(makeActionItem({ key: 'REL-1', jiraDueDate: '2026-11-01' })))).toEqual({});
  });

  it('reject malformed times, severities, status categories and due dates', async () => {
    const bad = new Incident({
      ...makeIncident({ key: 'OPS-1' }),
      startedAt: '2026-10-01 10:00',
      severity: 'SEV1',
      statusCategory: 'closed',
    });
    expect(Object.keys(await errorsOf(bad)).sort()).toEqual(['severity', 'startedAt', 'statusCategory']);
    expect(
      Object.keys(await errorsOf(new ActionItem({ ...makeActionItem({ key: 'REL-1' }), jiraDueDate: '01/11/2026' }))),
    ).toEqual(['jiraDueDate']);
    expect(
      Object.keys(await errorsOf(new ActionItem({ ...makeActionItem({ key: 'REL-1' }), key: undefined }))),
    ).toEqual(['key']);
  });

  it('refuse fields the model does not know', () => {
    expect(() => new Incident({ ...makeIncident({ key: 'OPS-1' }), unexpected: 1 })).toThrow(/unexpected/);
  });

  it('validate digest weeks and ticket request states', async () => {
    expect(
      Object.keys(
        await errorsOf(
          new Digest({ week: '2026-47', state: 'claimed', holder: 'a', claimedAt: '2026-11-23T09:00:00.000Z' }),
        ),
      ),
    ).toEqual(['week']);
    expect(
      Object.keys(
        await errorsOf(
          new TicketRequest({
            idempotencyKey: 'k',
            incidentKey: 'OPS-1',
            state: 'sent',
            summary: 's',
            createdAt: '2026-11-23T09:00:00.000Z',
            updatedAt: '2026-11-23T09:00:00.000Z',
          }),
        ),
      ),
    ).toEqual(['state']);
  });

  it('declare the indexes the queries need, and only those: unique key, the sorted listing, deletion by incident', () => {
    const indexes = (schema: typeof incidentSchema) =>
      schema.indexes().map(([fields, opts]) => ({ fields, unique: opts?.unique === true }));
    expect(indexes(incidentSchema)).toEqual([
      { fields: { key: 1 }, unique: true },
      { fields: { placeAt: 1, key: 1 }, unique: false },
    ]);
    expect(indexes(actionItemSchema)).toEqual([
      { fields: { key: 1 }, unique: true },
      { fields: { incidentKey: 1 }, unique: false },
    ]);
    expect(indexes(digestSchema)).toEqual([{ fields: { week: 1 }, unique: true }]);
  });
});

describe('driver errors', () => {
  it('become domain errors', () => {
    expect(translateMongoError({ code: 11000, name: 'MongoServerError' }, 'digest week 2026-W47')).toBeInstanceOf(
      ConflictError,
    );
    expect(translateMongoError({ name: 'MongoBulkWriteError', writeErrors: [{ code: 11000 }] }, 'x')).toBeInstanceOf(
      ConflictError,
    );
    const down = translateMongoError(
      Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' }),
      'read',
    );
    expect(down).toBeInstanceOf(StoreUnavailableError);
    expect(down.message).toMatch(/check MONGODB_URI/);
  });
});
