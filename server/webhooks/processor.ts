/**
 * The worker behind `POST /api/jira/webhook`. The route only queues a delivery in the
 * store and answers; this worker claims queued deliveries (compare-and-set per delivery,
 * so with several replicas sharing MongoDB each is processed by one of them), collapses
 * the issues they name (a burst for one issue is one read), re-reads and applies them
 * (IssueRefresher), and marks them done. A failure puts the claimed deliveries back with
 * the error, and the worker backs off; a replica that dies mid-work loses its claim when
 * it expires and another replica takes the deliveries over.
 *
 * The replica that received a delivery starts work at once; every replica also looks
 * at the queue every `pollMs`, which covers deliveries received by a replica that died.
 * Done deliveries are kept a day so Jira's retries (up to about 30 minutes late) stay duplicates.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging.js';
import type { Store, WebhookIssueRef } from '../store/Store.js';
import type { IssueRefresher, RefreshCounts } from '../sync/refreshIssues.js';

export interface WebhookProcessorOptions {
  store: Store;
  refresher: IssueRefresher;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** This replica's name in claims; random by default. */
  holder?: string;
  clock?: () => Date;
  pollMs?: number;
  /** Waits this long after a delivery before reading, so a burst collapses into one read. */
  settleMs?: number;
  claimMs?: number;
  batchSize?: number;
  keepDoneMs?: number;
}

export interface WebhookProcessor {
  /** Queues a delivery; false when it is a duplicate. Starts the worker. */
  accept(delivery: { id: string; event: string; issues: WebhookIssueRef[] }): Promise<boolean>;
  /** Starts looking at the shared queue every pollMs (other replicas' deliveries, expired claims). */
  start(): void;
  /** Processes until the queue is empty (tests, the bench). */
  drain(): Promise<void>;
  stop(): Promise<void>;
  /** Deliveries applied and issue reads made by this replica. */
  stats(): { deliveries: number; refreshed: RefreshCounts };
}

export function createWebhookProcessor(options: WebhookProcessorOptions): WebhookProcessor {
  const { store, refresher, logger } = options;
  const holder = options.holder ?? `webhooks-${randomUUID()}`;
  const clock = options.clock ?? (() => new Date());
  const pollMs = options.pollMs ?? 1_000;
  const settleMs = options.settleMs ?? 100;
  const claimMs = options.claimMs ?? 60_000;
  const batchSize = options.batchSize ?? 50;
  const keepDoneMs = options.keepDoneMs ?? 24 * 3_600_000;
  const totals = {
    deliveries: 0,
    refreshed: { read: 0, incidents: 0, actionItems: 0, removed: 0, ignored: 0, stale: 0 } as RefreshCounts,
  };

  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let failures = 0;
  let pausedUntil = 0;
  let lastPrune = 0;
  let poller: NodeJS.Timeout | null = null;
  let settle: NodeJS.Timeout | null = null;

  const processBatch = async (): Promise<boolean> => {
    const claimed = await store.claimWebhookDeliveries(holder, batchSize, clock(), claimMs);
    if (claimed.length === 0) return false;
    const ids = claimed.map((d) => d.id);
    try {
      const counts = await refresher.refresh(claimed.flatMap((d) => d.issues));
      await store.finishWebhookDeliveries(ids, holder, null);
      totals.deliveries += claimed.length;
      for (const key of Object.keys(counts) as Array<keyof RefreshCounts>) totals.refreshed[key] += counts[key];
      failures = 0;
      logger.debug({ deliveries: claimed.length, ...counts }, 'Jira webhook deliveries applied');
      return true;
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 500);
      await store.finishWebhookDeliveries(ids, holder, message).catch(() => {});
      failures += 1;
      const backoff = Math.min(60_000, 1_000 * 2 ** Math.min(failures, 6));
      pausedUntil = Date.now() + backoff;
      logger.warn(
        `Jira webhook deliveries failed (${claimed.length}; retrying in ${Math.round(backoff / 1000)} s): ${message}`,
      );
      return false;
    }
  };

  const work = async (): Promise<void> => {
    do {
      again = false;
      while (!stopped && Date.now() >= pausedUntil && (await processBatch()));
    } while (again && !stopped && Date.now() >= pausedUntil);
    if (Date.now() - lastPrune > 3_600_000) {
      lastPrune = Date.now();
      await store.pruneWebhookDeliveries(new Date(clock().getTime() - keepDoneMs));
    }
  };

  const kick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = work()
      .catch((error: unknown) => logger.warn({ err: error }, 'Jira webhook worker failed; it retries at the next poll'))
      .finally(() => {
        running = null;
      });
    return running;
  };

  const ensurePolling = () => {
    if (poller !== null || stopped) return;
    poller = setInterval(() => void kick(), pollMs);
    poller.unref();
  };

  return {
    async accept(delivery) {
      ensurePolling();
      const queued = await store.enqueueWebhookDelivery({ ...delivery, receivedAt: clock().toISOString() });
      if (queued && settle === null) {
        settle = setTimeout(() => {
          settle = null;
          void kick();
        }, settleMs);
        settle.unref();
      }
      return queued;
    },
    start() {
      ensurePolling();
      void kick();
    },
    async drain() {
      pausedUntil = 0;
      await kick();
      while (running) await running;
    },
    async stop() {
      stopped = true;
      if (poller) clearInterval(poller);
      if (settle) clearTimeout(settle);
      while (running) await running;
    },
    stats: () => ({ deliveries: totals.deliveries, refreshed: { ...totals.refreshed } }),
  };
}
