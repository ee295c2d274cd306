/** The scheduler's guards: no overlapping runs in a process, one lease holder across processes. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { scheduleJob } from '../../jobs/scheduler.js';
import { createLogger } from '../../server/logging.js';
import type { Store } from '../../server/store/Store.js';
import { embeddedHarness } from '../support/stores.js';

const logger = createLogger('silent');

describe('scheduleJob', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await embeddedHarness.open());
  });
  afterEach(() => cleanup());

  function deferred() {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  it('skips a run while the previous one is still going', async () => {
    const gate = deferred();
    let runs = 0;
    const job = scheduleJob({ name: 'sync', cron: '* * * * *', timezone: 'UTC', store, logger, start: false, run: async () => { runs += 1; await gate.promise; return runs; } });
    const first = job.runNow();
    expect(await job.runNow()).toEqual({ ran: false, reason: 'already-running' });
    gate.resolve();
    expect(await first).toEqual({ ran: true, result: 1 });
    expect(await job.runNow()).toEqual({ ran: true, result: 2 });
  });

  it('lets only the lease holder run when two schedulers share a store', async () => {
    const gate = deferred();
    const ran: string[] = [];
    const make = (holder: string) =>
      scheduleJob({ name: 'digest', cron: '0 9 * * 1', timezone: 'Europe/Berlin', store, logger, holder, start: false, run: async () => { ran.push(holder); await gate.promise; } });
    const a = make('replica-a');
    const b = make('replica-b');
    const first = a.runNow();
    await new Promise((r) => setTimeout(r, 20));
    expect(await b.runNow()).toEqual({ ran: false, reason: 'lease-held-elsewhere' });
    gate.resolve();
    await first;
    expect(await b.runNow()).toMatchObject({ ran: true });
    expect(ran).toEqual(['replica-a', 'replica-b']);
  });

  it('reports a failed run without throwing, and releases the lease', async () => {
    const job = scheduleJob({ name: 'sync', cron: '* * * * *', timezone: 'UTC', store, logger, holder: 'a', start: false, run: async () => { throw new Error('Jira said 503'); } });
    const outcome = await job.runNow();
    expect(outcome).toMatchObject({ ran: true, error: expect.objectContaining({ message: 'Jira said 503' }) });
    expect(await store.acquireLease('job:sync', 'b', 1000, new Date())).toBe(true);
  });

  it('schedules in the configured time zone and stops cleanly', async () => {
    const job = scheduleJob({ name: 'digest', cron: '0 9 * * 1', timezone: 'America/New_York', store, logger, run: async () => undefined });
    const next = job.nextRun();
    expect(next).not.toBeNull();
    // 09:00 in New York is 13:00 or 14:00 UTC depending on daylight saving.
    expect([13, 14]).toContain(next!.getUTCHours());
    expect(next!.getUTCDay()).toBe(1);
    await job.stop();
  });
});
