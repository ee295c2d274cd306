/**
 * Store leases: who holds one, and holding one while work runs.
 *
 * Every attempt (a scheduled or CLI job run, one ticket request, one digest re-claim)
 * gets its own holder identity, built here and nowhere else. A holder may renew its own
 * lease, so an identity shared by two attempts (a process id: every container's server is
 * PID 1) would let both in at once. The identity is `host/pid/uuid`: the random part makes
 * it unique, host and pid say in a refusal which process holds it.
 *
 * A lease lasts at most MAX_LEASE_MS and is renewed every third of its length while the
 * work runs, so a process that died blocks others for at most that long (on the embedded
 * store not even that: see EmbeddedStore). A renewal that is refused, or that cannot reach
 * the store before the lease runs out, aborts the work's signal: the work stops instead of
 * running on beside the next holder.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Lease } from '../domain/types.js';
import type { Store } from '../store/Store.js';

/** The longest a lease may last without renewal. */
export const MAX_LEASE_MS = 60_000;

/** A fresh holder identity for one attempt. */
export function newLeaseHolder(): string {
  return `${hostname()}/${process.pid}/${randomUUID()}`;
}

/** The host and pid of a holder identity built by newLeaseHolder (null for any other string). */
export function holderProcess(holder: string): { host: string; pid: number } | null {
  const match = /^(.+)\/(\d+)\/[0-9a-f-]{36}$/.exec(holder);
  return match ? { host: match[1]!, pid: Number(match[2]) } : null;
}

/**
 * True when a holder identity names a process on this host that no longer runs (killed,
 * crashed). Unknown is false: another host's process, another kind of identity, or this
 * very process id (a restarted container is PID 1 again, and an attempt of this process
 * may be under way).
 */
export function holderIsGone(holder: string): boolean {
  const owner = holderProcess(holder);
  if (owner === null || owner.host !== hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** "held by host/pid/uuid until 2026-11-20T12:01:00.000Z (in 42 s)", for refusals. */
export function describeLease(lease: Lease | null, now: Date): string {
  if (lease === null) return 'held by another attempt that has just finished';
  const seconds = Math.max(0, Math.ceil((Date.parse(lease.expiresAt) - now.getTime()) / 1000));
  return `held by ${lease.holder} until ${lease.expiresAt} (in ${seconds} s)`;
}

/** The work's signal is aborted with this when its lease is lost. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

export interface HeldLease {
  name: string;
  holder: string;
  /** Aborted (with a LeaseLostError) when a renewal is refused or the lease ran out unrenewed. */
  signal: AbortSignal;
  /** Stops renewing and gives the lease up. Never throws. */
  release(): Promise<void>;
}

export type LeaseAttempt =
  { acquired: true; lease: HeldLease } | { acquired: false; current: Lease | null; refusal: string };

export interface TakeLeaseOptions {
  /** At most MAX_LEASE_MS (the default). */
  ttlMs?: number;
  now?: () => Date;
  /** Told when a renewal failed (the store was unreachable) but the lease is still valid. */
  onRenewalError?: (error: unknown) => void;
}

type LeaseStore = Pick<Store, 'acquireLease' | 'releaseLease' | 'getLease'>;

/**
 * Takes the named lease for one attempt, with a fresh holder, and renews it until
 * released. When another holder has it, says who and until when.
 */
export async function takeLease(
  store: LeaseStore,
  name: string,
  options: TakeLeaseOptions = {},
): Promise<LeaseAttempt> {
  const ttlMs = options.ttlMs ?? MAX_LEASE_MS;
  if (!(ttlMs > 0 && ttlMs <= MAX_LEASE_MS))
    throw new RangeError(`a lease lasts 1 ms to ${MAX_LEASE_MS} ms, not ${ttlMs}`);
  const now = options.now ?? (() => new Date());
  const holder = newLeaseHolder();
  const takenAt = now();
  if (!(await store.acquireLease(name, holder, ttlMs, takenAt))) {
    const current = await store.getLease(name);
    return { acquired: false, current, refusal: `the ${name} lease is ${describeLease(current, now())}` };
  }

  const controller = new AbortController();
  let validUntil = takenAt.getTime() + ttlMs;
  let released = false;
  const interval = Math.max(1, Math.floor(ttlMs / 3));
  const lose = (why: string) => {
    clearInterval(timer);
    if (!controller.signal.aborted) {
      controller.abort(
        new LeaseLostError(`lost the ${name} lease: ${why}; stopped so that the next holder runs alone`),
      );
    }
  };
  const renew = async () => {
    const at = now();
    try {
      if (await store.acquireLease(name, holder, ttlMs, at)) {
        validUntil = at.getTime() + ttlMs;
        return;
      }
      if (!released)
        lose(`another holder has it (${describeLease(await store.getLease(name).catch(() => null), now())})`);
    } catch (error) {
      if (released) return;
      // Still ours until validUntil; give up only when the next renewal would come too late.
      if (now().getTime() + interval >= validUntil)
        lose(`the store could not be reached to renew it (${error instanceof Error ? error.message : String(error)})`);
      else options.onRenewalError?.(error);
    }
  };
  const timer = setInterval(() => void renew(), interval);
  timer.unref();

  return {
    acquired: true,
    lease: {
      name,
      holder,
      signal: controller.signal,
      async release() {
        if (released) return;
        released = true;
        clearInterval(timer);
        await store.releaseLease(name, holder).catch(() => undefined);
      },
    },
  };
}
