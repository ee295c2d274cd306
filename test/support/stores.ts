/**
 * The stores this machine can run, for `describe.each`. The embedded store always runs;
 * MongoDB runs when MONGODB_URI is set, and otherwise one line says why it was skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { MongoStore } from '../../server/store/mongo/MongoStore.js';
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
        await (store as unknown as { connection: { dropDatabase(): Promise<void> } }).connection.dropDatabase();
        await store.close();
      },
    };
  },
};

/** The contract suite announces the skipped MongoDB leg; other suites stay quiet about it. */
export function availableStores({ announce = false } = {}): StoreHarness[] {
  if (process.env.MONGODB_URI) return [embeddedHarness, mongo];
  if (announce) {
    process.stdout.write('Store contract: MongoDB leg skipped because MONGODB_URI is not set (no MongoDB server on this machine); set it to run the suite against MongoDB too.\n');
  }
  return [embeddedHarness];
}
