/** When the daily id reconciliation runs: a day after the last one, on one replica only. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Store } from '../../server/store/Store.js';
import { claimReconciliation } from '../../server/sync/reconcileIds.js';
import { embeddedHarness } from '../support/stores.js';

let store: Store;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ store, cleanup } = await embeddedHarness.open());
});
afterEach(async () => {
  await cleanup();
});

const at = (hours: number) => new Date(Date.parse('2026-12-03T00:00:00.000Z') + hours * 3_600_000);

describe('claimReconciliation', () => {
  it('starts the clock at the first sync, then is due once a day, for one of several replicas', async () => {
    expect(await claimReconciliation(store, at(0))).toBe(false);
    expect(await claimReconciliation(store, at(23))).toBe(false);
    const racers = await Promise.all([
      claimReconciliation(store, at(24)),
      claimReconciliation(store, at(24)),
      claimReconciliation(store, at(24)),
    ]);
    expect(racers.filter(Boolean)).toHaveLength(1);
    expect(await claimReconciliation(store, at(30))).toBe(false);
    expect(await claimReconciliation(store, at(48))).toBe(true);
  });
});
