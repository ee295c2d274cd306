/** Lease holders: one identity per attempt, renewal while work runs, and what stops the work. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { hostname } from 'node:os';
import { holderProcess, newLeaseHolder, takeLease } from '../../server/leases/holder.js';
import type { Store } from '../../server/store/Store.js';
import { embeddedHarness } from '../support/stores.js';

let store: Store;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ store, cleanup } = await embeddedHarness.open());
});
afterEach(() => cleanup());

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));

describe('lease holders', () => {
  it('are new for every attempt and say which process holds them', () => {
    const a = newLeaseHolder();
    const b = newLeaseHolder();
    expect(a).not.toBe(b);
    expect(holderProcess(a)).toEqual({ host: hostname(), pid: process.pid });
    expect(holderProcess(`pid-${process.pid}`)).toBeNull();
  });

  it('refuses a second attempt in the same process, naming the holder and when its lease ends', async () => {
    const now = () => new Date('2026-11-20T12:00:00.000Z');
    const first = await takeLease(store, 'ticket:k', { now });
    const second = await takeLease(store, 'ticket:k', { now });
    expect(first.acquired).toBe(true);
    if (!first.acquired) return;
    expect(second).toEqual({
      acquired: false,
      current: { name: 'ticket:k', holder: first.lease.holder, expiresAt: '2026-11-20T12:01:00.000Z' },
      refusal: `the ticket:k lease is held by ${first.lease.holder} until 2026-11-20T12:01:00.000Z (in 60 s)`,
    });
    await first.lease.release();
    expect(await store.getLease('ticket:k')).toBeNull();
    expect((await takeLease(store, 'ticket:k', { now })).acquired).toBe(true);
  });

  it('keeps the work going through a store error while the lease is still valid, and stops it before the lease runs out', async () => {
    let renewals = 0;
    const failing = {
      ...store,
      getLease: (name: string) => store.getLease(name),
      releaseLease: (name: string, holder: string) => store.releaseLease(name, holder),
      acquireLease: async (name: string, holder: string, ttlMs: number, now: Date) => {
        if (renewals++ === 0) return store.acquireLease(name, holder, ttlMs, now);
        throw new Error('MongoDB is unreachable');
      },
    } as Store;
    const errors: unknown[] = [];
    const attempt = await takeLease(failing, 'job:sync', {
      ttlMs: 3_000,
      onRenewalError: (error) => errors.push(error),
    });
    if (!attempt.acquired) throw new Error('not acquired');
    await aborted(attempt.lease.signal);
    // Renewals every second: after the first failure the lease has time left, after the second it would not.
    expect(errors).toHaveLength(1);
    expect(attempt.lease.signal.reason).toMatchObject({
      name: 'LeaseLostError',
      message:
        'lost the job:sync lease: the store could not be reached to renew it (MongoDB is unreachable); stopped so that the next holder runs alone',
    });
    await attempt.lease.release();
  });
});
