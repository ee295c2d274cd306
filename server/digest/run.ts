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
 * The moves between states are transitions.ts; what a claim's age means, and the health
 * block, are claims.ts; composing the card is weekCard.ts.
 *
 * Which weeks a scheduled run looks at: the latest week whose digest is due (see
 * weeks.ts) and the BACKFILL_WEEKS - 1 weeks before it; a week without a record is
 * posted when it is newer than the newest recorded week (so a server that was down on
 * Monday posts on its return, and a fresh install starts with the latest week only).
 */
import type { Logger } from 'pino';
import { InputError } from '../errors.js';
import type { DigestRecord } from '../domain/types.js';
import type { Store } from '../store/Store.js';
import type { AdaptiveCard } from './card.js';
import { isAbandoned } from './claims.js';
import type { DigestContent, DigestSource } from './content.js';
import type { DeliveryOptions } from './delivery.js';
import { WeekTransitions, type WeekOutcome } from './transitions.js';
import { buildWeekCard } from './weekCard.js';
import { BACKFILL_WEEKS, lastCompleteWeek, latestDueWeek, parseWeek, shiftWeek, weekRange } from './weeks.js';

export type { WeekAction, WeekOutcome } from './transitions.js';

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

export interface DigestRunResult {
  weeks: WeekOutcome[];
  /** The card of the (last) week built, for dry runs and the CLI. */
  card: AdaptiveCard | null;
  content: DigestContent | null;
}

export async function runDigest(deps: DigestDeps, now: Date, options: DigestRunOptions = {}): Promise<DigestRunResult> {
  const week = options.week === undefined ? undefined : parseWeek(options.week, '--week');
  if (options.dryRun) return dryRun(deps, week ?? lastCompleteWeek(now, deps.timezone), now);
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
  const { outcomes, lastCard, lastContent } = run.weeks;
  return { weeks: outcomes, card: lastCard, content: lastContent };
}

async function dryRun(deps: DigestDeps, week: string, now: Date): Promise<DigestRunResult> {
  const { card, content } = await buildWeekCard(deps, week, now);
  return {
    weeks: [
      {
        week,
        action: 'dry-run',
        state: (await deps.store.getDigest(week))?.state ?? null,
        reason: 'dry run: nothing claimed or sent',
      },
    ],
    card,
    content,
  };
}

/** Which move each week takes, scheduled or asked for by a person. */
class DigestRun {
  readonly weeks: WeekTransitions;

  constructor(
    private readonly deps: DigestDeps,
    private readonly now: Date,
  ) {
    this.weeks = new WeekTransitions(deps, now);
  }

  private isAbandoned(record: DigestRecord): boolean {
    return isAbandoned(record, this.weeks.clock(), this.weeks.timeoutMs);
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
        if (missed) await this.weeks.claimAndPost(week, false);
        continue;
      }
      await this.settleExisting(existing);
    }
  }

  /** What a scheduled run does with a week that already has a record. */
  private async settleExisting(record: DigestRecord): Promise<void> {
    const { week } = record;
    if (this.isAbandoned(record)) {
      await this.weeks.markUncertain(record);
      return;
    }
    switch (record.state) {
      case 'posted':
        return;
      case 'claimed':
        this.weeks.record({
          week,
          action: 'skipped',
          state: 'claimed',
          reason: `being posted by ${record.holder} since ${record.claimedAt}`,
        });
        return;
      case 'uncertain':
        this.weeks.record({
          week,
          action: 'skipped',
          state: 'uncertain',
          reason: `uncertain (it may or may not be in the channel): check, then run npm run digest -- --week ${week} to post it, or add --mark-posted if it is there`,
        });
        return;
      case 'failed':
        await this.weeks.reclaimAndPost(record, ['failed'], false);
        return;
    }
  }

  async manualWeek(week: string, options: DigestRunOptions): Promise<void> {
    const { store } = this.deps;
    let record = await store.getDigest(week);
    if (record !== null && this.isAbandoned(record)) {
      await this.weeks.markUncertain(record);
      record = await store.getDigest(week);
    }
    if (options.markPosted) {
      await this.weeks.markPosted(week, record);
      return;
    }
    if (record === null) {
      await this.weeks.claimAndPost(week, true);
      return;
    }
    switch (record.state) {
      case 'claimed':
        this.weeks.beingPosted(record);
        return;
      case 'posted':
        if (!options.force) {
          this.weeks.record({
            week,
            action: 'skipped',
            state: 'posted',
            reason: `already posted at ${record.postedAt ?? record.claimedAt}; add --force to post it again`,
          });
          return;
        }
        await this.weeks.reclaimAndPost(record, ['posted'], true);
        return;
      case 'uncertain':
      case 'failed':
        await this.weeks.reclaimAndPost(record, ['uncertain', 'failed'], true);
        return;
    }
  }
}
