/**
 * The weekly claim flow: one post per week whatever happens around it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { describe, it, expect, afterEach } from '@jest/globals';
import type { Logger } from 'pino';
import { digestHealth } from '../../server/digest/claims.js';
import { runDigest as runDigestWith } from '../../server/digest/run.js';
import type { DigestDeps, DigestRunOptions } from '../../server/digest/run.js';
import type { SinkResponse, WebhookSink } from '../../server/digest/webhookSink.js';
import { startWebhookSink } from '../../server/digest/webhookSink.js';
import { newLeaseHolder } from '../../server/leases/holder.js';
import { MetricsService } from '../../server/metrics/index.js';
import type { Store } from '../../server/store/Store.js';
import { NOW, SLA_DAYS, ZONE, sampleData } from './fixtures.js';
import { capturingLogger } from './logging.js';
import { memoryStore } from './memoryStore.js';
import { availableStores } from '../support/stores.js';

const MINUTE = 60_000;
const sinks: WebhookSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

async function sink(respond?: (n: number) => SinkResponse): Promise<WebhookSink> {
  const s = await startWebhookSink(respond ? { respond: (_m, n) => respond(n) } : {});
  sinks.push(s);
  return s;
}

function depsFor(store: Store, target: WebhookSink | null, holder = 'replica-a', logger?: Logger): DigestDeps {
  return {
    store,
    source: new MetricsService(store, { timezone: ZONE, slaDays: SLA_DAYS, now: () => NOW }),
    logger: logger ?? capturingLogger().logger,
    timezone: ZONE,
    cron: '0 9 * * 1',
    webhookUrl: target?.url ?? null,
    publicUrl: 'https://pmi.example.com',
    teamsAppId: null,
    holder,
    delivery: { sleep: async () => {}, random: () => 0, maxAttempts: 3, timeoutMs: 2000 },
    claimTimeoutMs: 10 * MINUTE,
  };
}

/** A run at `now`, with the wall clock at `now` too. */
function runDigest(deps: DigestDeps, now: Date, options?: DigestRunOptions) {
  return runDigestWith({ ...deps, clock: () => now }, now, options);
}

function weeksPosted(target: WebhookSink): string[] {
  return target.accepted.map((m) => {
    const text = JSON.stringify(m.body);
    return /Reliability digest, week (\d{4}-W\d{2})/.exec(text)?.[1] ?? '?';
  });
}

describe('runDigest (scheduled)', () => {
  it('posts last week once Monday 09:00 has passed, and records it', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    const result = await runDigest(depsFor(store, target), NOW);
    expect(result.weeks).toEqual([expect.objectContaining({ week: '2026-W47', action: 'posted', state: 'posted' })]);
    expect(weeksPosted(target)).toEqual(['2026-W47']);
    expect(await store.getDigest('2026-W47')).toMatchObject({
      state: 'posted',
      postedAt: NOW.toISOString(),
      attempts: 1,
      manual: false,
      holder: 'replica-a',
    });
  });

  it('does nothing on the next tick, the next day, or after a restart', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    await runDigest(depsFor(store, target), NOW);
    await runDigest(depsFor(store, target, 'replica-a-restarted'), new Date(NOW.getTime() + 5 * MINUTE));
    const nextDay = await runDigest(depsFor(store, target), new Date(NOW.getTime() + 24 * 60 * MINUTE));
    expect(nextDay.weeks).toEqual([]);
    expect(weeksPosted(target)).toEqual(['2026-W47']);
  });

  it('before Monday 09:00 the latest due week is the one before', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    await runDigest(depsFor(store, target), new Date('2026-11-23T07:00:00Z'));
    expect(weeksPosted(target)).toEqual(['2026-W46']);
    await runDigest(depsFor(store, target), new Date('2026-11-23T08:00:00Z'));
    expect(weeksPosted(target)).toEqual(['2026-W46', '2026-W47']);
  });

  it('catches up missed weeks after downtime, oldest first, once each', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    await runDigest(depsFor(store, target), new Date('2026-11-09T09:00:00Z')); // posts W45
    // Down on 16 and 23 Nov; back on Wednesday 25 Nov.
    const back = new Date('2026-11-25T10:00:00Z');
    const result = await runDigest(depsFor(store, target), back);
    expect(result.weeks.map((w) => [w.week, w.action])).toEqual([
      ['2026-W46', 'posted'],
      ['2026-W47', 'posted'],
    ]);
    await runDigest(depsFor(store, target), back);
    expect(weeksPosted(target)).toEqual(['2026-W45', '2026-W46', '2026-W47']);
  });

  it('two schedulers firing together post once', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    const results = await Promise.all([
      runDigest(depsFor(store, target, 'replica-a'), NOW),
      runDigest(depsFor(store, target, 'replica-b'), NOW),
    ]);
    expect(weeksPosted(target)).toEqual(['2026-W47']);
    expect(results.flatMap((r) => r.weeks.map((w) => w.action)).sort()).toEqual(['posted', 'skipped']);
  });

  it('retries 5xx and 429 within the run and counts the attempts', async () => {
    const store = memoryStore(sampleData());
    const target = await sink((n) =>
      n === 1 ? { status: 503 } : n === 2 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 202 },
    );
    const result = await runDigest(depsFor(store, target), NOW);
    expect(result.weeks[0]).toMatchObject({ action: 'posted' });
    expect(target.received).toHaveLength(3);
    expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'posted', attempts: 3 });
  });

  it('records a refused post (4xx) with the response text, without retrying, and tries again on the next run', async () => {
    const store = memoryStore(sampleData());
    let refuse = true;
    const target = await sink(() =>
      refuse ? { status: 400, body: 'Flow trigger: attachments[0].content is not a valid card' } : { status: 202 },
    );
    const first = await runDigest(depsFor(store, target), NOW);
    expect(first.weeks[0]).toMatchObject({ week: '2026-W47', action: 'failed', state: 'failed' });
    expect(target.received).toHaveLength(1);
    const record = await store.getDigest('2026-W47');
    expect(record?.lastError).toContain('HTTP 400');
    expect(record?.lastError).toContain('is not a valid card');
    expect(await digestHealth(store, NOW)).toMatchObject({
      lastWeek: '2026-W47',
      state: 'failed',
      failedWeeks: ['2026-W47'],
    });

    refuse = false;
    const second = await runDigest(depsFor(store, target), new Date(NOW.getTime() + 60 * MINUTE));
    expect(second.weeks[0]).toMatchObject({ week: '2026-W47', action: 'posted' });
    expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'posted', attempts: 2, lastError: null });
    expect(weeksPosted(target)).toEqual(['2026-W47']);
  });

  it('marks an abandoned claim uncertain only if it is still that claim: a holder that finished meanwhile keeps "posted"', async () => {
    for (const harness of availableStores()) {
      const { store, cleanup } = await harness.open();
      try {
        const target = await sink();
        await store.claimDigest('2026-W47', 'replica-a', NOW, false); // replica-a stalls while posting
        const later = new Date(NOW.getTime() + 30 * MINUTE);
        // replica-b reads the claim; right after that read, replica-a records its post.
        let raced = false;
        const racing = new Proxy(store, {
          get(target_, property) {
            if (property === 'getDigest') {
              return async (week: string) => {
                const read = await target_.getDigest(week);
                if (!raced && read?.state === 'claimed') {
                  raced = true;
                  await target_.updateDigest(week, { state: 'posted', postedAt: later.toISOString(), attempts: 1 });
                }
                return read;
              };
            }
            const value = Reflect.get(target_, property) as unknown;
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target_) : value;
          },
        });
        const result = await runDigest(depsFor(racing, target, 'replica-b'), later);
        expect(raced).toBe(true);
        expect(result.weeks.find((w) => w.week === '2026-W47')).toMatchObject({ action: 'skipped', state: 'posted' });
        expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'posted', lastError: null });
        expect(weeksPosted(target)).toEqual([]);
      } finally {
        await cleanup();
      }
    }
  });

  it('a crash between posting and recording leaves the week uncertain: shown in health, never reposted by itself', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    store.failUpdates = true; // the post succeeds, recording it does not (the process "dies" here)
    await expect(runDigest(depsFor(store, target), NOW)).rejects.toThrow('store unavailable');
    store.failUpdates = false;
    expect(weeksPosted(target)).toEqual(['2026-W47']);
    expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'claimed' });

    // Soon after: the claim may still be live, so nobody touches it.
    const soon = await runDigest(depsFor(store, target, 'replica-b'), new Date(NOW.getTime() + 2 * MINUTE));
    expect(soon.weeks[0]).toMatchObject({ action: 'skipped', state: 'claimed' });
    expect((await digestHealth(store, new Date(NOW.getTime() + 2 * MINUTE))).uncertainWeeks).toEqual([]);

    // Once no delivery could still be running, health calls it uncertain even before a run does.
    const later = new Date(NOW.getTime() + 30 * MINUTE);
    expect(await digestHealth(store, later)).toMatchObject({ state: 'uncertain', uncertainWeeks: ['2026-W47'] });
    const restarted = await runDigest(depsFor(store, target, 'replica-b'), later);
    expect(restarted.weeks[0]).toMatchObject({ action: 'marked-uncertain', state: 'uncertain' });
    expect((await store.getDigest('2026-W47'))?.lastError).toContain('may or may not be in the channel');
    // A week later the next week posts as usual; the uncertain one still waits for a person.
    await runDigest(depsFor(store, target), new Date(later.getTime() + 7 * 24 * 60 * MINUTE));
    expect(weeksPosted(target)).toEqual(['2026-W47', '2026-W48']);
    expect((await digestHealth(store, later)).uncertainWeeks).toEqual(['2026-W47']);
  });

  it('a claim whose process on this host is gone (killed mid-post) is uncertain at once, not after the claim timeout', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    // A real process that has exited: its pid names no running process.
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    const deadHolder = `${hostname()}/${child.pid}/${randomUUID()}`;
    store.failUpdates = true; // the post succeeds, recording it does not: the process "dies" here
    await expect(runDigest(depsFor(store, target, deadHolder), NOW)).rejects.toThrow('store unavailable');
    store.failUpdates = false;
    expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'claimed', holder: deadHolder });

    const soon = new Date(NOW.getTime() + 2 * MINUTE);
    expect(await digestHealth(store, soon)).toMatchObject({ state: 'uncertain', uncertainWeeks: ['2026-W47'] });
    const next = await runDigest(depsFor(store, target, newLeaseHolder()), soon);
    expect(next.weeks[0]).toMatchObject({ action: 'marked-uncertain', state: 'uncertain' });
    // A live holder of this host (this process) is still waited for.
    const store2 = memoryStore(sampleData());
    store2.failUpdates = true;
    await expect(runDigest(depsFor(store2, target, newLeaseHolder()), NOW)).rejects.toThrow('store unavailable');
    store2.failUpdates = false;
    expect((await runDigest(depsFor(store2, target, newLeaseHolder()), soon)).weeks[0]).toMatchObject({
      action: 'skipped',
      state: 'claimed',
    });
  });

  it('refuses to post without TEAMS_WEBHOOK_URL, claiming nothing', async () => {
    const store = memoryStore(sampleData());
    await expect(runDigest(depsFor(store, null), NOW)).rejects.toThrow('TEAMS_WEBHOOK_URL is not set');
    expect(await store.listDigests(10)).toEqual([]);
  });

  it('never logs the webhook URL', async () => {
    const store = memoryStore(sampleData());
    const target = await sink((n) => (n === 1 ? { status: 500, body: 'error' } : { status: 202 }));
    const { logger, lines } = capturingLogger();
    await runDigest(depsFor(store, target, 'replica-a', logger), NOW);
    expect(lines()).toContain('127.0.0.1');
    expect(lines()).not.toContain('sig=');
    expect(lines()).not.toContain(new URL(target.url).pathname);
  });
});

describe('runDigest (by hand)', () => {
  it('--dry-run returns the card and claims and sends nothing', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    const result = await runDigest(depsFor(store, target), NOW, { dryRun: true });
    expect(result.card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(result.weeks).toEqual([expect.objectContaining({ week: '2026-W47', action: 'dry-run' })]);
    expect(target.received).toHaveLength(0);
    expect(await store.listDigests(10)).toEqual([]);
  });

  it('a manual post is recorded, and the schedule then leaves the week alone', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    const early = new Date('2026-11-23T06:00:00Z'); // Monday 07:00 Berlin, before the schedule
    const manual = await runDigest(depsFor(store, target), early, { manual: true });
    expect(manual.weeks[0]).toMatchObject({ week: '2026-W47', action: 'posted' });
    expect(await store.getDigest('2026-W47')).toMatchObject({ manual: true, state: 'posted' });
    await runDigest(depsFor(store, target), NOW);
    expect(weeksPosted(target)).toEqual(['2026-W47']);
  });

  it('does not post a posted week again unless forced', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    await runDigest(depsFor(store, target), NOW);
    const again = await runDigest(depsFor(store, target), NOW, { manual: true });
    expect(again.weeks[0]).toMatchObject({ action: 'skipped', state: 'posted' });
    expect(again.weeks[0]?.reason).toContain('add --force');
    const forced = await runDigest(depsFor(store, target), NOW, { manual: true, week: '2026-W47', force: true });
    expect(forced.weeks[0]).toMatchObject({ action: 'posted' });
    expect(weeksPosted(target)).toEqual(['2026-W47', '2026-W47']);
  });

  it('--week settles an uncertain week by posting it, or by --mark-posted without sending', async () => {
    for (const markPosted of [false, true]) {
      const store = memoryStore(sampleData());
      const target = await sink();
      await store.claimDigest('2026-W47', 'crashed-process', new Date(NOW.getTime() - 60 * MINUTE), false);
      const settled = await runDigest(depsFor(store, target), NOW, { manual: true, week: '2026-W47', markPosted });
      expect(settled.weeks.map((w) => w.action)).toEqual(['marked-uncertain', markPosted ? 'marked-posted' : 'posted']);
      expect(await store.getDigest('2026-W47')).toMatchObject({ state: 'posted', manual: true, lastError: null });
      expect(target.received).toHaveLength(markPosted ? 0 : 1);
      expect((await digestHealth(store, NOW)).uncertainWeeks).toEqual([]);
    }
  });

  it('does not touch a week another process is posting right now', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    await store.claimDigest('2026-W47', 'replica-b', NOW, false);
    const result = await runDigest(depsFor(store, target), new Date(NOW.getTime() + MINUTE), {
      manual: true,
      week: '2026-W47',
    });
    expect(result.weeks[0]).toMatchObject({ action: 'skipped', state: 'claimed' });
    expect(target.received).toHaveLength(0);
  });

  it('refuses to post a week that has not ended (it would claim it), but previews it', async () => {
    const store = memoryStore(sampleData());
    const target = await sink();
    await expect(runDigest(depsFor(store, target), NOW, { manual: true, week: '2026-W48' })).rejects.toThrow(
      '--week 2026-W48 has not ended yet',
    );
    const preview = await runDigest(depsFor(store, target), NOW, { dryRun: true, week: '2026-W48' });
    expect(preview.weeks[0]).toMatchObject({ week: '2026-W48', action: 'dry-run' });
    expect(await store.listDigests(10)).toEqual([]);
    expect(target.received).toHaveLength(0);
  });

  it('refuses a malformed --week, naming the flag', async () => {
    const store = memoryStore(sampleData());
    await expect(runDigest(depsFor(store, null), NOW, { week: '2026-47' })).rejects.toThrow(
      '--week must be an ISO week such as 2026-W47',
    );
  });
});
