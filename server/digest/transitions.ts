/**
 * The moves of a week's DigestRecord (run.ts draws the state machine and decides which move
 * a week takes): claim it and post, take a failed or uncertain week back under a per-week
 * lease and post, mark an abandoned claim uncertain, record a week as posted by hand. Each
 * move ends in one recorded, logged outcome.
 */
import { ConflictError } from '../errors.js';
import type { DigestRecord, DigestState } from '../domain/types.js';
import { newLeaseHolder, takeLease } from '../leases/holder.js';
import { cardBytes, type AdaptiveCard } from './card.js';
import { claimTimeoutMs } from './claims.js';
import type { DigestContent } from './content.js';
import { postToWebhook, teamsMessage, webhookHost, type DeliveryResult } from './delivery.js';
import type { DigestDeps } from './run.js';
import { buildWeekCard } from './weekCard.js';

export type WeekAction = 'posted' | 'failed' | 'skipped' | 'dry-run' | 'marked-posted' | 'marked-uncertain';

export interface WeekOutcome {
  week: string;
  action: WeekAction;
  /** The week's record state after the run (null: no record). */
  state: DigestState | null;
  reason: string;
  delivery?: DeliveryResult;
}

export class WeekTransitions {
  readonly outcomes: WeekOutcome[] = [];
  lastCard: AdaptiveCard | null = null;
  lastContent: DigestContent | null = null;
  readonly timeoutMs: number;
  readonly clock: () => Date;
  private readonly holder: string;

  constructor(
    private readonly deps: DigestDeps,
    private readonly now: Date,
  ) {
    this.timeoutMs = claimTimeoutMs(deps);
    this.clock = deps.clock ?? (() => new Date());
    this.holder = deps.holder ?? newLeaseHolder();
  }

  record(outcome: WeekOutcome): void {
    this.outcomes.push(outcome);
    const log = outcome.action === 'failed' || outcome.action === 'marked-uncertain' ? 'warn' : 'info';
    this.deps.logger[log](
      { week: outcome.week, action: outcome.action, state: outcome.state },
      `digest ${outcome.week}: ${outcome.reason}`,
    );
  }

  /** A week whose record changed between reading it and moving it: nothing is done. */
  async changedMeanwhile(week: string, current?: DigestRecord | null): Promise<void> {
    const now = current === undefined ? await this.deps.store.getDigest(week) : current;
    this.record({
      week,
      action: 'skipped',
      state: now?.state ?? null,
      reason: `changed meanwhile (now ${now?.state ?? 'gone'})`,
    });
  }

  async markUncertain(record: DigestRecord): Promise<void> {
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
      await this.changedMeanwhile(record.week);
      return;
    }
    this.record({ week: record.week, action: 'marked-uncertain', state: updated.state, reason });
  }

  /** A person saw the card in the channel: record the week as posted, sending nothing. */
  async markPosted(week: string, record: DigestRecord | null): Promise<void> {
    const { store } = this.deps;
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
      this.beingPosted(record);
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
  }

  /** A person asked for a week another process is posting right now. */
  beingPosted(record: DigestRecord): void {
    this.record({
      week: record.week,
      action: 'skipped',
      state: 'claimed',
      reason: `being posted by ${record.holder} right now; try again later`,
    });
  }

  async claimAndPost(week: string, manual: boolean): Promise<void> {
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
  async reclaimAndPost(record: DigestRecord, from: DigestState[], manual: boolean): Promise<void> {
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
        await this.changedMeanwhile(week, current);
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
