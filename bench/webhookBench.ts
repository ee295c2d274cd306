/**
 * Jira webhooks at product scale (docs/webhooks.md): the sample Jira seeded at the bench's
 * scale, synced into a fresh embedded store, and the real app (createApp with its webhook
 * worker) listening on loopback. Measured, with signed deliveries over HTTP:
 * - the answer time of `POST /api/jira/webhook` (p95 over a steady stream);
 * - delivery to visible under a burst of 100 deliveries in 10 s: from each delivery sent
 *   to the first moment `GET /api/action-items/...` data (the store behind every answer)
 *   shows the change it announced (p95);
 * - the cost of one change: Jira requests, time to apply, and the first `GET /api/metrics`
 *   after it (the metrics state rebuilt for the new data version).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { loadConfig, parseConfigFileObject } from '../server/config/config.js';
import { createServices } from '../server/assembly/index.js';
import { createApp } from '../server/http/app.js';
import { demoConfig } from '../server/jira-sample/demoConfig.js';
import { startSampleJira, type SampleJira } from '../server/jira-sample/index.js';
import { createLogger } from '../server/logging.js';
import { EmbeddedStore } from '../server/store/embedded/EmbeddedStore.js';
import { createJiraSync } from '../server/sync/jiraSync.js';
import type { WebhookProcessor } from '../server/webhooks/processor.js';
import { signBody } from '../server/webhooks/signature.js';
import { percentile, type Figure } from './report.js';

const GROUP = 'Jira webhooks';
const SECRET = 'bench-webhook-secret-0123456789abcdef';

export interface WebhookBenchResult {
  figures: Figure[];
  details: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureWebhooks(
  scale: { incidents: number; actionItems: number; latencyMs: number },
  workDir: string,
  onStep: (line: string) => void = () => {},
): Promise<WebhookBenchResult> {
  let jira: SampleJira | null = null;
  let store: EmbeddedStore | null = null;
  let processor: WebhookProcessor | null = null;
  let server: Server | null = null;
  try {
    onStep(`webhooks: seeding and syncing ${scale.incidents} incidents, ${scale.actionItems} action items`);
    jira = await startSampleJira({
      seed: { incidents: scale.incidents, actionItems: scale.actionItems, seed: 20261203 },
      latencyMs: scale.latencyMs,
    });
    const mapping = parseConfigFileObject(demoConfig, 'demo config').mapping;
    const config = loadConfig({
      DATA_DIR: workDir,
      CONFIG_FILE: undefined,
      JIRA_WEBHOOK_SECRET: SECRET,
      TIMEZONE: 'UTC',
    });
    store = await EmbeddedStore.create(workDir);
    const connection = { baseUrl: jira.url, email: jira.email, apiToken: jira.apiToken };
    const jiraSync = createJiraSync({ store, connection, mapping, timezone: 'UTC' });
    const sync = await jiraSync.run(new Date(), { full: true });
    if (!sync.ok) throw new Error(`the sync before the webhook bench failed: ${sync.error}`);
    const logger = createLogger('silent');
    const deps = { config: { ...config, jira: connection, mapping }, store, logger, now: () => new Date() };
    const services = createServices(deps, { sync: jiraSync });
    processor = services.webhooks as WebhookProcessor;
    const app = createApp({ ...deps, ...services });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sample = jira;
    const activeStore = store;
    const worker = processor;

    const items = (await activeStore.findActionItems({ open: true }, { limit: 50 })).map((i) => ({
      key: i.key,
      id: i.jiraId as string,
    }));
    let sequence = 0;
    const deliver = async (item: { key: string; id: string }): Promise<number> => {
      const body = JSON.stringify({
        timestamp: Date.now(),
        webhookEvent: 'jira:issue_updated',
        issue: { id: item.id, key: item.key, fields: {} },
      });
      const started = performance.now();
      const res = await fetch(`${base}/api/jira/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature': signBody(SECRET, body),
          'x-atlassian-webhook-identifier': `bench-${++sequence}`,
        },
        body,
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`POST /api/jira/webhook answered ${res.status}`);
      return performance.now() - started;
    };

    // The cost of one change (first, so the metrics state is warm and exactly one change follows).
    await fetch(`${base}/api/metrics`).then((r) => r.arrayBuffer());
    const one = items[0] as { key: string; id: string };
    sample.data.updateIssue(one.key, { summary: 'Changed once for the bench' });
    sample.resetStats();
    const applyStarted = performance.now();
    await deliver(one);
    await worker.drain();
    const applyMs = performance.now() - applyStarted;
    const jiraRequests = sample.stats().requests;
    const metricsStarted = performance.now();
    await fetch(`${base}/api/metrics`).then((r) => r.arrayBuffer());
    const metricsMs = performance.now() - metricsStarted;
    onStep(
      `  one change: ${jiraRequests} Jira requests, applied in ${Math.round(applyMs)} ms, next /api/metrics ${Math.round(metricsMs)} ms`,
    );

    // Answer time over a steady stream (no change behind them: the worker's reads still run).
    const answers: number[] = [];
    for (let i = 0; i < 200; i += 1)
      answers.push(await deliver(items[i % items.length] as { key: string; id: string }));
    await worker.drain();

    // A burst: 100 deliveries in 10 s over 20 issues, each announcing a new summary.
    const burstItems = items.slice(0, 20);
    const pending: Array<{ key: string; summary: string; sentAt: number; visibleAt: number | null }> = [];
    let watching = true;
    const watch = (async () => {
      while (watching || pending.some((p) => p.visibleAt === null)) {
        const open = pending.filter((p) => p.visibleAt === null);
        if (open.length > 0) {
          const stored = new Map(
            (await activeStore.findActionItems({ keys: [...new Set(open.map((p) => p.key))] })).map((i) => [
              i.key,
              i.summary,
            ]),
          );
          const now = performance.now();
          for (const p of open) {
            const summary = stored.get(p.key) ?? '';
            // A later change of the same issue also makes this one visible (it was superseded).
            if (
              summary === p.summary ||
              pending.some((q) => q.key === p.key && q.sentAt > p.sentAt && q.summary === summary)
            )
              p.visibleAt = now;
          }
        }
        if (!watching && performance.now() - (pending.at(-1)?.sentAt ?? 0) > 30_000) break;
        await sleep(20);
      }
    })();
    const burstStarted = performance.now();
    for (let i = 0; i < 100; i += 1) {
      const item = burstItems[i % burstItems.length] as { key: string; id: string };
      const summary = `Burst change ${i}`;
      sample.data.updateIssue(item.key, { summary });
      pending.push({ key: item.key, summary, sentAt: performance.now(), visibleAt: null });
      await deliver(item);
      const due = burstStarted + (i + 1) * 100;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    watching = false;
    await watch;
    const visible = pending
      .filter((p) => p.visibleAt !== null)
      .map((p) => (p.visibleAt as number) - p.sentAt)
      .sort((a, b) => a - b);
    const lastVisible =
      Math.max(...pending.map((p) => p.visibleAt ?? Number.NaN)) - (pending.at(-1) as { sentAt: number }).sentAt;
    answers.sort((a, b) => a - b);
    const stats = worker.stats();
    onStep(
      `  answer p95 ${percentile(answers, 0.95)?.toFixed(1)} ms; burst: p95 ${percentile(visible, 0.95)?.toFixed(0)} ms to visible, ${stats.refreshed.read} issue reads in all`,
    );

    return {
      figures: [
        {
          id: 'webhook.answer.p95',
          group: GROUP,
          label: 'POST /api/jira/webhook: answer p95',
          value: percentile(answers, 0.95),
          unit: 'ms',
          target: { max: 1_000 },
          note: `${answers.length} signed deliveries, one at a time`,
        },
        {
          id: 'webhook.burst.visibleP95',
          group: GROUP,
          label: 'burst of 100 deliveries in 10 s: delivery to visible, p95',
          value: visible.length === pending.length ? percentile(visible, 0.95) : null,
          unit: 'ms',
          target: { max: 5_000 },
          note: `20 issues; last delivery visible after ${Number.isFinite(lastVisible) ? Math.round(lastVisible) : '?'} ms; ${visible.length}/${pending.length} seen`,
        },
        {
          id: 'webhook.change.jiraRequests',
          group: GROUP,
          label: 'one change: requests to Jira',
          value: jiraRequests,
          unit: 'count',
          note: 'the issue re-read by id (fields and changelog)',
        },
        {
          id: 'webhook.change.applyMs',
          group: GROUP,
          label: 'one change: delivery to applied',
          value: applyMs,
          unit: 'ms',
          note: `with +${scale.latencyMs} ms per Jira request`,
        },
        {
          id: 'webhook.change.metricsMs',
          group: GROUP,
          label: 'one change: next GET /api/metrics',
          value: metricsMs,
          unit: 'ms',
          note: `${scale.incidents} incidents, ${scale.actionItems} action items in the store`,
        },
      ],
      details: { answersMs: answers, visibleMs: visible, worker: stats, applyMs, metricsMs, jiraRequests },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    onStep(`  webhooks failed: ${message}`);
    return {
      figures: [
        { id: 'webhook.error', group: GROUP, label: 'not measured', value: null, unit: 'count', note: message },
      ],
      details: { error: message },
    };
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => (server as Server).close(resolve));
    }
    await processor?.stop();
    await store?.close();
    await jira?.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}
