/**
 * Runs a job on a cron schedule. The scheduler only decides when: the job itself is a
 * plain async function. Two guards make a run exclusive: within this process a run
 * never starts while the previous one is still going, and across processes (server
 * replicas sharing MongoDB, a CLI) a store lease lets one run at a time go. Each run
 * takes the lease as its own holder (server/leases/holder.ts), renews it while it runs,
 * and is told through its signal to stop if the lease is lost.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { Lease } from '../domain/types.js';
import { takeLease } from '../leases/holder.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';

export type JobOutcome<T> =
  | { ran: true; result: T }
  | { ran: false; reason: 'already-running' }
  /** `refusal` names the holder and when its lease ends. */
  | { ran: false; reason: 'lease-held-elsewhere'; holder: Lease | null; refusal: string }
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
  /** How long the lease lasts without renewal (at most 60 s, the default); renewed every third of that while running. */
  leaseMs?: number;
  /** `signal` aborts when the run's lease is lost: the job should stop, another holder may be running it. */
  run: (now: Date, signal: AbortSignal) => Promise<T>;
  now?: () => Date;
  /** false: only runNow() runs it (tests, CLIs). */
  start?: boolean;
}

export function scheduleJob<T>(options: ScheduleOptions<T>): ScheduledJob<T> {
  const { name, store, logger, run } = options;
  const now = options.now ?? (() => new Date());
  const leaseName = `job:${name}`;
  let inFlight: Promise<JobOutcome<T>> | null = null;

  async function guarded(): Promise<JobOutcome<T>> {
    const startedAt = now();
    const attempt = await takeLease(store, leaseName, {
      ...(options.leaseMs !== undefined ? { ttlMs: options.leaseMs } : {}),
      now,
      onRenewalError: (err) => logger.warn({ job: name, err }, `${name}: could not renew its lease; will try again`),
    });
    if (!attempt.acquired) {
      logger.info({ job: name }, `${name}: skipped, ${attempt.refusal}`);
      return { ran: false, reason: 'lease-held-elsewhere', holder: attempt.current, refusal: attempt.refusal };
    }
    const { lease } = attempt;
    lease.signal.addEventListener('abort', () =>
      logger.error({ job: name }, `${name}: ${(lease.signal.reason as Error).message}`),
    );
    try {
      const result = await run(startedAt, lease.signal);
      return { ran: true, result };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      logger.error(
        { job: name, err: { name: error.name, message: error.message } },
        `${name} failed: ${error.message}`,
      );
      return { ran: true, error };
    } finally {
      await lease.release();
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
