/**
 * A loopback stand-in for a Teams Workflows webhook: demo mode points the digest at it,
 * and tests use it as the receiving end (a scripted `respond` makes it fail on cue).
 * It records each message and logs what arrived, answering 202 as Workflows does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface ReceivedMessage {
  at: string;
  path: string;
  contentType: string | null;
  bytes: number;
  /** The parsed JSON, or null when the body was not JSON. */
  body: unknown;
  text: string;
}

export interface SinkResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface WebhookSinkOptions {
  port?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Decides the answer to the n-th request (1-based); default 202. Throwing drops the connection. */
  respond?: (message: ReceivedMessage, n: number) => SinkResponse | Promise<SinkResponse>;
}

export interface WebhookSink {
  /** Where to post; carries a fake `sig` so the URL has the same shape as a real one. */
  url: string;
  /** Every request, in arrival order (including the ones answered with an error). */
  received: ReceivedMessage[];
  /** The messages answered with 2xx. */
  accepted: ReceivedMessage[];
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/** The card's bold lines (title and section headings), which say what the digest reported. */
function cardHeadlines(body: unknown): string[] {
  const attachments = (
    body as { attachments?: Array<{ content?: { body?: Array<{ text?: unknown; weight?: unknown }> } }> } | null
  )?.attachments;
  return (attachments?.[0]?.content?.body ?? [])
    .filter((element) => element.weight === 'Bolder' && typeof element.text === 'string')
    .map((element) => element.text as string);
}

export async function startWebhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const received: ReceivedMessage[] = [];
  const accepted: ReceivedMessage[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end('body too large');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = null;
        }
        const message: ReceivedMessage = {
          at: new Date().toISOString(),
          path: (req.url ?? '/').split('?')[0] ?? '/',
          contentType: req.headers['content-type'] ?? null,
          bytes: Buffer.byteLength(text),
          body,
          text,
        };
        received.push(message);
        let answer: SinkResponse;
        try {
          answer = options.respond ? await options.respond(message, received.length) : { status: 202 };
        } catch {
          req.socket.destroy();
          return;
        }
        if (answer.status >= 200 && answer.status < 300) {
          accepted.push(message);
          options.logger?.info(
            { bytes: message.bytes, headlines: cardHeadlines(body) },
            'webhook sink received a digest card (demo: nothing was sent to Teams)',
          );
        } else {
          options.logger?.warn({ status: answer.status }, 'webhook sink answered with an error, as scripted');
        }
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.body ?? '');
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/workflows/digest?api-version=2016-06-01&sig=demo-signature-not-a-secret`,
    received,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
