/**
 * Live updates: the server announces each change of its data on `GET /api/events`
 * (server-sent events). EventSource cannot send the Authorization header the API needs
 * under AUTH_MODE=api-key or teams-sso, so the stream is read with fetch through the one
 * API client (same credentials, same 401-then-token renewal). On each new data version the
 * tab refreshes in place; a dropped stream reconnects after a pause.
 */
import type { ApiClient } from './api.js';

export interface LiveOptions {
  api: Pick<ApiClient, 'events'>;
  /** Refreshes the view; never called again before its promise settles (a burst of changes is one refresh more). */
  onChange: () => Promise<void>;
  /** Pause before reconnecting after the stream ends or fails. */
  retryMs?: number;
}

/** Starts listening; returns a function that stops. */
export function startLiveUpdates(options: LiveOptions): () => void {
  const controller = new AbortController();
  const retryMs = options.retryMs ?? 3_000;
  let version: number | null = null;
  let busy = false;
  let pending = false;

  const changed = async () => {
    if (busy) {
      pending = true;
      return;
    }
    busy = true;
    try {
      do {
        pending = false;
        await options.onChange().catch(() => undefined);
      } while (pending && !controller.signal.aborted);
    } finally {
      busy = false;
    }
  };

  const onEvent = (event: string, data: string) => {
    if (event !== 'data-version') return;
    const next = (JSON.parse(data) as { version: number }).version;
    // The first version only tells where we are; later ones mean the data changed.
    if (version !== null && next !== version) void changed();
    version = next;
  };

  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        await readEvents(await options.api.events(controller.signal), onEvent);
      } catch {
        // Offline, server restarting, or stopped: wait and try again (unless stopped).
      }
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  void run();
  return () => controller.abort();
}

/** Reads a server-sent event stream to its end, telling `onEvent` each event that carries data. */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent(event, data.join('\n'));
    }
  }
}
