import { describe, it, expect } from '@jest/globals';
import { ApiError, createApiClient } from '../../../client/src/api.js';

type Call = { url: string; authorization: string | null; method: string; body: string | null };

function fakeFetch(answers: Array<{ status: number; body: unknown }>, calls: Call[]): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({
      url: String(input),
      authorization: headers.get('Authorization'),
      method: init?.method ?? 'GET',
      body: (init?.body as string | undefined) ?? null,
    });
    const answer = answers.shift()!;
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'Content-Type': 'application/json' },
    });
  }) as typeof fetch;
}

describe('the tab API client', () => {
  it('sends filters as query parameters, leaving out empty ones', async () => {
    const calls: Call[] = [];
    const api = createApiClient({ fetch: fakeFetch([{ status: 200, body: { items: [] } }], calls) });
    await api.incidents({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      service: 'api gateway',
      severity: null,
    });
    expect(calls[0]!.url).toBe(
      '/api/incidents?from=2026-01-01T00%3A00%3A00.000Z&to=2026-02-01T00%3A00%3A00.000Z&service=api+gateway',
    );
  });

  it('asks /api/data-quality for the full lists with the same filters and paging', async () => {
    const calls: Call[] = [];
    const answer = {
      items: [{ kind: 'incident', key: 'OPS-1', url: null, problems: ['startedAt is missing'] }],
      totals: { incidents: 1, actionItems: 0 },
    };
    const api = createApiClient({
      fetch: fakeFetch(
        [
          { status: 200, body: answer },
          { status: 200, body: answer },
        ],
        calls,
      ),
    });
    expect(
      await api.dataQuality({
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-02-01T00:00:00.000Z',
        service: 'api',
        severity: 'P1',
      }),
    ).toEqual(answer);
    expect(calls[0]!.url).toBe(
      '/api/data-quality?from=2026-01-01T00%3A00%3A00.000Z&to=2026-02-01T00%3A00%3A00.000Z&service=api&severity=P1',
    );
    await api.dataQuality({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      limit: 50,
      cursor: 'abc',
    });
    expect(calls[1]!.url).toBe(
      '/api/data-quality?from=2026-01-01T00%3A00%3A00.000Z&to=2026-02-01T00%3A00%3A00.000Z&limit=50&cursor=abc',
    );
  });

  it('asks for the SSO token only after a 401, retries with it, and keeps it', async () => {
    const calls: Call[] = [];
    let tokens = 0;
    const api = createApiClient({
      fetch: fakeFetch(
        [
          { status: 401, body: { error: { code: 'unauthorized', message: 'no token' } } },
          { status: 200, body: { items: [] } },
          { status: 200, body: { items: [] } },
        ],
        calls,
      ),
      getToken: async () => `token-${++tokens}`,
    });
    await api.actionItems({ overdue: true });
    await api.actionItems({ overdue: false, owner: 'Ada' });
    expect(calls.map((c) => c.authorization)).toEqual([null, 'Bearer token-1', 'Bearer token-1']);
    expect(calls[2]!.url).toBe('/api/action-items?owner=Ada');
    expect(tokens).toBe(1);
  });

  it('asks once when several calls are refused at the same time', async () => {
    const calls: Call[] = [];
    let tokens = 0;
    const refused = { status: 401, body: {} };
    const ok = { status: 200, body: { items: [] } };
    const api = createApiClient({
      fetch: fakeFetch([refused, refused, refused, ok, ok, ok], calls),
      getToken: async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        return `token-${++tokens}`;
      },
    });
    await Promise.all([api.actionItems({}), api.actionItems({}), api.actionItems({})]);
    expect(tokens).toBe(1);
    expect(calls.map((c) => c.authorization)).toEqual([
      null,
      null,
      null,
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-1',
    ]);
  });

  it('passes on the API error message and status', async () => {
    const api = createApiClient({
      fetch: fakeFetch(
        [
          {
            status: 400,
            body: { error: { code: 'invalid_parameter', message: 'severity: must be P0-P4 or unknown' } },
          },
        ],
        [],
      ),
    });
    const error = await api.metrics({ from: 'a', to: 'b', severity: 'P9' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_parameter',
      message: 'severity: must be P0-P4 or unknown',
    });
  });

  it('says the sign-in failed when no token can be had', async () => {
    const api = createApiClient({
      fetch: fakeFetch([{ status: 401, body: {} }], []),
      getToken: () => Promise.reject(new Error('Sign-in with Teams SSO works only inside Microsoft Teams.')),
    });
    await expect(api.metrics({ from: 'a', to: 'b' })).rejects.toThrow(
      'Sign-in failed: Sign-in with Teams SSO works only inside Microsoft Teams.',
    );
  });

  it('posts a new action item and returns its key and link', async () => {
    const calls: Call[] = [];
    const api = createApiClient({
      fetch: fakeFetch([{ status: 201, body: { key: 'ACT-9', url: 'https://jira.test/browse/ACT-9' } }], calls),
    });
    await expect(api.createActionItem('OPS 1', { summary: 'Fix' })).resolves.toEqual({
      key: 'ACT-9',
      url: 'https://jira.test/browse/ACT-9',
    });
    expect(calls[0]).toMatchObject({
      url: '/api/incidents/OPS%201/action-items',
      method: 'POST',
      body: '{"summary":"Fix"}',
    });
  });

  it('turns a network failure into a message the tab can show', async () => {
    const api = createApiClient({ fetch: (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch });
    await expect(api.metrics({ from: 'a', to: 'b' })).rejects.toMatchObject({
      code: 'network',
      message: 'Could not reach the server. Check your connection and retry.',
    });
  });

  it("passes a read's AbortSignal to fetch, and an aborted read rejects as aborted, not as a network failure", async () => {
    const seen: Array<AbortSignal | null | undefined> = [];
    const api = createApiClient({
      fetch: ((_input: string, init?: RequestInit) => {
        seen.push(init?.signal);
        return new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        });
      }) as typeof fetch,
    });
    const controller = new AbortController();
    const reads = [
      api.metrics({ from: 'a', to: 'b' }, controller.signal),
      api.incidents({ from: 'a', to: 'b' }, controller.signal),
      api.actionItems({ overdue: true }, controller.signal),
      api.incident('OPS-1', controller.signal),
    ];
    expect(seen).toEqual([controller.signal, controller.signal, controller.signal, controller.signal]);
    controller.abort();
    for (const read of reads) await expect(read).rejects.toMatchObject({ name: 'AbortError' });
  });
});
