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
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
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
    return {
      store,
      async cleanup() {
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
