/**
 * The one typed client of the server's HTTP API. Shapes come from the server's
 * `server/domain/api.ts` as types only; no server code reaches the browser.
 */
import type {
  ActionItemsResponse,
  CreateActionItemRequest,
  CreateActionItemResponse,
  DataQualityResponse,
  ErrorBody,
  IncidentDetailResponse,
  IncidentsResponse,
  MetricsResponse,
  ReviewResponse,
} from '../../server/domain/api.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Filters {
  from: string;
  to: string;
  service?: string | null;
  severity?: string | null;
}

/**
 * The reads a page may start again before they answer take an AbortSignal (latest.ts); an
 * aborted read rejects with the signal's reason, not as a network failure.
 */
export interface ApiClient {
  metrics(filters: Filters, signal?: AbortSignal): Promise<MetricsResponse>;
  /** The full data-quality lists of a window (/api/metrics carries only their first entries). */
  dataQuality(filters: Filters & { limit?: number | null; cursor?: string | null }): Promise<DataQualityResponse>;
  incidents(filters: Filters, signal?: AbortSignal): Promise<IncidentsResponse>;
  actionItems(
    query: {
      overdue?: boolean;
      service?: string | null;
      owner?: string | null;
      incident?: string | null;
    },
    signal?: AbortSignal,
  ): Promise<ActionItemsResponse>;
  incident(key: string, signal?: AbortSignal): Promise<IncidentDetailResponse>;
  /** The post-mortem template filled from what is known (Markdown). */
  postmortemMarkdown(key: string): Promise<string>;
  createActionItem(incidentKey: string, body: CreateActionItemRequest): Promise<CreateActionItemResponse>;
  /** The live stream of data-version announcements (server-sent events), read with fetch so it carries the credentials. */
  events(signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /** A week's review agenda; without a week, the last complete ISO week in the server's TIMEZONE. */
  review(week?: string | null): Promise<ReviewResponse>;
}

export interface ApiClientOptions {
  baseUrl?: string;
  /**
   * Gives a bearer token (the Teams SSO token). Asked only after the server answers 401,
   * so a server without auth never triggers a sign-in.
   */
  getToken?: () => Promise<string>;
  fetch?: typeof fetch;
}

function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value != null && value !== '' && value !== false) q.set(name, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

async function readError(response: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> | null;
  try {
    body = (await response.json()) as Partial<ErrorBody>;
  } catch {
    body = null;
  }
  const message = body?.error?.message ?? `The server answered ${response.status} ${response.statusText}.`;
  return new ApiError(message, response.status, body?.error?.code ?? 'http_error');
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  let token: string | null = null;
  let pendingToken: Promise<string> | null = null;

  /** One token request however many calls were refused at once. */
  async function renewToken(getToken: () => Promise<string>, refused: string | null): Promise<void> {
    if (token !== refused) return;
    pendingToken ??= getToken().finally(() => {
      pendingToken = null;
    });
    token = await pendingToken;
  }

  async function send(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');
    const sent = token;
    if (sent) headers.set('Authorization', `Bearer ${sent}`);
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { ...init, headers });
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      throw new ApiError('Could not reach the server. Check your connection and retry.', 0, 'network');
    }
    if (response.status === 401 && options.getToken && !retried) {
      try {
        await renewToken(options.getToken, sent);
      } catch (error) {
        throw new ApiError(
          `Sign-in failed: ${error instanceof Error ? error.message : String(error)}`,
          401,
          'sso_failed',
        );
      }
      return send(path, init, true);
    }
    return response;
  }

  async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await send(path, signal ? { signal } : {});
    if (!response.ok) throw await readError(response);
    return (await response.json()) as T;
  }

  return {
    metrics: (f, signal) =>
      getJson(`/api/metrics${query({ from: f.from, to: f.to, service: f.service, severity: f.severity })}`, signal),
    dataQuality: (f) =>
      getJson(
        `/api/data-quality${query({ from: f.from, to: f.to, service: f.service, severity: f.severity, limit: f.limit, cursor: f.cursor })}`,
      ),
    incidents: (f, signal) =>
      getJson(`/api/incidents${query({ from: f.from, to: f.to, service: f.service, severity: f.severity })}`, signal),
    actionItems: (q, signal) =>
      getJson(
        `/api/action-items${query({ overdue: q.overdue ? 'true' : null, service: q.service, owner: q.owner, incident: q.incident })}`,
        signal,
      ),
    incident: (key, signal) => getJson(`/api/incidents/${encodeURIComponent(key)}`, signal),
    review: (week) => getJson(`/api/review${query({ week })}`),
    async postmortemMarkdown(key) {
      const response = await send(`/api/incidents/${encodeURIComponent(key)}/postmortem.md`);
      if (!response.ok) throw await readError(response);
      return response.text();
    },
    async events(signal) {
      const response = await send('/api/events', { signal, headers: { Accept: 'text/event-stream' } });
      if (!response.ok || response.body === null) throw await readError(response);
      return response.body;
    },
    async createActionItem(incidentKey, body) {
      const response = await send(`/api/incidents/${encodeURIComponent(incidentKey)}/action-items`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw await readError(response);
      return (await response.json()) as CreateActionItemResponse;
    },
  };
}
