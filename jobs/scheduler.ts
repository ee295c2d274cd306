/**
 * Runs a job on a cron schedule. The scheduler only decides when: the job itself is a
 * plain async function. Two guards make a run exclusive: within this process a run
 * never starts while the previous one is still going, and across processes (server
 * replicas sharing MongoDB) a store lease lets one holder at a time run it.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from '../server/logging.js';
import type { Store } from '../server/store/Store.js';

export type JobOutcome<T> =
  | { ran: true; result: T }
  | { ran: false; reason: 'already-running' | 'lease-held-elsewhere' }
  | { ran: true; error: Error };

export interface ScheduledJob<T> {
  /** Runs now (same guards as a scheduled run). */
  runNow(): Promise<JobOutcome<T>>;
  /** Stops the schedule and waits for a run in progress to finish. */
  stop(): Promise<void>;
  nextRun(): Date | null;
}

export interface ScheduleOptions<T> {
  name: string;
  cron: string;
  timezone: string;
  store: Store;
  logger: Logger;
  /** How long the lease lasts without renewal; it is renewed every third of that while running. */
  leaseMs?: number;
  holder?: string;
  run: (now: Date) => Promise<T>;
  now?: () => Date;
  /** false: only runNow() runs it (tests, CLIs). */
  start?: boolean;
}

export const processHolderId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export function scheduleJob<T>(options: ScheduleOptions<T>): ScheduledJob<T> {
  const { name, store, logger, run } = options;
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  const holder = options.holder ?? processHolderId;
  const now = options.now ?? (() => new Date());
  const leaseName = `job:${name}`;
  let inFlight: Promise<JobOutcome<T>> | null = null;

  async function guarded(): Promise<JobOutcome<T>> {
    const startedAt = now();
    if (!(await store.acquireLease(leaseName, holder, leaseMs, startedAt))) {
      logger.info({ job: name }, `${name}: skipped, another process holds the ${leaseName} lease`);
      return { ran: false, reason: 'lease-held-elsewhere' };
    }
    const renew = setInterval(() => {
      store.acquireLease(leaseName, holder, leaseMs, now()).catch((err: unknown) => {
        logger.warn({ job: name, err }, `${name}: could not renew its lease`);
      });
    }, Math.max(1_000, Math.floor(leaseMs / 3)));
    try {
      const result = await run(startedAt);
      return { ran: true, result };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      logger.error({ job: name, err: { name: error.name, message: error.message } }, `${name} failed: ${error.message}`);
      return { ran: true, error };
    } finally {
      clearInterval(renew);
      await store.releaseLease(leaseName, holder).catch(() => undefined);
    }
  }

  function runNow(): Promise<JobOutcome<T>> {
    if (inFlight !== null) {
      logger.info({ job: name }, `${name}: skipped, the previous run is still going`);
      return Promise.resolve({ ran: false, reason: 'already-running' });
    }
    inFlight = guarded().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  let task: ScheduledTask | null = null;
  if (options.start !== false) {
    task = schedule(options.cron, () => runNow().then(() => undefined), { timezone: options.timezone, name });
  }

  return {
    runNow,
    nextRun: () => task?.getNextRun() ?? null,
    async stop() {
      await task?.stop();
      await task?.destroy();
      if (inFlight !== null) await inFlight;
    },
  };
}
