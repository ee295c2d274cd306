/**
 * A MongoStore whose collections never reach a server: every driver call mongoose makes
 * on a collection is recorded (what it sends: filter, update, options) and answered by
 * the test (a result, or a thrown driver error). mongoose itself runs for real, so its
 * casting, validation, option handling and result reading are what is tested.
 */
import mongoose, { type Connection } from 'mongoose';
import { MongoStore } from '../../server/store/mongo/MongoStore.js';

export interface SentCall {
  collection: string;
  method: string;
  args: unknown[];
}

export type Responder = (call: SentCall) => unknown;

const METHODS = [
  'bulkWrite',
  'updateOne',
  'replaceOne',
  'findOne',
  'find',
  'findOneAndUpdate',
  'insertOne',
  'insertMany',
  'deleteOne',
  'deleteMany',
  'aggregate',
  'createIndex',
  'countDocuments',
  'estimatedDocumentCount',
] as const;

/** A result the driver would give for the call when the test does not say otherwise. */
function defaultResult(call: SentCall): unknown {
  switch (call.method) {
    case 'bulkWrite':
      return {
        insertedCount: 0,
        matchedCount: 0,
        modifiedCount: 0,
        deletedCount: 0,
        upsertedCount: 0,
        upsertedIds: {},
        insertedIds: {},
      };
    case 'updateOne':
    case 'replaceOne':
      return { acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null };
    case 'insertOne':
      return { acknowledged: true, insertedId: new mongoose.Types.ObjectId() };
    case 'deleteOne':
    case 'deleteMany':
      return { acknowledged: true, deletedCount: 0 };
    case 'find':
    case 'aggregate':
      return [];
    case 'createIndex':
      return 'index';
    default:
      return null;
  }
}

function cursorOf(rows: Promise<unknown[]>) {
  return { toArray: () => rows, close: async () => undefined };
}

export async function stubbedMongoStore(
  respond: Responder = () => undefined,
): Promise<{ store: MongoStore; sent: SentCall[]; connection: Connection }> {
  const connection = mongoose.createConnection();
  connection.set('autoIndex', false);
  connection.set('autoCreate', false);
  const sent: SentCall[] = [];
  const names = [
    'incidents',
    'actionItems',
    'postmortems',
    'syncStates',
    'syncRuns',
    'leases',
    'digests',
    'ticketRequests',
    'meta',
    'webhookDeliveries',
    'changes',
  ];
  for (const name of names) {
    const collection = connection.collection(name) as unknown as Record<string, unknown>;
    for (const method of METHODS) {
      collection[method] = (...args: unknown[]) => {
        const call: SentCall = { collection: name, method, args: structuredClone(args.map(plain)) };
        sent.push(call);
        const run = async () => {
          const answer = await respond(call);
          return answer === undefined ? defaultResult(call) : answer;
        };
        if (method === 'find' || method === 'aggregate') {
          // The driver returns a cursor at once; its rows come later.
          return cursorOf(run() as Promise<unknown[]>);
        }
        return run();
      };
    }
  }
  const store = await MongoStore.open(connection);
  return { store, sent, connection };
}

/** Mongoose documents and driver types, as the plain data that would go over the wire. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const v = value as { toBSON?: () => unknown };
  if (typeof v.toBSON === 'function' && !(value instanceof Date)) return plain(v.toBSON());
  if (value instanceof Date || value instanceof RegExp) return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof mongoose.Types.ObjectId) return value.toHexString();
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, plain(x)]));
}
