import type { SampleJira } from '../../server/jira-sample/index.js';

/** A JSON answer read loosely in assertions; the OpenAPI test is what checks shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface JiraResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny authenticated client for the sample Jira (tests talk HTTP, like the product does). */
export function client(jira: SampleJira, credentials: { email: string; apiToken: string } = jira) {
  const auth = `Basic ${Buffer.from(`${credentials.email}:${credentials.apiToken}`).toString('base64')}`;
  async function call<T = Json>(method: string, path: string, body?: unknown): Promise<JiraResponse<T>> {
    const response = await fetch(`${jira.url}${path}`, {
      method,
      headers: {
        authorization: auth,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }
  return {
    get: <T = Json>(path: string) => call<T>('GET', path),
    post: <T = Json>(path: string, body: unknown) => call<T>('POST', path, body),
    put: <T = Json>(path: string, body: unknown) => call<T>('PUT', path, body),
    /** Every page of a POST search, following nextPageToken until isLast. */
    async searchAll(body: Record<string, unknown>): Promise<{ pages: Json[]; issues: Json[] }> {
      const pages: Json[] = [];
      let token: string | undefined;
      for (let guard = 0; guard < 10_000; guard++) {
        const page = await call('POST', '/rest/api/3/search/jql', {
          ...body,
          ...(token ? { nextPageToken: token } : {}),
        });
        if (page.status !== 200) throw new Error(`search failed ${page.status}: ${JSON.stringify(page.body)}`);
        pages.push(page.body);
        if (page.body.isLast) break;
        token = page.body.nextPageToken;
      }
      return { pages, issues: pages.flatMap((p) => p.issues) };
    },
  };
}

export const adf = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});
