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
  syncStateUpdate,
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
  it('turns an incident query into a half-open range on place in time plus equality filters', () => {
    expect(
      incidentFilter({
        from: '2026-10-01T00:00:00.000Z',
        to: '2026-11-01T00:00:00.000Z',
        service: 'api',
        severity: 'unknown',
      }),
    ).toEqual({
      $and: [
        { placeAt: { $gte: '2026-10-01T00:00:00.000Z' } },
        { placeAt: { $lt: '2026-11-01T00:00:00.000Z' } },
        { services: 'api' },
        { severity: null },
      ],
    });
    expect(incidentFilter({})).toEqual({});
    expect(incidentFilter({ severity: 'P1' })).toEqual({ severity: 'P1' });
  });

  it('turns an action-item query into status and due-date filters', () => {
    expect(actionItemFilter({ open: true, dueBefore: '2026-11-27' })).toEqual({
      $and: [{ statusCategory: { $ne: 'done' } }, { jiraDueDate: { $lt: '2026-11-27', $ne: null } }],
    });
    expect(actionItemFilter({ owner: 'Ana' }, { after: 'REL-5' })).toEqual({
      $and: [{ owner: 'Ana' }, { key: { $gt: 'REL-5' } }],
    });
  });

  it('takes a lease only when free, expired by the server clock, or already ours', () => {
    expect(leaseUpsert('sync', 'a', 30_000)).toEqual({
      filter: { name: 'sync', $or: [{ holder: 'a' }, { $expr: { $lte: ['$expiresAt', '$$NOW'] } }] },
      update: [{ $set: { name: 'sync', holder: 'a', expiresAt: { $add: ['$$NOW', 30_000] } } }],
      options: { upsert: true, updatePipeline: true },
    });
  });

  it('advances a sync watermark only from the expected version', () => {
    expect(syncStateUpdate('incidents', 3, '2026-10-01T00:00:00.000Z', new Date('2026-11-01T00:00:00.000Z'))).toEqual({
      filter: { name: 'incidents', version: 3 },
      update: { $set: { watermark: '2026-10-01T00:00:00.000Z', version: 4, updatedAt: '2026-11-01T00:00:00.000Z' } },
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

  it('declare the indexes the queries need: unique Jira key, place in time, status and due date', () => {
    const indexes = (schema: typeof incidentSchema) =>
      schema.indexes().map(([fields, opts]) => ({ fields, unique: opts?.unique === true }));
    expect(indexes(incidentSchema)).toEqual(
      expect.arrayContaining([
        { fields: { key: 1 }, unique: true },
        { fields: { placeAt: 1, key: 1 }, unique: false },
      ]),
    );
    expect(indexes(actionItemSchema)).toEqual(
      expect.arrayContaining([
        { fields: { key: 1 }, unique: true },
        { fields: { statusCategory: 1, jiraDueDate: 1 }, unique: false },
      ]),
    );
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
