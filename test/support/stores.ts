/**
 * The stores this machine can run, for `describe.each`. The embedded store always runs;
 * MongoDB runs when MONGODB_URI is set, and otherwise one line says why it was skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { MongoStore } from '../../server/store/mongo/MongoStore.js';
import type { Connection } from 'mongoose';
import type { Store } from '../../server/store/Store.js';

export interface StoreHarness {
  name: 'embedded' | 'mongodb';
  /**
   * `peer()`: another store on the same data, as a second process would open it
   * (MongoDB: a second connection to the same database). The embedded store allows one
   * writer per DATA_DIR, so its peer is the same instance: the race is then between
   * concurrent callers of one store, which is all the one-writer lock lets happen.
   */
  open(): Promise<{ store: Store; peer(): Promise<Store>; cleanup(): Promise<void> }>;
  /**
   * Makes the store's own write of its data version fail (a crash or a network error
   * right after a data write); returns the function that mends it.
   */
  failVersionWrites(store: Store): () => void;
  /** How many sync runs the store keeps. */
  countSyncRuns(store: Store): Promise<number>;
  /** Cuts the store off from its database, as an outage would; absent where nothing can be cut. */
  cutOff?(store: Store): Promise<void>;
}

/** A method of a private part of a store, replaced until the returned function restores it. */
function replaceMethod(
  target: Record<string, unknown>,
  method: string,
  replacement: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown,
): () => void {
  const original = target[method] as (...args: unknown[]) => unknown;
  target[method] = replacement(original.bind(target));
  return () => {
    target[method] = original;
  };
}

export function tempDir(prefix = 'pmi-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const embeddedHarness: StoreHarness = {
  name: 'embedded',
  async open() {
    const dir = tempDir('pmi-store-');
    const store = await EmbeddedStore.create(dir);
    return {
      store,
      peer: async () => store,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  failVersionWrites(store) {
    const meta = (store as unknown as { db: { meta: Record<string, unknown> } }).db.meta;
    return replaceMethod(meta, 'updateAsync', () => async () => {
      throw new Error('the process died before the version was written');
    });
  },
  async countSyncRuns(store) {
    return (
      store as unknown as { db: { syncRuns: { countAsync(q: object): Promise<number> } } }
    ).db.syncRuns.countAsync({});
  },
};

let mongoRun = 0;
const mongo: StoreHarness = {
  name: 'mongodb',
  async open() {
    const base = process.env.MONGODB_URI!;
    // A fresh database per test keeps them independent; it is dropped afterwards.
    const url = new URL(base);
    url.pathname = `/pmi_contract_${process.pid}_${Date.now()}_${mongoRun++}`;
    const store = await MongoStore.create(url.toString());
    const peers: Store[] = [];
    return {
      store,
      async peer() {
        const peer = await MongoStore.create(url.toString());
        peers.push(peer);
        return peer;
      },
      async cleanup() {
        for (const peer of peers) await peer.close();
        const connection = (store as unknown as { connection: Connection }).connection;
        if (connection.readyState !== 1) await connection.openUri(url.toString());
        await connection.dropDatabase();
        await store.close();
      },
    };
  },
  failVersionWrites(store) {
    const meta = (store as unknown as { models: { meta: Record<string, unknown> } }).models.meta;
    // The mark before the write goes through; the bump after it is lost.
    return replaceMethod(meta, 'updateOne', (original) => (filter, update, ...rest) => {
      if (update !== null && typeof update === 'object' && '$inc' in update) {
        return Promise.reject(Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' }));
      }
      return original(filter, update, ...rest);
    });
  },
  async countSyncRuns(store) {
    return (
      store as unknown as { models: { syncRuns: { countDocuments(): Promise<number> } } }
    ).models.syncRuns.countDocuments();
  },
  async cutOff(store) {
    const connection = (store as unknown as { connection: Connection }).connection;
    // Operations now wait for a connection, and give up after bufferTimeoutMS: what callers
    // see for the seconds after a primary is lost.
    connection.set('bufferTimeoutMS', 300);
    await connection.close();
  },
};

/** The contract suite announces the skipped MongoDB leg; other suites stay quiet about it. */
export function availableStores({ announce = false } = {}): StoreHarness[] {
  if (process.env.MONGODB_URI) return [embeddedHarness, mongo];
  if (announce) {
    process.stdout.write(
      'Store contract: MongoDB leg skipped because MONGODB_URI is not set (no MongoDB server on this machine); set it to run the suite against MongoDB too.\n',
    );
  }
  return [embeddedHarness];
}
