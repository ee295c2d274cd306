/**
 * When to try a call to another system again, and after how long: the one policy for Jira
 * reads and the digest's webhook posts. Atlassian's advice is the most specific we have,
 * and it serves Teams as well: honour `Retry-After`; otherwise back off exponentially with
 * ±30 % jitter, cap the delay, give up after a few attempts, and retry only idempotent
 * calls. A Jira write is never retried here (a create sent twice makes a second ticket);
 * `tickets/createTicket.ts` re-checks by its label instead.
 *
 * - Transient: 408, 425, 429, 500, 502, 503, 504, a network error or a timeout. Any other
 *   status is the request's own fault or a lasting refusal (501 will not start working):
 *   the same request would fail again.
 * - A `Retry-After` (seconds or an HTTP date) is waited exactly, never shortened: calling
 *   before the server allows only earns another 429. One longer than `maxRetryAfterMs`
 *   ends the retries, and the caller's own schedule tries again later instead of stalling.
 * - Without one: `base × 2^(attempt − 1)` (a 429 starts from `rateLimitBaseDelayMs`),
 *   jittered by ±`jitter` so that many clients do not come back at once, and never over
 *   `maxDelayMs`, so that the slowest run can be bounded (`digest/delivery.ts` does).
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff delay for 5xx and network errors. */
  baseDelayMs: number;
  /** First backoff delay for a 429 that carries no Retry-After. */
  rateLimitBaseDelayMs: number;
  /** Backoff cap, jitter included (Retry-After is bounded by maxRetryAfterMs instead). */
  maxDelayMs: number;
  /** A Retry-After longer than this ends the retries instead of stalling the caller. */
  maxRetryAfterMs: number;
  /** ±fraction of jitter on backoff delays. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  rateLimitBaseDelayMs: 5_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  jitter: 0.3,
};

/** What went wrong with one attempt, as far as retrying is concerned. */
export type Failure =
  | { kind: 'rateLimit'; retryAfterMs: number | undefined }
  | { kind: 'server'; status: number; retryAfterMs?: number | undefined }
  | { kind: 'network' }
  | { kind: 'fatal' };

const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Whether an HTTP status says "try again later" rather than "this request is wrong". */
export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status);
}

/** A failed HTTP answer as a Failure; `retryAfterMs` from the response's Retry-After. */
export function failureOfStatus(status: number, retryAfterMs?: number): Failure {
  if (status === 429) return { kind: 'rateLimit', retryAfterMs };
  if (isTransientStatus(status)) return { kind: 'server', status, retryAfterMs };
  return { kind: 'fatal' };
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  const trimmed = header?.trim();
  if (!trimmed) return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Milliseconds to wait before attempt `attempt + 1` (attempt counts from 1), or null when
 * the failure must not be retried (fatal, attempts used up, Retry-After too long).
 * `random` is in [0, 1).
 */
export function retryDelayMs(
  failure: Failure,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (failure.kind === 'fatal' || attempt >= policy.maxAttempts) return null;
  const retryAfter = 'retryAfterMs' in failure ? failure.retryAfterMs : undefined;
  if (retryAfter !== undefined) return retryAfter <= policy.maxRetryAfterMs ? retryAfter : null;
  const base = failure.kind === 'rateLimit' ? policy.rateLimitBaseDelayMs : policy.baseDelayMs;
  const backoff = base * 2 ** (attempt - 1);
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(Math.min(policy.maxDelayMs, backoff) * factor)));
}

/** The longest `withRetry` can wait in all between attempts under this policy. */
export function worstCaseWaitMs(policy: RetryPolicy): number {
  return Math.max(0, policy.maxAttempts - 1) * Math.max(policy.maxDelayMs, policy.maxRetryAfterMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RetryHooks {
  classify(error: unknown): Failure;
  /** Injected in tests to skip the real waiting. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
  /** Called before each wait; `attempt` is the attempt that failed, `error` what it threw. */
  onRetry?(failure: Failure, attempt: number, delayMs: number, error: unknown): void;
}

/** Runs an idempotent call, retrying it by the policy; rethrows the last error. */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(attempt);
    } catch (error) {
      const failure = hooks.classify(error);
      const delay = retryDelayMs(failure, attempt, policy, hooks.random);
      if (delay === null) throw error;
      hooks.onRetry?.(failure, attempt, delay, error);
      await (hooks.sleep ?? sleep)(delay);
    }
  }
}
