/**
 * Issue 7's "done when": the server's digest (startDigest: schedule + catch-up) posts to
 * a local webhook receiver; the payload's shape, schema and size are checked, its numbers
 * are compared with /api/metrics and /api/action-items of the same server, and a week
 * is posted once across a restart and two schedulers, with retries as specified.
 * Runs on the embedded store, and on MongoDB when MONGODB_URI is set.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import request from 'supertest';
import type { ErrorObject } from 'ajv';
import { loadConfig, type Config } from '../../server/config/config.js';
import { cardBytes, MAX_CARD_BYTES } from '../../server/digest/card.js';
import { formatCountChange, formatDuration, formatRate } from '../../server/digest/format.js';
import { startDigest, type RunningDigest } from '../../server/digest/startDigest.js';
import type { SinkResponse, WebhookSink } from '../../server/digest/webhookSink.js';
import { startWebhookSink } from '../../server/digest/webhookSink.js';
import type { MetricsResponse, TimeMetric } from '../../server/domain/api.js';
import type { SeverityKey } from '../../server/domain/types.js';
import { createApp } from '../../server/http/app.js';
import { createDigestService, createServices, type ServiceBase } from '../../server/assembly/index.js';
import { createLogger } from '../../server/logging.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { MongoStore } from '../../server/store/mongo/MongoStore.js';
import type { Store } from '../../server/store/Store.js';
import { availableStores, tempDir } from '../support/stores.js';
import { cardValidator } from './cardSchema.js';
import { NOW, sampleData } from './fixtures.js';

const WEEK_MS = 7 * 86_400_000;
const TEAMS_APP_ID = '3f0c7b0e-8a4d-4f53-9f5e-1a2b3c4d5e6f';

/** A store that can be closed and opened again on the same data: a restart. */
interface Reopenable {
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

let mongoDb = 0;
function reopenable(kind: 'embedded' | 'mongodb'): Reopenable {
  if (kind === 'embedded') {
    const dir = tempDir('pmi-digest-');
    return {
      open: () => EmbeddedStore.create(dir),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = new URL(process.env.MONGODB_URI as string);
  url.pathname = `/pmi_digest_${process.pid}_${Date.now()}_${mongoDb++}`;
  return {
    open: () => MongoStore.create(url.toString()),
    async dispose() {
      const store = await MongoStore.create(url.toString());
      await (store as unknown as { connection: { dropDatabase(): Promise<void> } }).connection.dropDatabase();
      await store.close();
    },
  };
}

function baseOf(config: Config, store: Store, now: Date): ServiceBase {
  return { config, store, logger: createLogger('silent'), now: () => now };
}

/** The server's digest schedule (no cron) over the product's DigestService, whose posts never wait long. */
function digestOf(config: Config, store: Store, now: Date, options: { retryFailedAfterMs?: number } = {}) {
  const base = baseOf(config, store, now);
  const service = createDigestService({ ...base, source: createServices(base).metrics, delivery: noWaiting });
  return startDigest({ ...base, service, schedule: false, ...options });
}

/** The API of a server over the same store. */
function appOver(config: Config, store: Store, now: Date) {
  const base = baseOf(config, store, now);
  return createApp({ ...base, ...createServices(base) });
}

function configFor(sink: WebhookSink): Config {
  return loadConfig({
    DATA_DIR: '/nonexistent-unused',
    TIMEZONE: 'Europe/Berlin',
    DIGEST_CRON: '0 9 * * 1',
    TEAMS_WEBHOOK_URL: sink.url,
    PUBLIC_URL: 'https://pmi.example.com',
    TEAMS_APP_ID,
  });
}

const noWaiting = { sleep: async () => {}, random: () => 0, maxAttempts: 4, timeoutMs: 2000 };

type Card = { body: Array<Record<string, unknown>>; actions?: Array<Record<string, unknown>> };

function cardOf(message: { body: unknown }): Card {
  const body = message.body as { attachments: Array<{ content: Card }> };
  return body.attachments[0]?.content as Card;
}

function weekOf(message: { body: unknown }): string {
  return /Reliability digest, week (\d{4}-W\d{2})/.exec(JSON.stringify(message.body))?.[1] ?? '?';
}

function fact(card: Card, title: string): string | undefined {
  for (const element of card.body) {
    if (element.type !== 'FactSet') continue;
    const found = (element.facts as Array<{ title: string; value: string }>).find((f) => f.title === title);
    if (found) return found.value;
  }
  return undefined;
}

function median(current: TimeMetric, previous: TimeMetric): string {
  return `${formatDuration(current.medianSeconds)} over ${current.count} incident${current.count === 1 ? '' : 's'} (week before ${formatDuration(previous.medianSeconds)}`;
}

let validate: (card: unknown) => ErrorObject[];
beforeAll(() => {
  validate = cardValidator();
});

describe.each(availableStores().map((h) => h.name))('weekly digest end to end (%s store)', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(respond?: (n: number) => SinkResponse) {
    const sink = await startWebhookSink(respond ? { respond: (_m, n) => respond(n) } : {});
    const data = reopenable(kind);
    const store = await data.open();
    const { incidents, actionItems, postmortems } = sampleData();
    await store.upsertIncidents(incidents);
    await store.upsertActionItems(actionItems);
    for (const p of postmortems) await store.savePostmortem(p);
    const config = configFor(sink);
    const state = { store };
    cleanups.push(async () => {
      await sink.close();
      await state.store.close().catch(() => undefined);
      await data.dispose();
    });
    return { sink, data, config, state };
  }

  async function start(config: Config, store: Store, now: Date): Promise<RunningDigest> {
    const running = await digestOf(config, store, now);
    await running.catchUp;
    return running;
  }

  it('posts the week once: right shape, valid schema, under 28 KB, the same numbers as /api/metrics', async () => {
    const { sink, config, state } = await setup();
    const digest = await start(config, state.store, NOW);
    await digest.stop();

    expect(sink.accepted).toHaveLength(1);
    const [message] = sink.accepted;
    expect(message?.contentType).toBe('application/json');
    expect(message?.body).toEqual({
      type: 'message',
      attachments: [
        { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: expect.any(Object) },
      ],
    });
    const card = cardOf(message!);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(validate(card)).toEqual([]);
    expect(message!.bytes).toBeLessThan(MAX_CARD_BYTES);
    expect(cardBytes(card)).toBeLessThan(MAX_CARD_BYTES);

    // The same numbers as the API of a server over the same store.
    const app = appOver(config, state.store, NOW);
    const week = (
      await request(app)
        .get('/api/metrics')
        .query({ from: '2026-11-15T23:00:00Z', to: '2026-11-22T23:00:00Z' })
        .expect(200)
    ).body as MetricsResponse;
    const previous = week.previous!;
    expect(JSON.stringify(card)).toContain(
      `Incidents: ${week.incidents.total} (week before ${previous.incidents.total}, ${formatCountChange(week.incidents.total, previous.incidents.total)})`,
    );
    for (const [severity, count] of Object.entries(week.incidents.bySeverity)) {
      if (!count && !previous.incidents.bySeverity[severity as SeverityKey]) continue;
      expect(fact(card, severity)).toMatch(
        new RegExp(`^${count} \\(week before ${previous.incidents.bySeverity[severity as SeverityKey] ?? 0},`),
      );
    }
    expect(fact(card, 'Time to detect')).toContain(median(week.timeToDetect, previous.timeToDetect));
    expect(fact(card, 'Time to acknowledge')).toContain(median(week.timeToAcknowledge, previous.timeToAcknowledge));
    expect(fact(card, 'Time to resolve')).toContain(median(week.timeToResolve, previous.timeToResolve));

    // Opened, closed and on-time rate: the 52-week window ending with the week, and one ending a week earlier.
    const year = (
      await request(app)
        .get('/api/metrics')
        .query({ from: '2025-11-23T23:00:00Z', to: '2026-11-22T23:00:00Z' })
        .expect(200)
    ).body as MetricsResponse;
    const yearBefore = (
      await request(app)
        .get('/api/metrics')
        .query({ from: '2025-11-16T23:00:00Z', to: '2026-11-15T23:00:00Z' })
        .expect(200)
    ).body as MetricsResponse;
    const row = (start: string) => year.weekly!.find((w) => w.weekStart === start)!;
    expect(fact(card, 'Opened')).toMatch(
      new RegExp(`^${row('2026-11-16').actionItemsOpened} \\(week before ${row('2026-11-09').actionItemsOpened},`),
    );
    expect(fact(card, 'Closed')).toMatch(
      new RegExp(`^${row('2026-11-16').actionItemsClosed} \\(week before ${row('2026-11-09').actionItemsClosed},`),
    );
    expect(fact(card, 'On-time rate')).toMatch(
      new RegExp(
        `^${formatRate(year.actionItems.onTimeRate)} \\(a week earlier ${formatRate(yearBefore.actionItems.onTimeRate)},`,
      ),
    );

    const overdue = (await request(app).get('/api/action-items').query({ overdue: 'true' }).expect(200)).body as {
      items: Array<{ key: string; owner: string | null; daysOverdue: number }>;
    };
    expect(fact(card, 'Overdue now')).toBe(String(overdue.items.length));
    const mostOverdueAt = card.body.findIndex((e) => e.text === 'Most overdue action items');
    const listed = card.body
      .slice(mostOverdueAt)
      .map((e) => String(e.text ?? ''))
      .filter((t) => /^\*\*\[ACT-/.test(t));
    expect(listed.map((t) => /\[(ACT-\d+)\]/.exec(t)?.[1])).toEqual(overdue.items.slice(0, 5).map((i) => i.key));
    overdue.items.slice(0, 5).forEach((item, i) => {
      expect(listed[i]).toContain(`**${item.daysOverdue} days overdue**`);
      expect(listed[i]).toContain(item.owner ?? 'No owner');
      expect(listed[i]).toContain(`(https://example.atlassian.net/browse/${item.key})`);
    });
    expect(JSON.stringify(card)).toContain(`and ${overdue.items.length - 5} more overdue items.`);

    // The late fixes and the noise verdicts: the week's own /api/metrics window.
    const lateFixesAt = card.body.findIndex((e) => e.text === "Late fixes this week's incidents hit");
    const lateListed = card.body
      .slice(lateFixesAt, mostOverdueAt)
      .map((e) => String(e.text ?? ''))
      .filter((t) => /^\*\*\[ACT-/.test(t));
    expect(lateListed.map((t) => /\[(ACT-\d+)\]/.exec(t)?.[1])).toEqual(
      week.recurrence!.items.slice(0, 5).map((i) => i.key),
    );
    expect(String(card.body[lateFixesAt + 1]?.text)).toContain(`${week.recurrence!.behindOverdueFix} of the week's`);
    expect(String(card.body.find((e) => String(e.text ?? '').startsWith('Incidents:'))?.text)).toContain(
      week.change!.incidents.significant ? '(significant' : '(within noise)',
    );

    // The chart the card points at is served, without credentials, as a PNG.
    const image = card.body.find((e) => e.type === 'Image');
    expect(image?.url).toBe('https://pmi.example.com/api/digest/chart/2026-W47.png');
    const png = await request(app).get('/api/digest/chart/2026-W47.png').expect(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect((png.body as Buffer).subarray(1, 4).toString('latin1')).toBe('PNG');

    // The buttons: the Teams tab, the overdue list and the week's review agenda.
    expect(
      card.actions?.map((a) => String(a.url).startsWith(`https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/`)),
    ).toEqual([true, true, true]);

    // Health shows it.
    const health = await request(app).get('/api/health').expect(200);
    expect(health.body.digest).toMatchObject({
      lastWeek: '2026-W47',
      state: 'posted',
      uncertainWeeks: [],
      failedWeeks: [],
      webhookHost: new URL(sink.url).host,
    });
    expect(JSON.stringify(health.body)).not.toContain('sig=');
  });

  it('posts once across a restart, and once with two schedulers firing together', async () => {
    const { sink, data, config, state } = await setup();
    const first = await start(config, state.store, NOW);
    await first.stop();
    await state.store.close();

    // Restart: a new process on the same data, a few minutes later.
    state.store = await data.open();
    const restarted = await start(config, state.store, new Date(NOW.getTime() + 5 * 60_000));
    await restarted.stop();
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W47']);

    // A week later, two schedulers (two replicas) fire at once.
    const nextMonday = new Date(NOW.getTime() + WEEK_MS);
    const [a, b] = await Promise.all([
      digestOf(config, state.store, nextMonday),
      digestOf(config, state.store, nextMonday),
    ]);
    await Promise.all([a.catchUp, b.catchUp, a.job?.runNow(), b.job?.runNow()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W47', '2026-W48']);
    expect(await state.store.getDigest('2026-W48')).toMatchObject({ state: 'posted', attempts: 1 });

    // Without the scheduler's lease in between: two runs race on the week's claim alone.
    const weekAfter = new Date(NOW.getTime() + 2 * WEEK_MS);
    const results = await Promise.all([a.service.run(weekAfter), b.service.run(weekAfter)]);
    expect(results.flatMap((r) => r.weeks.map((w) => w.action)).sort()).toEqual(['posted', 'skipped']);
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W47', '2026-W48', '2026-W49']);
  });

  it('a server down on Monday posts when it comes back, once', async () => {
    const { sink, config, state } = await setup();
    const lastMonday = new Date(NOW.getTime() - WEEK_MS);
    await (await start(config, state.store, lastMonday)).stop();
    // Down through this Monday 09:00; back on Tuesday afternoon.
    const tuesday = new Date(NOW.getTime() + 30 * 3_600_000);
    await (await start(config, state.store, tuesday)).stop();
    await (await start(config, state.store, new Date(tuesday.getTime() + 60_000))).stop();
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W46', '2026-W47']);
  });

  it('retries 5xx and 429, then records the post with its attempts', async () => {
    const { sink, config, state } = await setup(
      (n) => [{ status: 502 }, { status: 429, headers: { 'retry-after': '0' } }][n - 1] ?? { status: 202 },
    );
    await (await start(config, state.store, NOW)).stop();
    expect(sink.received).toHaveLength(3);
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W47']);
    expect(await state.store.getDigest('2026-W47')).toMatchObject({ state: 'posted', attempts: 3, lastError: null });
  });

  it('when retries run out on 5xx, tries the week again a little later, without waiting for the next tick', async () => {
    const { sink, config, state } = await setup((n) =>
      n <= noWaiting.maxAttempts ? { status: 503, body: 'busy' } : { status: 202 },
    );
    const running = await digestOf(config, state.store, NOW, { retryFailedAfterMs: 50 });
    await running.catchUp;
    expect(await state.store.getDigest('2026-W47')).toMatchObject({ state: 'failed', attempts: noWaiting.maxAttempts });
    for (let i = 0; i < 100 && sink.accepted.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    await running.stop();
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W47']);
    expect(await state.store.getDigest('2026-W47')).toMatchObject({
      state: 'posted',
      attempts: noWaiting.maxAttempts + 1,
    });
  });

  it('does not retry a 4xx, shows its text in /api/health, and posts on the next run once fixed', async () => {
    let refuse = true;
    const { sink, config, state } = await setup(() =>
      refuse ? { status: 404, body: 'The workflow was not found or is disabled' } : { status: 202 },
    );
    await (await start(config, state.store, NOW)).stop();
    expect(sink.received).toHaveLength(1);
    const app = appOver(config, state.store, NOW);
    const health = await request(app).get('/api/health').expect(200);
    expect(health.body.digest).toMatchObject({ lastWeek: '2026-W47', state: 'failed', failedWeeks: ['2026-W47'] });
    expect(health.body.digest.lastError).toContain('HTTP 404');
    expect(health.body.digest.lastError).toContain('The workflow was not found or is disabled');

    refuse = false;
    await (await start(config, state.store, new Date(NOW.getTime() + 3_600_000))).stop();
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W47']);
    expect((await request(app).get('/api/health').expect(200)).body.digest).toMatchObject({
      state: 'posted',
      failedWeeks: [],
    });
  });

  it('a crash between posting and recording: uncertain in /api/health, not reposted, settled with --week', async () => {
    const { sink, config, state } = await setup();
    // The process dies right after Teams accepted the card: the record stays "claimed".
    const dying = new Proxy(state.store, {
      get(target, prop, receiver) {
        if (prop === 'updateDigest')
          return async () => {
            throw new Error('process killed');
          };
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await (await start(config, dying, NOW)).stop();
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W47']);
    expect(await state.store.getDigest('2026-W47')).toMatchObject({ state: 'claimed' });

    const later = new Date(NOW.getTime() + 3_600_000);
    const restarted = await start(config, state.store, later);
    await restarted.stop();
    expect(sink.accepted).toHaveLength(1);
    const app = appOver(config, state.store, later);
    expect((await request(app).get('/api/health').expect(200)).body.digest).toMatchObject({
      state: 'uncertain',
      uncertainWeeks: ['2026-W47'],
    });

    // A person checks the channel, finds it missing, and posts it: npm run digest -- --week 2026-W47.
    const settled = await restarted.service.run(later, { manual: true, week: '2026-W47' });
    expect(settled.weeks.map((w) => w.action)).toEqual(['posted']);
    expect(sink.accepted.map(weekOf)).toEqual(['2026-W47', '2026-W47']);
    expect((await request(app).get('/api/health').expect(200)).body.digest).toMatchObject({
      state: 'posted',
      uncertainWeeks: [],
    });
  });
});
