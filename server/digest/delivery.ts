/**
 * Posting a card to a Teams Workflows webhook ("send webhook alerts to a channel").
 *
 * The URL's `sig` parameter is the credential, so the URL is never logged, never put in
 * an error message, and never returned: only its host is. Transient failures (408, 425,
 * 429, 5xx, network errors, timeouts) are retried by the one retry policy
 * (`retry/policy.ts`): exponential backoff with ±30 % jitter, and a Retry-After waited in
 * full, or, when longer than the longest wait, the delivery fails as retryable and the
 * digest's own schedule tries again later. Any other 4xx means the request itself is
 * wrong (a deleted flow, a malformed card): retrying cannot help, so it is reported at
 * once with the response text. Workflows answers 202 before the flow runs, so success
 * here means "accepted by Teams", which is the most a webhook can tell us.
 */
import type { Logger } from 'pino';
import {
  DEFAULT_RETRY_POLICY,
  failureOfStatus,
  parseRetryAfter,
  withRetry,
  worstCaseWaitMs,
  type Failure,
  type RetryPolicy,
} from '../retry/policy.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface TeamsMessage {
  type: 'message';
  attachments: Array<{ contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: unknown }>;
}

/** The message body Workflows expects around an Adaptive Card. */
export function teamsMessage(card: unknown): TeamsMessage {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
  };
}

export interface DeliveryOptions {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** First backoff delay, for a 429 without Retry-After too. */
  baseDelayMs?: number;
  /** Backoff cap, and the longest Retry-After waited for. */
  maxDelayMs?: number;
  /** Per attempt. */
  timeoutMs?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Injected in tests to skip the real waiting. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  fetch?: typeof fetch;
}

export interface DeliveryResult {
  ok: boolean;
  /** The last HTTP status, or null when the last attempt got no answer. */
  status: number | null;
  attempts: number;
  /** Why it failed (response text included, secrets removed); null on success. */
  error: string | null;
  /** False when the failure was not transient (a 4xx other than 408/425/429, a 501...): the same request would fail again. */
  retryable: boolean;
  /** The delays waited between attempts, in ms. */
  delaysMs: number[];
}

const DEFAULT_DELIVERY = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 15_000 } as const;

/**
 * The retry policy of a delivery. Teams gives no advice of its own for a 429, so it backs
 * off from the same base as a 5xx; and the longest Retry-After waited is the backoff cap,
 * which keeps the slowest delivery (and so the digest's claim timeout) bounded by `maxDelayMs`.
 */
function deliveryPolicy(options: DeliveryOptions): RetryPolicy {
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_DELIVERY.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_DELIVERY.maxDelayMs;
  return {
    ...DEFAULT_RETRY_POLICY,
    maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_DELIVERY.maxAttempts),
    baseDelayMs,
    rateLimitBaseDelayMs: baseDelayMs,
    maxDelayMs,
    maxRetryAfterMs: maxDelayMs,
  };
}

/** The longest a delivery can take with these options: every attempt timing out, every wait at its cap. */
export function worstCaseDeliveryMs(options: DeliveryOptions = {}): number {
  const policy = deliveryPolicy(options);
  return policy.maxAttempts * (options.timeoutMs ?? DEFAULT_DELIVERY.timeoutMs) + worstCaseWaitMs(policy);
}

/** The webhook's host, the only part of its URL that may be shown. */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}

/** Removes the URL, its path, its query string and each query value (`sig`) from a text. */
export function redactWebhook(text: string, url: string): string {
  let out = text;
  const secrets = new Set<string>([url]);
  try {
    const parsed = new URL(url);
    if (parsed.search) secrets.add(parsed.search.slice(1));
    for (const value of parsed.searchParams.values()) if (value.length >= 4) secrets.add(value);
    secrets.add(parsed.pathname + parsed.search);
    if (parsed.pathname.length > 1) secrets.add(parsed.pathname);
  } catch {
    // Not a URL: only the text as given is removed.
  }
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret) out = out.split(secret).join('[redacted]');
    try {
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join('[redacted]');
    } catch {
      // A lone surrogate cannot be encoded; nothing to remove in that form.
    }
  }
  return out;
}

/** An error's message and its cause's code (ECONNREFUSED...). Duck-typed: fetch's errors may come from another realm. */
function errorText(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { name, message, cause } = error as {
    name?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  const causeText =
    typeof cause?.code === 'string'
      ? `: ${cause.code}`
      : typeof cause?.message === 'string'
        ? `: ${cause.message}`
        : '';
  return `${typeof message === 'string' ? message : String(error)}${causeText}`;
}

const RESPONSE_TEXT_LIMIT = 500;

/** One attempt that did not deliver: what the retry policy needs, and what the result reports. */
class AttemptFailed extends Error {
  constructor(
    readonly failure: Failure,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

export async function postToWebhook(
  url: string,
  body: unknown,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const policy = deliveryPolicy(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY.timeoutMs;
  const doFetch = options.fetch ?? fetch;
  const host = webhookHost(url);
  const payload = JSON.stringify(body);
  const delaysMs: number[] = [];
  let attempts = 0;

  async function attempt(n: number): Promise<number> {
    attempts = n;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (caught) {
      throw new AttemptFailed(
        { kind: 'network' },
        null,
        `no answer from ${host}: ${redactWebhook(errorText(caught), url)}`,
      );
    }
    const status = response.status;
    const text = redactWebhook((await response.text().catch(() => '')).slice(0, RESPONSE_TEXT_LIMIT), url);
    if (response.ok) return status;
    const failure = failureOfStatus(status, parseRetryAfter(response.headers.get('retry-after')));
    throw new AttemptFailed(failure, status, `HTTP ${status} from ${host}${text ? `: ${text}` : ''}`);
  }

  try {
    const status = await withRetry(attempt, policy, {
      classify: (error) => (error instanceof AttemptFailed ? error.failure : { kind: 'fatal' }),
      sleep: options.sleep,
      random: options.random,
      onRetry: (_failure, n, delay, error) => {
        const { status, message } = error as AttemptFailed;
        options.logger?.warn(
          { host, status, attempt: n, retryInMs: delay },
          `digest webhook attempt failed, retrying: ${message}`,
        );
        delaysMs.push(delay);
      },
    });
    options.logger?.info({ host, status, attempt: attempts }, 'digest webhook accepted the card');
    return { ok: true, status, attempts, error: null, retryable: false, delaysMs };
  } catch (error) {
    if (!(error instanceof AttemptFailed)) throw error;
    const retryable = error.failure.kind !== 'fatal';
    if (!retryable) {
      options.logger?.warn(
        { host, status: error.status, attempt: attempts },
        `digest webhook refused the card: ${error.message}`,
      );
    }
    return { ok: false, status: error.status, attempts, error: error.message, retryable, delaysMs };
  }
}
