/**
 * Posting a card to a Teams Workflows webhook ("send webhook alerts to a channel").
 *
 * The URL's `sig` parameter is the credential, so the URL is never logged, never put in
 * an error message, and never returned: only its host is. Transient failures (429, 5xx,
 * network errors, timeouts) are retried with exponential backoff and full jitter, and a
 * 429's Retry-After is honoured. Any other 4xx means the request itself is wrong (a
 * deleted flow, a malformed card): retrying cannot help, so it is reported at once with
 * the response text. Workflows answers 202 before the flow runs, so success here means
 * "accepted by Teams", which is the most a webhook can tell us.
 */
import type { Logger } from 'pino';

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
  baseDelayMs?: number;
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
  /** False when the failure was a 4xx other than 429: the same request would fail again. */
  retryable: boolean;
  /** The delays waited between attempts, in ms. */
  delaysMs: number[];
}

export const DEFAULT_DELIVERY = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 15_000 } as const;

/** The longest a delivery can take with these options: every attempt timing out, every wait at its cap. */
export function worstCaseDeliveryMs(options: DeliveryOptions = {}): number {
  const attempts = options.maxAttempts ?? DEFAULT_DELIVERY.maxAttempts;
  const timeout = options.timeoutMs ?? DEFAULT_DELIVERY.timeoutMs;
  const maxDelay = options.maxDelayMs ?? DEFAULT_DELIVERY.maxDelayMs;
  return attempts * timeout + (attempts - 1) * maxDelay;
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

/** Retry-After as milliseconds (seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
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

export async function postToWebhook(
  url: string,
  body: unknown,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_DELIVERY.maxAttempts);
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_DELIVERY.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_DELIVERY.maxDelayMs;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY.timeoutMs;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const doFetch = options.fetch ?? fetch;
  const host = webhookHost(url);
  const payload = JSON.stringify(body);
  const delaysMs: number[] = [];

  let status: number | null = null;
  let error: string | null = null;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    let retryAfter: number | null = null;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      const text = redactWebhook((await response.text().catch(() => '')).slice(0, RESPONSE_TEXT_LIMIT), url);
      if (response.ok) {
        options.logger?.info({ host, status, attempt }, 'digest webhook accepted the card');
        return { ok: true, status, attempts: attempt, error: null, retryable: false, delaysMs };
      }
      error = `HTTP ${status} from ${host}${text ? `: ${text}` : ''}`;
      if (status !== 429 && status < 500) {
        options.logger?.warn({ host, status, attempt }, `digest webhook refused the card: ${error}`);
        return { ok: false, status, attempts: attempt, error, retryable: false, delaysMs };
      }
      if (status === 429) retryAfter = retryAfterMs(response.headers.get('retry-after'));
    } catch (caught) {
      status = null;
      error = `no answer from ${host}: ${redactWebhook(errorText(caught), url)}`;
    }
    if (attempt === maxAttempts) break;
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    const delay = retryAfter !== null ? Math.min(maxDelayMs, retryAfter) : Math.round(random() * backoff);
    options.logger?.warn(
      { host, status, attempt, retryInMs: delay },
      `digest webhook attempt failed, retrying: ${error}`,
    );
    delaysMs.push(delay);
    await sleep(delay);
  }
  return { ok: false, status, attempts: maxAttempts, error, retryable: true, delaysMs };
}
