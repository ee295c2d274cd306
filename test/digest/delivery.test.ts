import { describe, it, expect, afterEach } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { capturingLogger } from './logging.js';
import {
  postToWebhook,
  redactWebhook,
  teamsMessage,
  webhookHost,
  worstCaseDeliveryMs,
} from '../../server/digest/delivery.js';
import type { SinkResponse, WebhookSink } from '../../server/digest/webhookSink.js';
import { startWebhookSink } from '../../server/digest/webhookSink.js';

const CARD = {
  type: 'AdaptiveCard',
  version: '1.4',
  body: [{ type: 'TextBlock', text: 'Reliability digest, week 2026-W47' }],
};
const noWait = { sleep: async () => {}, random: () => 1 };

let sink: WebhookSink | null = null;
afterEach(async () => {
  await sink?.close();
  sink = null;
});

async function sinkAnswering(...answers: SinkResponse[]): Promise<WebhookSink> {
  sink = await startWebhookSink({ respond: (_m, n) => answers[n - 1] ?? { status: 202 } });
  return sink;
}

describe('postToWebhook', () => {
  it('posts the Teams message shape once and reports success on 202', async () => {
    const target = await sinkAnswering({ status: 202 });
    const result = await postToWebhook(target.url, teamsMessage(CARD), noWait);
    expect(result).toMatchObject({ ok: true, status: 202, attempts: 1, error: null });
    expect(target.received).toHaveLength(1);
    const [message] = target.received;
    expect(message?.contentType).toBe('application/json');
    expect(message?.body).toEqual({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: CARD }],
    });
  });

  it('retries 429 and 5xx with growing backoff, then succeeds', async () => {
    const target = await sinkAnswering({ status: 503 }, { status: 500 }, { status: 429 }, { status: 202 });
    const waits: number[] = [];
    const result = await postToWebhook(target.url, teamsMessage(CARD), {
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      random: () => 0.5, // the middle of the ±30 % jitter
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result).toMatchObject({ ok: true, status: 202, attempts: 4 });
    expect(target.received).toHaveLength(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('waits the Retry-After of a 429 in full; one beyond the longest delay ends the delivery as retryable', async () => {
    const target = await sinkAnswering(
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 429, headers: { 'retry-after': '120' } },
    );
    const waits: number[] = [];
    const result = await postToWebhook(target.url, teamsMessage(CARD), {
      maxDelayMs: 30_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result).toMatchObject({ ok: false, status: 429, attempts: 2, retryable: true, delaysMs: [3000] });
    expect(waits).toEqual([3000]);
    expect(target.received).toHaveLength(2);
  });

  it('keeps jittered waits within ±30 % of the backoff and under the cap', async () => {
    const target = await sinkAnswering(...Array.from({ length: 10 }, () => ({ status: 503 })));
    const delays = async (random: number) =>
      (
        await postToWebhook(target.url, teamsMessage(CARD), {
          baseDelayMs: 100,
          maxDelayMs: 300,
          random: () => random,
          sleep: async () => {},
        })
      ).delaysMs;
    expect(await delays(0)).toEqual([70, 140, 210, 210]);
    expect(await delays(0.999999)).toEqual([130, 260, 300, 300]);
  });

  it('does not retry a 501 (a lasting refusal), but does retry a 408', async () => {
    const refused = await sinkAnswering({ status: 501 });
    expect(await postToWebhook(refused.url, teamsMessage(CARD), noWait)).toMatchObject({
      ok: false,
      status: 501,
      attempts: 1,
      retryable: false,
    });
    await sink?.close();
    const slow = await sinkAnswering({ status: 408 }, { status: 202 });
    expect(await postToWebhook(slow.url, teamsMessage(CARD), noWait)).toMatchObject({ ok: true, attempts: 2 });
  });

  it('does not retry a 400 and reports the response text', async () => {
    const target = await sinkAnswering({
      status: 400,
      body: 'The request body is not a valid Adaptive Card: property "attachments" is required',
    });
    const result = await postToWebhook(target.url, teamsMessage(CARD), noWait);
    expect(result).toMatchObject({ ok: false, status: 400, attempts: 1, retryable: false });
    expect(result.error).toContain('HTTP 400 from 127.0.0.1:');
    expect(result.error).toContain('property "attachments" is required');
    expect(target.received).toHaveLength(1);
  });

  it('gives up after the last attempt on persistent 5xx, saying so', async () => {
    const target = await sinkAnswering(...Array.from({ length: 10 }, () => ({ status: 502, body: 'bad gateway' })));
    const result = await postToWebhook(target.url, teamsMessage(CARD), { ...noWait, maxAttempts: 3 });
    expect(result).toMatchObject({ ok: false, status: 502, attempts: 3, retryable: true });
    expect(result.error).toContain('bad gateway');
    expect(target.received).toHaveLength(3);
  });

  it('retries network errors (connection dropped, then nobody listening)', async () => {
    const target = await startWebhookSink({
      respond: (_m, n) => {
        if (n === 1) throw new Error('drop the connection');
        return { status: 202 };
      },
    });
    sink = target;
    const result = await postToWebhook(target.url, teamsMessage(CARD), noWait);
    expect(result).toMatchObject({ ok: true, attempts: 2 });

    const closed = await startWebhookSink();
    const url = closed.url;
    await closed.close();
    const refused = await postToWebhook(url, teamsMessage(CARD), { ...noWait, maxAttempts: 2 });
    expect(refused).toMatchObject({ ok: false, status: null, attempts: 2, retryable: true });
    expect(refused.error).toMatch(/^no answer from 127\.0\.0\.1:\d+: fetch failed: ECONNREFUSED/);
  });

  it('times out a webhook that does not answer, and retries', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests += 1;
      if (requests === 1) return; // never answers
      res.writeHead(202).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await postToWebhook(`http://127.0.0.1:${port}/hook?sig=abc12345`, teamsMessage(CARD), {
        ...noWait,
        timeoutMs: 200,
      });
      expect(result).toMatchObject({ ok: true, attempts: 2 });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('never logs or returns the webhook URL or its sig, only its host', async () => {
    const secret = 'sig-0123456789abcdef';
    const answered = await startWebhookSink({
      respond: (m) => ({
        status: m.path === '/x' ? 404 : 500,
        body: `no flow at ${m.path}?sig=${secret} (sig=${secret})`,
      }),
    });
    sink = answered;
    const url = answered.url.replace('demo-signature-not-a-secret', secret);
    const { logger, lines } = capturingLogger();
    const result = await postToWebhook(url, teamsMessage(CARD), { ...noWait, maxAttempts: 2, logger });
    expect(result.ok).toBe(false);
    const everything = `${lines()}\n${JSON.stringify(result)}`;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('/workflows/digest');
    expect(everything).toContain(webhookHost(url));
    expect(everything).toContain('[redacted]');
  });
});

describe('webhook sink (demo mode)', () => {
  it('logs each card it receives with its headlines and size', async () => {
    const { logger, lines } = capturingLogger();
    sink = await startWebhookSink({ logger });
    const card = {
      ...CARD,
      body: [
        { type: 'TextBlock', text: 'Reliability digest, week 2026-W47', weight: 'Bolder' },
        { type: 'TextBlock', text: 'plain' },
      ],
    };
    await postToWebhook(sink.url, teamsMessage(card), noWait);
    const logged = JSON.parse(lines().trim().split('\n').pop() ?? '{}') as {
      msg: string;
      headlines: string[];
      bytes: number;
    };
    expect(logged.msg).toContain('webhook sink received a digest card');
    expect(logged.headlines).toEqual(['Reliability digest, week 2026-W47']);
    expect(logged.bytes).toBe(sink.accepted[0]?.bytes);
  });
});

describe('delivery helpers', () => {
  it('redacts the URL, its path and query, URL-encoded too', () => {
    const url =
      'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=S3cr3tS1g';
    const text = `posting to ${url} failed; sig=S3cr3tS1g; ${encodeURIComponent(url)}`;
    const redacted = redactWebhook(text, url);
    expect(redacted).not.toContain('S3cr3tS1g');
    expect(redacted).not.toContain('/workflows/abc');
    expect(webhookHost(url)).toBe('prod-01.westeurope.logic.azure.com');
    expect(webhookHost('not a url')).toBe('(not a URL)');
  });

  it('bounds the slowest delivery (what the claim timeout must exceed)', () => {
    expect(worstCaseDeliveryMs({ maxAttempts: 3, timeoutMs: 1000, maxDelayMs: 500 })).toBe(3 * 1000 + 2 * 500);
  });
});
