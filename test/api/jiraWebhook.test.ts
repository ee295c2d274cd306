/**
 * POST /api/jira/webhook end to end: supertest on createApp with a real embedded store,
 * the webhook worker, and the sample Jira the server reads issues back from.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createServices, type ServiceBase } from '../../server/assembly/index.js';
import { loadConfig, parseConfigFileObject, type Config } from '../../server/config/config.js';
import { createApp } from '../../server/http/app.js';
import { demoConfig, startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { createLogger } from '../../server/logging.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { createJiraSync, type JiraSync } from '../../server/sync/jiraSync.js';
import { createWebhookProcessor, type WebhookProcessor } from '../../server/webhooks/processor.js';
import { signBody } from '../../server/webhooks/signature.js';
import { tempDir } from '../support/stores.js';

const SECRET = 'webhook-secret-for-tests-0123456789';
const mapping = parseConfigFileObject(demoConfig, 'demo config').mapping;

let sample: SampleJira;
let store: EmbeddedStore;
let dir: string;
let config: Config;
let base: ServiceBase;
let sync: JiraSync;
let processor: WebhookProcessor;
let app: ReturnType<typeof createApp>;
let sequence = 0;

function issueRef(key: string): { id: string; key: string } {
  const issue = sample.data.issue(key) as { id: string; key: string };
  return { id: issue.id, key: issue.key };
}

function deliver(body: object, options: { id?: string; secret?: string; signature?: string | null } = {}) {
  const raw = JSON.stringify(body);
  const req = request(app)
    .post('/api/jira/webhook')
    .set('content-type', 'application/json')
    .set('x-atlassian-webhook-identifier', options.id ?? `delivery-${++sequence}`);
  const signature = options.signature === undefined ? signBody(options.secret ?? SECRET, raw) : options.signature;
  if (signature !== null) req.set('x-hub-signature', signature);
  return req.send(raw);
}

const issueEvent = (event: string, key: string, id = issueRef(key).id) => ({
  timestamp: Date.now(),
  webhookEvent: event,
  issue: { id, key, fields: {} },
});

async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  withinMs = 5_000,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value)) return { value, ms: Date.now() - started };
    if (Date.now() - started > withinMs)
      throw new Error(`not within ${withinMs} ms: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const actionItem = async (key: string) =>
  (
    (await request(app).get('/api/action-items')).body.items as Array<{
      key: string;
      statusCategory: string;
      incidentKey: string | null;
      summary: string;
    }>
  ).find((i) => i.key === key);

const issueReads = () => sample.stats().byRoute['GET /rest/api/3/issue/{issueIdOrKey}'] ?? 0;

let incidentKey: string;
let itemKey: string;

beforeAll(async () => {
  sample = await startSampleJira({ seed: 'empty' });
  incidentKey = sample.data.addIssue({ projectKey: 'OPS', issueType: 'Incident', summary: 'Checkout outage' });
  itemKey = sample.data.addIssue({
    projectKey: 'REL',
    issueType: 'Task',
    summary: 'Add a retry budget',
    labels: ['postmortem-action'],
  });
  sample.data.link(itemKey, incidentKey, 'Relates');
  dir = tempDir('pmi-webhook-');
  // An ordinary configuration whose Jira is the sample Jira, read with its field mapping.
  config = {
    ...loadConfig({ DATA_DIR: dir, CONFIG_FILE: undefined, JIRA_WEBHOOK_SECRET: SECRET }),
    jira: { baseUrl: sample.url, email: sample.email, apiToken: sample.apiToken },
    mapping,
  };
  store = await EmbeddedStore.create(dir);
  const logger = createLogger('silent');
  base = { config, store, logger, now: () => new Date() };
  sync = createJiraSync({ store, connection: config.jira!, mapping, timezone: config.timezone });
  expect((await sync.run(new Date())).ok).toBe(true);
  processor = createWebhookProcessor({ store, refresher: sync.refresher, logger, pollMs: 200, settleMs: 50 });
  app = createApp({ ...base, ...createServices(base, { sync, webhooks: processor }) });
});

afterAll(async () => {
  await processor.stop();
  await sample.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/jira/webhook', () => {
  it('shows an action item closed in Jira in /api/action-items within 5 s of the signed delivery', async () => {
    expect((await actionItem(itemKey))?.statusCategory).toBe('new');
    sample.data.transition(itemKey, 'Done');
    const sent = Date.now();
    const res = await deliver(issueEvent('jira:issue_updated', itemKey));
    expect(res.status).toBe(202);
    expect(Date.now() - sent).toBeLessThan(1_000);
    const { ms } = await eventually(
      () => actionItem(itemKey),
      (item) => item?.statusCategory === 'done',
    );
    expect(ms).toBeLessThan(5_000);
  });

  it('counts the same delivery twice once', async () => {
    sample.data.updateIssue(itemKey, { summary: 'Add a retry budget (reviewed)' });
    await processor.drain();
    const before = processor.stats().deliveries;
    const reads = issueReads();
    const body = issueEvent('jira:issue_updated', itemKey);
    const first = await deliver(body, { id: 'same-delivery' });
    const second = await deliver(body, { id: 'same-delivery' });
    expect([first.status, first.body.duplicate, second.status, second.body.duplicate]).toEqual([202, false, 202, true]);
    await processor.drain();
    expect(processor.stats().deliveries - before).toBe(1);
    expect(issueReads() - reads).toBe(1);
    expect((await actionItem(itemKey))?.summary).toBe('Add a retry budget (reviewed)');
  });

  it('refuses a wrong or missing signature with 401 and changes nothing', async () => {
    sample.data.updateIssue(itemKey, { summary: 'Changed in Jira, not announced' });
    await processor.drain();
    const version = await store.dataVersion();
    const before = processor.stats().deliveries;
    const body = issueEvent('jira:issue_updated', itemKey);
    const wrong = await deliver(body, { secret: 'another-secret-0123456789abcdef' });
    const missing = await deliver(body, { signature: null });
    const garbage = await deliver(body, { signature: 'sha256=zz' });
    expect([wrong.status, missing.status, garbage.status]).toEqual([401, 401, 401]);
    expect(wrong.body.error.code).toBe('unauthorized');
    expect(JSON.stringify(wrong.body)).not.toContain(SECRET);
    await processor.drain();
    expect(processor.stats().deliveries).toBe(before);
    expect(await store.dataVersion()).toBe(version);
    expect((await actionItem(itemKey))?.summary).toBe('Add a retry budget (reviewed)');
  });

  it('answers 400 naming the field for a signed body that is not a delivery, and 202 ignoring other events', async () => {
    const notJson = await request(app)
      .post('/api/jira/webhook')
      .set('x-hub-signature', signBody(SECRET, 'nope'))
      .send('nope');
    expect(notJson.status).toBe(400);
    const noId = await deliver({ webhookEvent: 'jira:issue_updated', issue: { key: itemKey } });
    expect(noId.status).toBe(400);
    expect(noId.body.error.message).toContain('issue.id');
    const other = await deliver({ webhookEvent: 'comment_created', comment: {} });
    expect(other.status).toBe(202);
    expect(other.body.accepted).toBe(false);
  });

  it('keeps the newest state whatever order deliveries arrive in, and a late delivery cannot put back older state', async () => {
    sample.data.updateIssue(itemKey, { summary: 'v1' });
    const first = issueEvent('jira:issue_updated', itemKey);
    sample.data.updateIssue(itemKey, { summary: 'v2' });
    const second = issueEvent('jira:issue_updated', itemKey);
    await deliver(second);
    await deliver(first);
    await processor.drain();
    expect((await actionItem(itemKey))?.summary).toBe('v2');

    // A record stored from a newer read than what Jira returns now (a slow replica's late read) is kept.
    const stored = (await store.getActionItem(itemKey))!;
    const newer = { ...stored, summary: 'newer than Jira', updatedAt: new Date(Date.now() + 60_000).toISOString() };
    await store.upsertActionItems([newer]);
    await deliver(first);
    await processor.drain();
    expect((await store.getActionItem(itemKey))?.summary).toBe('newer than Jira');
    await store.upsertActionItems([stored]);
  });

  it('adds a created incident, links an action item to it, and removes it when deleted', async () => {
    const key = sample.data.addIssue({ projectKey: 'OPS', issueType: 'Incident', summary: 'Search latency' });
    await deliver(issueEvent('jira:issue_created', key));
    await eventually(
      () => request(app).get(`/api/incidents/${key}`),
      (res) => res.status === 200,
    );

    const task = sample.data.addIssue({
      projectKey: 'REL',
      issueType: 'Task',
      summary: 'Cache warm-up',
      labels: ['postmortem-action'],
    });
    await deliver(issueEvent('jira:issue_created', task));
    await eventually(
      () => actionItem(task),
      (item) => item !== undefined && item.incidentKey === null,
    );
    sample.data.link(task, key, 'Relates');
    await deliver({
      timestamp: Date.now(),
      webhookEvent: 'issuelink_created',
      issueLink: { id: 1, sourceIssueId: Number(issueRef(task).id), destinationIssueId: Number(issueRef(key).id) },
    });
    await eventually(
      () => actionItem(task),
      (item) => item?.incidentKey === key,
    );

    const { id } = issueRef(key);
    sample.data.deleteIssue(key);
    await deliver(issueEvent('jira:issue_deleted', key, id));
    await eventually(
      () => request(app).get(`/api/incidents/${key}`),
      (res) => res.status === 404,
    );
    expect((await actionItem(task))?.incidentKey).toBeNull();
  });

  it('ignores an issue outside both JQLs', async () => {
    const other = sample.data.addIssue({ projectKey: 'REL', issueType: 'Bug', summary: 'Typo on the status page' });
    const before = processor.stats().refreshed.ignored;
    await deliver(issueEvent('jira:issue_created', other));
    await processor.drain();
    expect(processor.stats().refreshed.ignored - before).toBe(1);
    expect(await store.getActionItem(other)).toBeNull();
    expect(await store.getIncident(other)).toBeNull();
  });

  it('collapses a burst of 100 deliveries for 10 issues into few reads, visible within 5 s of the last', async () => {
    const keys = Array.from({ length: 10 }, (_, i) =>
      sample.data.addIssue({
        projectKey: 'REL',
        issueType: 'Task',
        summary: `Burst ${i}`,
        labels: ['postmortem-action'],
      }),
    );
    await processor.drain();
    const reads = issueReads();
    for (let round = 0; round < 10; round += 1) {
      await Promise.all(
        keys.map(async (key, i) => {
          sample.data.updateIssue(key, { summary: `Burst ${i} round ${round}` });
          const res = await deliver(issueEvent('jira:issue_updated', key));
          expect(res.status).toBe(202);
        }),
      );
    }
    const { ms } = await eventually(
      async () => Promise.all(keys.map((key) => actionItem(key))),
      (items) => items.every((item, i) => item?.summary === `Burst ${i} round 9`),
    );
    expect(ms).toBeLessThan(5_000);
    await processor.drain();
    // Deliveries arriving while a batch is read share the next read; never one read per delivery.
    expect(issueReads() - reads).toBeLessThan(100);
  });
});

describe('a burst for one issue, and two replicas sharing the store', () => {
  it('reads an issue once or twice, not 20 times, for a burst of 20 deliveries about it', async () => {
    await processor.drain();
    sample.data.updateIssue(itemKey, { summary: 'After the burst' });
    const reads = issueReads();
    const body = issueEvent('jira:issue_updated', itemKey);
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(body)));
    expect(answers.every((res) => res.status === 202 && res.body.duplicate === false)).toBe(true);
    await eventually(
      () => actionItem(itemKey),
      (item) => item?.summary === 'After the burst',
    );
    await processor.drain();
    // Deliveries queued together share one read; on a busy machine the burst may straddle two batches.
    expect(issueReads() - reads).toBeGreaterThanOrEqual(1);
    expect(issueReads() - reads).toBeLessThanOrEqual(3);
  });

  it('processes each delivery once whichever replica received it', async () => {
    await processor.drain();
    // Another replica: its own services over the same store and Jira.
    const replica = createServices(base);
    const second = createWebhookProcessor({
      store,
      refresher: (replica.sync as JiraSync).refresher,
      logger: base.logger,
      pollMs: 200,
      settleMs: 50,
      holder: 'replica-b',
    });
    const secondApp = createApp({ ...base, ...replica, webhooks: second });
    try {
      const before = processor.stats().deliveries;
      const keys = Array.from({ length: 6 }, (_, i) =>
        sample.data.addIssue({
          projectKey: 'REL',
          issueType: 'Task',
          summary: `Replica ${i}`,
          labels: ['postmortem-action'],
        }),
      );
      await Promise.all(
        keys.map((key, i) => {
          const raw = JSON.stringify(issueEvent('jira:issue_created', key));
          return request(i % 2 === 0 ? app : secondApp)
            .post('/api/jira/webhook')
            .set('x-hub-signature', signBody(SECRET, raw))
            .set('x-atlassian-webhook-identifier', `replica-delivery-${i}`)
            .send(raw)
            .expect(202);
        }),
      );
      // Both workers race for the shared queue; each delivery is claimed by exactly one.
      await Promise.all([processor.drain(), second.drain()]);
      expect(processor.stats().deliveries - before + second.stats().deliveries).toBe(6);
      for (const key of keys) expect((await store.getActionItem(key))?.summary).toMatch(/^Replica \d$/);
    } finally {
      await second.stop();
    }
  });
});

describe('POST /api/jira/webhook without JIRA_WEBHOOK_SECRET', () => {
  it('answers 404 saying how to turn webhooks on, whatever AUTH_MODE asks', async () => {
    const offDir = tempDir('pmi-webhook-off-');
    const offConfig = loadConfig({
      DATA_DIR: offDir,
      CONFIG_FILE: undefined,
      AUTH_MODE: 'api-key',
      API_KEYS: 'k'.repeat(20),
    });
    const offStore = await EmbeddedStore.create(offDir);
    try {
      const offBase = { config: offConfig, store: offStore, logger: createLogger('silent'), now: () => new Date() };
      const offApp = createApp({ ...offBase, ...createServices(offBase) });
      const res = await request(offApp)
        .post('/api/jira/webhook')
        .set('x-hub-signature', signBody(SECRET, '{}'))
        .send('{}');
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('JIRA_WEBHOOK_SECRET');
    } finally {
      await offStore.close();
      rmSync(offDir, { recursive: true, force: true });
    }
  });
});
