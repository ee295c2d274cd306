import { describe, it, expect } from '@jest/globals';
import {
  DEFAULT_RETRY_POLICY,
  failureOfStatus,
  isTransientStatus,
  parseRetryAfter,
  retryDelayMs,
  withRetry,
  worstCaseWaitMs,
  type Failure,
} from '../../server/retry/policy.js';

describe('retry policy', () => {
  const policy = {
    ...DEFAULT_RETRY_POLICY,
    maxAttempts: 4,
    baseDelayMs: 1000,
    rateLimitBaseDelayMs: 5000,
    maxDelayMs: 3000,
  };
  const mid = () => 0.5;

  it('honours Retry-After exactly, and refuses one longer than the cap', () => {
    expect(retryDelayMs({ kind: 'rateLimit', retryAfterMs: 7000 }, 1, policy, mid)).toBe(7000);
    expect(retryDelayMs({ kind: 'rateLimit', retryAfterMs: policy.maxRetryAfterMs + 1 }, 1, policy, mid)).toBeNull();
  });

  it('backs off exponentially up to the cap, with ±30% jitter', () => {
    const server: Failure = { kind: 'server', status: 503 };
    expect([1, 2, 3].map((attempt) => retryDelayMs(server, attempt, policy, mid))).toEqual([1000, 2000, 3000]);
    expect(retryDelayMs(server, 1, policy, () => 0)).toBe(700);
    expect(retryDelayMs(server, 1, policy, () => 0.999999)).toBe(1300);
    expect(retryDelayMs({ kind: 'rateLimit', retryAfterMs: undefined }, 1, { ...policy, maxDelayMs: 30000 }, mid)).toBe(
      5000,
    );
  });

  it('stops after maxAttempts and never retries a fatal error', () => {
    expect(retryDelayMs({ kind: 'network' }, 4, policy, mid)).toBeNull();
    expect(retryDelayMs({ kind: 'fatal' }, 1, policy, mid)).toBeNull();
  });

  it('withRetry retries transient failures, sleeping the computed delays, then gives the last error', async () => {
    const slept: number[] = [];
    let calls = 0;
    const hooks = {
      classify: (e: unknown): Failure =>
        e instanceof Error && e.message === 'busy' ? { kind: 'server', status: 503 } : { kind: 'fatal' },
      sleep: async (ms: number) => {
        slept.push(ms);
      },
      random: mid,
    };
    await expect(
      withRetry(
        async () => {
          calls += 1;
          if (calls < 3) throw new Error('busy');
          return 'ok';
        },
        policy,
        hooks,
      ),
    ).resolves.toBe('ok');
    expect(slept).toEqual([1000, 2000]);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new Error('busy');
        },
        policy,
        hooks,
      ),
    ).rejects.toThrow('busy');
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new Error('no');
        },
        policy,
        hooks,
      ),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });
});

describe('one retry policy for Jira reads and webhook posts', () => {
  const policy = DEFAULT_RETRY_POLICY;

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(' 1.5 ')).toBe(1500);
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:30 GMT', Date.parse('2026-11-27T10:00:00Z'))).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:59:00 GMT', Date.parse('2026-11-27T10:00:00Z'))).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('retries 408, 425, 429 and the transient 5xx, and nothing else', () => {
    const transient = [408, 425, 429, 500, 502, 503, 504];
    for (let status = 400; status < 600; status += 1) {
      expect([status, isTransientStatus(status)]).toEqual([status, transient.includes(status)]);
    }
    expect(failureOfStatus(429, 2000)).toEqual({ kind: 'rateLimit', retryAfterMs: 2000 });
    expect(failureOfStatus(503)).toEqual({ kind: 'server', status: 503, retryAfterMs: undefined });
    expect(failureOfStatus(409)).toEqual({ kind: 'fatal' });
    expect(failureOfStatus(501)).toEqual({ kind: 'fatal' });
  });

  it('waits a Retry-After in full, on a 503 as on a 429, and gives up on one beyond maxRetryAfterMs', () => {
    const at = (ms: number) => retryDelayMs({ kind: 'server', status: 503, retryAfterMs: ms }, 1, policy);
    expect(at(45_000)).toBe(45_000);
    expect(at(policy.maxRetryAfterMs)).toBe(policy.maxRetryAfterMs);
    expect(at(policy.maxRetryAfterMs + 1)).toBeNull();
    expect(retryDelayMs({ kind: 'rateLimit', retryAfterMs: 0 }, 1, policy)).toBe(0);
  });

  it('keeps every jittered backoff within ±30 % of its step and never over the cap', () => {
    const randoms = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999];
    for (let attempt = 1; attempt < policy.maxAttempts; attempt += 1) {
      const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      for (const r of randoms) {
        const delay = retryDelayMs({ kind: 'network' }, attempt, policy, () => r) ?? -1;
        expect(delay).toBeGreaterThanOrEqual(Math.round(step * 0.7));
        expect(delay).toBeLessThanOrEqual(Math.min(policy.maxDelayMs, Math.round(step * 1.3)));
      }
    }
    const capped = { ...policy, maxAttempts: 20 };
    const late = [0, 0.5, 0.999999].map((r) => retryDelayMs({ kind: 'network' }, 12, capped, () => r));
    expect(late).toEqual([Math.round(policy.maxDelayMs * 0.7), policy.maxDelayMs, policy.maxDelayMs]);
  });

  it('starts a 429 without Retry-After from its own base', () => {
    const first = retryDelayMs({ kind: 'rateLimit', retryAfterMs: undefined }, 1, policy, () => 0.5);
    expect(first).toBe(policy.rateLimitBaseDelayMs);
  });

  it('bounds the waits of a whole run by the cap and the longest Retry-After', () => {
    expect(worstCaseWaitMs({ ...policy, maxAttempts: 3, maxDelayMs: 500, maxRetryAfterMs: 2000 })).toBe(4000);
    expect(worstCaseWaitMs({ ...policy, maxAttempts: 1 })).toBe(0);
  });

  it('hands onRetry the error of the attempt that failed', async () => {
    const seen: Array<[number, number, unknown]> = [];
    const result = await withRetry(
      async (attempt) => {
        if (attempt === 1) throw new Error('first');
        return attempt;
      },
      policy,
      {
        classify: () => ({ kind: 'network' }),
        sleep: async () => {},
        random: () => 0.5,
        onRetry: (_failure, attempt, delay, error) => seen.push([attempt, delay, (error as Error).message]),
      },
    );
    expect(result).toBe(2);
    expect(seen).toEqual([[1, policy.baseDelayMs, 'first']]);
  });
});
