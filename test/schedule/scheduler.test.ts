/** The scheduler's guards: no overlapping runs in a process, one lease holder across processes. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { scheduleJob } from '../../server/schedule/scheduler.js';
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
    const job = scheduleJob({
      name: 'sync',
      cron: '* * * * *',
      timezone: 'UTC',
      store,
      logger,
      start: false,
      run: async () => {
        runs += 1;
        await gate.promise;
        return runs;
      },
    });
    const first = job.runNow();
    expect(await job.runNow()).toEqual({ ran: false, reason: 'already-running' });
    gate.resolve();
    expect(await first).toEqual({ ran: true, result: 1 });
    expect(await job.runNow()).toEqual({ ran: true, result: 2 });
  });

  it('lets only the lease holder run when two schedulers share a store, and names it in the refusal', async () => {
    const gate = deferred();
    const ran: string[] = [];
    const make = (replica: string) =>
      scheduleJob({
        name: 'digest',
        cron: '0 9 * * 1',
        timezone: 'Europe/Berlin',
        store,
        logger,
        start: false,
        run: async () => {
          ran.push(replica);
          await gate.promise;
        },
      });
    const a = make('replica-a');
    const b = make('replica-b');
    const first = a.runNow();
    await new Promise((r) => setTimeout(r, 20));
    const refused = await b.runNow();
    expect(refused).toMatchObject({ ran: false, reason: 'lease-held-elsewhere', holder: { name: 'job:digest' } });
    expect((refused as { refusal: string }).refusal).toMatch(
      /^the job:digest lease is held by .+\/\d+\/[0-9a-f-]{36} until \d{4}-.*Z \(in \d+ s\)$/,
    );
    gate.resolve();
    await first;
    expect(await b.runNow()).toMatchObject({ ran: true });
    expect(ran).toEqual(['replica-a', 'replica-b']);
  });

  it("gives each run of one scheduler its own holder, so a run never renews another run's lease", async () => {
    const holders: string[] = [];
    const job = scheduleJob({
      name: 'sync',
      cron: '* * * * *',
      timezone: 'UTC',
      store,
      logger,
      start: false,
      run: async () => {
        holders.push((await store.getLease('job:sync'))!.holder);
      },
    });
    await job.runNow();
    await job.runNow();
    expect(new Set(holders).size).toBe(2);
  });

  it('renews the lease while the run goes on, and stops the run when a renewal is refused', async () => {
    let signal!: AbortSignal;
    const stolen = deferred();
    const job = scheduleJob({
      name: 'sync',
      cron: '* * * * *',
      timezone: 'UTC',
      store,
      logger,
      start: false,
      leaseMs: 300,
      run: async (_now, s) => {
        signal = s;
        const first = (await store.getLease('job:sync'))!;
        await new Promise((r) => setTimeout(r, 250)); // past one renewal (every 100 ms)
        expect(Date.parse((await store.getLease('job:sync'))!.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
        // Another holder takes it over (as after a long store outage): the next renewal is refused.
        await store.releaseLease('job:sync', first.holder);
        expect(await store.acquireLease('job:sync', 'someone-else', 60_000, new Date())).toBe(true);
        await new Promise<void>((resolve) => s.addEventListener('abort', () => resolve()));
        stolen.resolve();
        s.throwIfAborted();
      },
    });
    const outcome = await job.runNow();
    await stolen.promise;
    expect(signal.aborted).toBe(true);
    expect(outcome).toMatchObject({
      ran: true,
      error: expect.objectContaining({
        name: 'LeaseLostError',
        message: expect.stringMatching(/^lost the job:sync lease: another holder has it \(held by someone-else until/),
      }),
    });
    // The run's release does not take the new holder's lease away.
    expect((await store.getLease('job:sync'))!.holder).toBe('someone-else');
  });

  it('reports a failed run without throwing, and releases the lease', async () => {
    const job = scheduleJob({
      name: 'sync',
      cron: '* * * * *',
      timezone: 'UTC',
      store,
      logger,
      start: false,
      run: async () => {
        throw new Error('Jira said 503');
      },
    });
    const outcome = await job.runNow();
    expect(outcome).toMatchObject({ ran: true, error: expect.objectContaining({ message: 'Jira said 503' }) });
    expect(await store.getLease('job:sync')).toBeNull();
  });

  it('refuses a lease longer than 60 s', async () => {
    const job = scheduleJob({
      name: 'sync',
      cron: '* * * * *',
      timezone: 'UTC',
      store,
      logger,
      start: false,
      leaseMs: 10 * 60_000,
      run: async () => 1,
    });
    await expect(job.runNow()).rejects.toThrow(/a lease lasts 1 ms to 60000 ms/);
  });

  it('schedules in the configured time zone and stops cleanly', async () => {
    const job = scheduleJob({
      name: 'digest',
      cron: '0 9 * * 1',
      timezone: 'America/New_York',
      store,
      logger,
      run: async () => undefined,
    });
    const next = job.nextRun();
    expect(next).not.toBeNull();
    // 09:00 in New York is 13:00 or 14:00 UTC depending on daylight saving.
    expect([13, 14]).toContain(next!.getUTCHours());
    expect(next!.getUTCDay()).toBe(1);
    await job.stop();
  });
});
