/**
 * When to try a Jira read again, and after how long. Atlassian's advice: honour
 * `Retry-After`; otherwise back off roughly exponentially with ±30 % jitter, cap the
 * delay, give up after a few attempts, and retry only idempotent calls. Only reads go
 * through here: a write sent twice can create a second ticket.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff delay for 5xx and network errors. */
  baseDelayMs: number;
  /** First backoff delay for a 429 that carries no Retry-After. */
  rateLimitBaseDelayMs: number;
  /** Backoff cap (Retry-After is not capped by it). */
  maxDelayMs: number;
  /** A Retry-After longer than this fails the run instead of stalling it. */
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
  | { kind: 'server'; status: number }
  | { kind: 'network' }
  | { kind: 'fatal' };

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
  if (failure.kind === 'rateLimit' && failure.retryAfterMs !== undefined) {
    return failure.retryAfterMs <= policy.maxRetryAfterMs ? failure.retryAfterMs : null;
  }
  const base = failure.kind === 'rateLimit' ? policy.rateLimitBaseDelayMs : policy.baseDelayMs;
  const backoff = Math.min(policy.maxDelayMs, base * 2 ** (attempt - 1));
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(backoff * factor));
}

export interface RetryHooks {
  classify(error: unknown): Failure;
  sleep(ms: number): Promise<void>;
  random?: () => number;
  /** Called before each wait; `attempt` is the attempt that failed. */
  onRetry?(failure: Failure, attempt: number, delayMs: number): void;
}

/** Runs an idempotent read, retrying it by the policy; rethrows the last error. */
export async function withReadRetry<T>(read: () => Promise<T>, policy: RetryPolicy, hooks: RetryHooks): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      const failure = hooks.classify(error);
      const delay = retryDelayMs(failure, attempt, policy, hooks.random);
      if (delay === null) throw error;
      hooks.onRetry?.(failure, attempt, delay);
      await hooks.sleep(delay);
    }
  }
}
