import { describe, it, expect } from '@jest/globals';
import { buildSyncJql, jqlZone, withoutOrderBy } from '../../server/sync/jql.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs, withReadRetry, type Failure } from '../../server/jira/retryPolicy.js';

describe('sync JQL', () => {
  const at = Date.parse('2026-11-27T03:25:59.999Z');

  it("adds the updated clause in the Jira user's zone, floored to the minute, and a stable order", () => {
    expect(buildSyncJql('issuetype = Incident', at, 'Asia/Kolkata')).toBe(
      '(issuetype = Incident) AND updated >= "2026-11-27 08:55" ORDER BY updated ASC, key ASC',
    );
    expect(buildSyncJql('issuetype = Incident', at, 'America/Denver')).toBe(
      '(issuetype = Incident) AND updated >= "2026-11-26 20:25" ORDER BY updated ASC, key ASC',
    );
    expect(buildSyncJql('labels = postmortem-action', null, 'UTC')).toBe(
      '(labels = postmortem-action) ORDER BY updated ASC, key ASC',
    );
  });

  it("replaces the user's own ORDER BY, but not text inside quotes", () => {
    expect(withoutOrderBy('project = OPS ORDER BY created DESC')).toBe('project = OPS');
    expect(withoutOrderBy('summary ~ "order by" AND project = OPS')).toBe('summary ~ "order by" AND project = OPS');
    expect(withoutOrderBy('order by key')).toBe('');
    expect(buildSyncJql('order by key', null, 'UTC')).toBe('ORDER BY updated ASC, key ASC');
  });

  it('falls back to UTC, marked unknown, for a missing or invalid zone', () => {
    expect(jqlZone('Europe/Berlin')).toEqual({ zone: 'Europe/Berlin', known: true });
    expect(jqlZone(null)).toEqual({ zone: 'UTC', known: false });
    expect(jqlZone('Mars/Olympus')).toEqual({ zone: 'UTC', known: false });
  });
});

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

  it('withReadRetry retries transient failures, sleeping the computed delays, then gives the last error', async () => {
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
      withReadRetry(
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
      withReadRetry(
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
      withReadRetry(
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
