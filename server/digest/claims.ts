/**
 * What a week's claim means now (run.ts has the state machine): how long a claim may stay
 * "claimed" before its holder is taken to be gone, and the `digest` block of /api/health,
 * which reports an abandoned claim as the "uncertain" it will become.
 */
import type { DigestHealth } from '../domain/api.js';
import type { DigestRecord, DigestState } from '../domain/types.js';
import { holderIsGone } from '../leases/holder.js';
import type { Store } from '../store/Store.js';
import { webhookHost, worstCaseDeliveryMs, type DeliveryOptions } from './delivery.js';
import { BACKFILL_WEEKS } from './weeks.js';

export function claimTimeoutMs(deps: { claimTimeoutMs?: number; delivery?: DeliveryOptions }): number {
  // Comfortably longer than the slowest possible delivery, so a live holder is never declared gone.
  return deps.claimTimeoutMs ?? Math.max(10 * 60_000, 2 * worstCaseDeliveryMs(deps.delivery));
}

/** A claim still "claimed" whose process is known to be dead, or that no live delivery could still hold. */
export function isAbandoned(record: DigestRecord, now: Date, timeoutMs: number): boolean {
  if (record.state !== 'claimed') return false;
  return now.getTime() - Date.parse(record.claimedAt) > timeoutMs || holderIsGone(record.holder);
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
