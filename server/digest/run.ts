/**
 * The weekly digest job: which weeks to post, the claim that makes each week post once,
 * and the record of what happened.
 *
 * States of a week's DigestRecord (the store keeps `week` unique):
 *
 *   (none) --claim--> claimed --2xx--------------------------> posted
 *                        |----4xx, or retries exhausted-----> failed
 *                        '----holder gone (claim older than
 *                             claimTimeoutMs, still claimed)--> uncertain
 *   failed    --next run (scheduled, start-up or manual), under a per-week lease--> claimed
 *   uncertain --`npm run digest -- --week W`: post it again--> claimed
 *             --`npm run digest -- --week W --mark-posted`---> posted (nothing sent)
 *   posted    --only `--week W --force` (a person asked twice)--> claimed
 *
 * Why: the claim is taken (unique insert) before anything is sent, so a second replica
 * or a restarted process finds the week taken and does nothing. A claim still
 * "claimed" long after any delivery could have finished means its process died between
 * sending and recording: the card may or may not be in the channel. Posting it again
 * could duplicate it, and not posting could skip it, so the week becomes "uncertain",
 * shows in /api/health, and waits for a person to look at the channel and settle it.
 * A "failed" week is known not to have been accepted, so it is simply tried again.
 *
 * Which weeks a scheduled run looks at: the latest week whose digest is due (see
 * weeks.ts) and the BACKFILL_WEEKS - 1 weeks before it; a week without a record is
 * posted when it is newer than the newest recorded week (so a server that was down on
 * Monday posts on its return, and a fresh install starts with the latest week only).
 */
import type { Logger } from 'pino';
import type { DigestHealth } from '../domain/api.js';
import { ConflictError, InputError } from '../errors.js';
import type { DigestRecord, DigestState } from '../domain/types.js';
import { holderIsGone, newLeaseHolder, takeLease } from '../leases/holder.js';
import type { Store } from '../store/Store.js';
import type { AdaptiveCard } from './card.js';
import { buildDigestCard, cardBytes, MAX_CARD_BYTES } from './card.js';
import type { DigestContent, DigestSource } from './content.js';
import { collectDigestContent } from './content.js';
import type { DeliveryOptions, DeliveryResult } from './delivery.js';
import { postToWebhook, teamsMessage, webhookHost, worstCaseDeliveryMs } from './delivery.js';
import { digestLinks } from './links.js';
import { lastCompleteWeek, latestDueWeek, parseWeek, shiftWeek, weekRange } from './weeks.js';

/** How many weeks back a scheduled run still posts a missed week. */
export const BACKFILL_WEEKS = 4;

export interface DigestDeps {
  store: Store;
  /** The metrics the API answers from (MetricsService). */
  source: DigestSource;
  logger: Logger;
  timezone: string;
  /** DIGEST_CRON. */
  cron: string;
  /** TEAMS_WEBHOOK_URL (a secret: never logged). Null: nothing can be posted, only previewed. */
  webhookUrl: string | null;
  publicUrl: string | null;
  teamsAppId: string | null;
  /** Who claims (recorded on the week); default: a fresh identity per run (server/leases/holder.ts). */
  holder?: string;
  delivery?: DeliveryOptions;
  /** A claim older than this, still "claimed", is taken to be abandoned. */
  claimTimeoutMs?: number;
  /**
   * The wall clock for claims, leases and postedAt (a catch-up run can post for minutes,
   * and a claim's age must be measured from when it was really taken); tests fix it.
   */
  clock?: () => Date;
}

export interface DigestRunOptions {
  /** Build and return the card; claim and post nothing. */
  dryRun?: boolean;
  /** The week to post (a person settling or re-sending a week). */
  week?: string;
  /** Started by a person (`npm run digest`) rather than the schedule. */
  manual?: boolean;
  /** With `week`: post even if the week is recorded as posted. */
  force?: boolean;
  /** With `week`: record the week as posted without sending (a person saw it in the channel). */
  markPosted?: boolean;
}

export type WeekAction = 'posted' | 'failed' | 'skipped' | 'dry-run' | 'marked-posted' | 'marked-uncertain';

export interface WeekOutcome {
  week: string;
  action: WeekAction;
  /** The week's record state after the run (null: no record). */
  state: DigestState | null;
  reason: string;
  delivery?: DeliveryResult;
}

export interface DigestRunResult {
  weeks: WeekOutcome[];
  /** The card of the (last) week built, for dry runs and the CLI. */
  card: AdaptiveCard | null;
  content: DigestContent | null;
}

export function claimTimeoutMs(deps: Pick<DigestDeps, 'claimTimeoutMs' | 'delivery'>): number {
  // Comfortably longer than the slowest possible delivery, so a live holder is never declared gone.
  return deps.claimTimeoutMs ?? Math.max(10 * 60_000, 2 * worstCaseDeliveryMs(deps.delivery));
}

/** A claim still "claimed" whose process is known to be dead, or that no live delivery could still hold. */
function isAbandoned(record: DigestRecord, now: Date, timeoutMs: number): boolean {
  if (record.state !== 'claimed') return false;
  return now.getTime() - Date.parse(record.claimedAt) > timeoutMs || holderIsGone(record.holder);
}

/** The card for a week, from the current data. */
export async function buildWeekCard(
  deps: Pick<DigestDeps, 'store' | 'source' | 'timezone' | 'publicUrl' | 'teamsAppId'>,
  week: string,
  now: Date,
): Promise<{ card: AdaptiveCard; content: DigestContent }> {
  const content = await collectDigestContent(deps.source, deps.store, {
    week,
    timezone: deps.timezone,
    now,
    links: digestLinks({ publicUrl: deps.publicUrl, teamsAppId: deps.teamsAppId }, week),
  });
  const card = buildDigestCard(content);
  const bytes = cardBytes(card);
  if (bytes > MAX_CARD_BYTES) {
    throw new Error(`the digest card for ${week} is ${bytes} bytes, over Teams' limit of ${MAX_CARD_BYTES}`);
  }
  return { card, content };
}

export async function runDigest(deps: DigestDeps, now: Date, options: DigestRunOptions = {}): Promise<DigestRunResult> {
  const week = options.week === undefined ? undefined : parseWeek(options.week, '--week');
  if (options.dryRun) {
    const target = week ?? lastCompleteWeek(now, deps.timezone);
    const { card, content } = await buildWeekCard(deps, target, now);
    return {
      weeks: [
        {
          week: target,
          action: 'dry-run',
          state: (await deps.store.getDigest(target))?.state ?? null,
          reason: 'dry run: nothing claimed or sent',
        },
      ],
      card,
      content,
    };
  }
  if (week !== undefined && Date.parse(weekRange(week, deps.timezone).to) > now.getTime()) {
    // Posting a week still in progress would also claim it, and the real digest would then never go out.
    throw new InputError(
      `--week ${week} has not ended yet (in ${deps.timezone}); a digest covers a complete week: use --dry-run to preview it`,
      '--week',
    );
  }
  const run = new DigestRun(deps, now);
  if (week !== undefined || options.manual) {
    const target = week ?? lastCompleteWeek(now, deps.timezone);
    await run.manualWeek(target, options);
  } else {
    await run.scheduled();
  }
  return { weeks: run.outcomes, card: run.lastCard, content: run.lastContent };
}

class DigestRun {
  readonly outcomes: WeekOutcome[] = [];
  lastCard: AdaptiveCard | null = null;
  lastContent: DigestContent | null = null;
  private readonly timeoutMs: number;
  private readonly clock: () => Date;
  private readonly holder: string;

  constructor(
    private readonly deps: DigestDeps,
    private readonly now: Date,
  ) {
    this.timeoutMs = claimTimeoutMs(deps);
    this.clock = deps.clock ?? (() => new Date());
    this.holder = deps.holder ?? newLeaseHolder();
  }

  private record(outcome: WeekOutcome): void {
    this.outcomes.push(outcome);
    const log = outcome.action === 'failed' || outcome.action === 'marked-uncertain' ? 'warn' : 'info';
    this.deps.logger[log](
      { week: outcome.week, action: outcome.action, state: outcome.state },
      `digest ${outcome.week}: ${outcome.reason}`,
    );
  }

  async scheduled(): Promise<void> {
    const { store, cron, timezone } = this.deps;
    const latest = latestDueWeek(this.now, cron, timezone);
    const newest = (await store.listDigests(1))[0]?.week ?? null;
    for (let back = BACKFILL_WEEKS - 1; back >= 0; back -= 1) {
      const week = shiftWeek(latest, -back);
      const existing = await store.getDigest(week);
      if (existing === null) {
        const missed = newest === null ? week === latest : week > newest;
        if (missed) await this.claimAndPost(week, false);
        continue;
      }
      await this.settleExisting(existing, false);
    }
  }

  /** What a scheduled run does with a week that already has a record. */
  private async settleExisting(record: DigestRecord, manual: boolean): Promise<void> {
    const { week } = record;
    if (isAbandoned(record, this.clock(), this.timeoutMs)) {
      await this.markUncertain(record);
      return;
    }
    switch (record.state) {
      case 'posted':
        if (manual)
          this.record({
            week,
            action: 'skipped',
            state: 'posted',
            reason: `already posted at ${record.postedAt ?? record.claimedAt}`,
          });
        return;
      case 'claimed':
        this.record({
          week,
          action: 'skipped',
          state: 'claimed',
          reason: `being posted by ${record.holder} since ${record.claimedAt}`,
        });
        return;
      case 'uncertain':
        this.record({
          week,
          action: 'skipped',
          state: 'uncertain',
          reason: `uncertain (it may or may not be in the channel): check, then run npm run digest -- --week ${week} to post it, or add --mark-posted if it is there`,
        });
        return;
      case 'failed':
        await this.reclaimAndPost(record, ['failed'], manual);
        return;
    }
  }

  private async markUncertain(record: DigestRecord): Promise<void> {
    const reason =
      `claimed by ${record.holder} at ${record.claimedAt} and never marked done: the process stopped while posting, ` +
      'so the card may or may not be in the channel';
    let updated: DigestRecord;
    try {
      // Only the claim that was judged abandoned: its holder may have finished meanwhile.
      updated = await this.deps.store.updateDigest(
        record.week,
        { state: 'uncertain', lastError: reason },
        { state: 'claimed', holder: record.holder, claimedAt: record.claimedAt },
      );
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const current = await this.deps.store.getDigest(record.week);
      this.record({
        week: record.week,
        action: 'skipped',
        state: current?.state ?? null,
        reason: `changed meanwhile (now ${current?.state ?? 'gone'})`,
      });
      return;
    }
    this.record({ week: record.week, action: 'marked-uncertain', state: updated.state, reason });
  }

  async manualWeek(week: string, options: DigestRunOptions): Promise<void> {
    const { store } = this.deps;
    let record = await store.getDigest(week);
    if (record !== null && isAbandoned(record, this.clock(), this.timeoutMs)) {
      await this.markUncertain(record);
      record = await store.getDigest(week);
    }
    if (options.markPosted) {
      if (record === null) {
        const claimed = await store.claimDigest(week, this.holder, this.clock(), true);
        if (claimed === null) {
          this.record({
            week,
            action: 'skipped',
            state: (await store.getDigest(week))?.state ?? null,
            reason: 'claimed by another process meanwhile',
          });
          return;
        }
      } else if (record.state === 'claimed') {
        this.record({
          week,
          action: 'skipped',
          state: 'claimed',
          reason: `being posted by ${record.holder} right now; try again later`,
        });
        return;
      }
      const updated = await store.updateDigest(week, {
        state: 'posted',
        postedAt: record?.postedAt ?? this.clock().toISOString(),
        manual: true,
        lastError: null,
      });
      this.record({
        week,
        action: 'marked-posted',
        state: updated.state,
        reason: 'recorded as posted by hand; nothing was sent',
      });
      return;
    }
    if (record === null) {
      await this.claimAndPost(week, true);
      return;
    }
    switch (record.state) {
      case 'claimed':
        this.record({
          week,
          action: 'skipped',
          state: 'claimed',
          reason: `being posted by ${record.holder} right now; try again later`,
        });
        return;
      case 'posted':
        if (!options.force) {
          this.record({
            week,
            action: 'skipped',
            state: 'posted',
            reason: `already posted at ${record.postedAt ?? record.claimedAt}; add --force to post it again`,
          });
          return;
        }
        await this.reclaimAndPost(record, ['posted'], true);
        return;
      case 'uncertain':
      case 'failed':
        await this.reclaimAndPost(record, ['uncertain', 'failed'], true);
        return;
    }
  }

  private async claimAndPost(week: string, manual: boolean): Promise<void> {
    const built = await this.build(week);
    const claimed = await this.deps.store.claimDigest(week, this.holder, this.clock(), manual);
    if (claimed === null) {
      const existing = await this.deps.store.getDigest(week);
      this.record({
        week,
        action: 'skipped',
        state: existing?.state ?? null,
        reason: `claimed by ${existing?.holder ?? 'another process'} first`,
      });
      return;
    }
    await this.post(claimed, built.card);
  }

  /**
   * Takes an existing record back to "claimed" under a per-week lease, so two processes
   * retrying the same week cannot both send it.
   */
  private async reclaimAndPost(record: DigestRecord, from: DigestState[], manual: boolean): Promise<void> {
    const { store } = this.deps;
    const { holder } = this;
    const { week } = record;
    const built = await this.build(week);
    const attempt = await takeLease(store, `digest-week:${week}`, { now: this.clock });
    if (!attempt.acquired) {
      this.record({
        week,
        action: 'skipped',
        state: record.state,
        reason: `another process is retrying this week (${attempt.refusal})`,
      });
      return;
    }
    let claimed: DigestRecord;
    try {
      const current = await store.getDigest(week);
      if (current === null || !from.includes(current.state)) {
        this.record({
          week,
          action: 'skipped',
          state: current?.state ?? null,
          reason: `changed meanwhile (now ${current?.state ?? 'gone'})`,
        });
        return;
      }
      attempt.lease.signal.throwIfAborted();
      claimed = await store.updateDigest(week, {
        state: 'claimed',
        holder,
        claimedAt: this.clock().toISOString(),
        manual,
        lastError: null,
      });
    } finally {
      await attempt.lease.release();
    }
    await this.post(claimed, built.card);
  }

  private async build(week: string): Promise<{ card: AdaptiveCard }> {
    if (!this.deps.webhookUrl) {
      throw new Error(
        'TEAMS_WEBHOOK_URL is not set: set it to the URL of a Teams Workflows "send webhook alerts to a channel" flow, or use --dry-run',
      );
    }
    const { card, content } = await buildWeekCard(this.deps, week, this.now);
    this.lastCard = card;
    this.lastContent = content;
    return { card };
  }

  private async post(claimed: DigestRecord, card: AdaptiveCard): Promise<void> {
    const { store, logger } = this.deps;
    const url = this.deps.webhookUrl as string;
    logger.info(
      { week: claimed.week, host: webhookHost(url), bytes: cardBytes(card) },
      `digest ${claimed.week}: posting`,
    );
    const result = await postToWebhook(url, teamsMessage(card), { logger, ...this.deps.delivery });
    const attempts = claimed.attempts + result.attempts;
    if (result.ok) {
      const updated = await store.updateDigest(claimed.week, {
        state: 'posted',
        postedAt: this.clock().toISOString(),
        attempts,
        lastError: null,
      });
      this.record({
        week: claimed.week,
        action: 'posted',
        state: updated.state,
        reason: `accepted by ${webhookHost(url)} (HTTP ${result.status}) after ${result.attempts} attempt(s)`,
        delivery: result,
      });
    } else {
      const updated = await store.updateDigest(claimed.week, { state: 'failed', attempts, lastError: result.error });
      this.record({
        week: claimed.week,
        action: 'failed',
        state: updated.state,
        reason: `${result.retryable ? 'gave up after' : 'refused at'} attempt ${result.attempts}: ${result.error ?? 'unknown error'}`,
        delivery: result,
      });
    }
  }
}

/** The `digest` block of /api/health. */
export async function digestHealth(
  store: Store,
  now: Date,
  options: { claimTimeoutMs?: number; webhookUrl?: string | null; delivery?: DeliveryOptions } = {},
): Promise<DigestHealth> {
  const timeoutMs = claimTimeoutMs(options);
  const records = await store.listDigests(BACKFILL_WEEKS * 4);
  const stateOf = (record: DigestRecord): DigestState =>
    isAbandoned(record, now, timeoutMs) ? 'uncertain' : record.state;
  const last = records[0];
  return {
    lastWeek: last?.week ?? null,
    state: last ? stateOf(last) : null,
    at: last ? (last.postedAt ?? last.claimedAt) : null,
    lastError: last?.lastError ?? null,
    uncertainWeeks: records.filter((r) => stateOf(r) === 'uncertain').map((r) => r.week),
    failedWeeks: records.filter((r) => r.state === 'failed').map((r) => r.week),
    webhookHost: options.webhookUrl ? webhookHost(options.webhookUrl) : null,
  };
}
