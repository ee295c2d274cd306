/**
 * The composition root: every service built once and shared by whoever uses it, and demo
 * mode as an environment that hands the rest of the product an ordinary configuration.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { assemble, createServices, type Product } from '../../server/assembly/index.js';
import { loadConfig, parseConfigFileObject } from '../../server/config/config.js';
import { DEMO_JIRA_FILE } from '../../server/demo/environment.js';
import { createApp } from '../../server/http/app.js';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { createLogger } from '../../server/logging.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { tempDir } from '../support/stores.js';

const dirs: string[] = [];
const products: Product[] = [];
afterEach(async () => {
  for (const product of products.splice(0)) await product.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = tempDir('pmi-assembly-');
  dirs.push(dir);
  return dir;
}

async function assembled(env: NodeJS.ProcessEnv, needs = { jira: true, digestWebhook: true }): Promise<Product> {
  const product = await assemble({ env: { CONFIG_FILE: '', LOG_LEVEL: 'silent', ...env }, needs });
  products.push(product);
  return product;
}

describe('createServices', () => {
  it('builds one MetricsService that the routes and the digest share', async () => {
    const dir = dataDir();
    const store = await EmbeddedStore.create(dir);
    try {
      const base = {
        config: loadConfig({ DATA_DIR: dir }),
        store,
        logger: createLogger('silent'),
        now: () => new Date(),
      };
      const services = createServices(base);
      expect(services.digest.deps.source).toBe(services.metrics);
      const app = createApp({ ...base, ...services });
      const before = services.metrics.stats.computations;
      await request(app).get('/api/metrics').expect(200);
      expect(services.metrics.stats.computations).toBe(before + 1);
      await services.digest.preview(new Date());
      expect(services.metrics.stats.computations).toBeGreaterThan(before + 1);
    } finally {
      await store.close();
    }
  });

  it('builds a sync only for a configured Jira, and a webhook worker only with JIRA_WEBHOOK_SECRET too', async () => {
    const dir = dataDir();
    const store = await EmbeddedStore.create(dir);
    try {
      const base = { store, logger: createLogger('silent'), now: () => new Date() };
      const jira = { JIRA_BASE_URL: 'https://acme.atlassian.net', JIRA_EMAIL: 'sre@acme.com', JIRA_API_TOKEN: 'token' };
      const secret = { JIRA_WEBHOOK_SECRET: 'a-webhook-secret-0123456789' };
      const none = createServices({ ...base, config: loadConfig({ DATA_DIR: dir, ...secret }) });
      expect([none.sync, none.webhooks]).toEqual([null, null]);
      const readOnly = createServices({ ...base, config: loadConfig({ DATA_DIR: dir, ...jira }) });
      expect(readOnly.sync).not.toBeNull();
      expect(readOnly.webhooks).toBeNull();
      const both = createServices({ ...base, config: loadConfig({ DATA_DIR: dir, ...jira, ...secret }) });
      expect(both.webhooks).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('demo mode, a plug-in chosen by configuration', () => {
  it('starts the sample Jira and the webhook sink and returns an ordinary configuration pointing at them', async () => {
    const dir = dataDir();
    const product = await assembled({ DATA_DIR: dir });
    const { config, environment } = product;
    expect(config.demo).toBe(true);
    expect(config.jira?.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(config.mapping).toEqual(parseConfigFileObject(demoConfig).mapping);
    expect(config.teamsWebhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/workflows\//);
    expect(config.jiraWebhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(environment.firstSync).toBe('full-before-ready');
    expect(product.services.sync).not.toBeNull();
    expect(product.services.webhooks).not.toBeNull();

    const myself = await fetch(`${config.jira!.baseUrl}/rest/api/3/myself`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`${config.jira!.email}:${config.jira!.apiToken}`).toString('base64')}`,
      },
    });
    expect(myself.status).toBe(200);

    // Once the server listens, `npm run demo:change` can find the sample Jira.
    environment.listening('http://127.0.0.1:1');
    expect(JSON.parse(readFileSync(join(config.dataDir, DEMO_JIRA_FILE), 'utf8'))).toEqual({
      url: config.jira!.baseUrl,
      email: config.jira!.email,
      apiToken: config.jira!.apiToken,
    });

    await product.close();
    products.splice(products.indexOf(product), 1);
    await expect(fetch(`${config.jira!.baseUrl}/rest/api/3/myself`)).rejects.toThrow();
    await expect(fetch(config.teamsWebhookUrl!, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('starts only what the caller needs, and keeps a TEAMS_WEBHOOK_URL of its own', async () => {
    const dir = dataDir();
    const own = 'https://example.webhook.office.com/workflows/abc';
    const product = await assembled({ DATA_DIR: dir, TEAMS_WEBHOOK_URL: own }, { jira: false, digestWebhook: true });
    expect(product.config.jira).toBeNull();
    expect(product.config.teamsWebhookUrl).toBe(own);
    expect(product.environment.firstSync).toBe('when-never-synced');
    expect(product.services.sync).toBeNull();
    product.environment.listening('http://127.0.0.1:1');
    expect(existsSync(join(dir, DEMO_JIRA_FILE))).toBe(false);
  });

  it('is not there when a Jira is configured: the configuration is used as loaded', async () => {
    const dir = dataDir();
    const env = {
      DATA_DIR: dir,
      JIRA_BASE_URL: 'https://acme.atlassian.net',
      JIRA_EMAIL: 'sre@acme.com',
      JIRA_API_TOKEN: 'token',
    };
    const product = await assembled(env);
    expect(product.config).toEqual(loadConfig({ CONFIG_FILE: '', LOG_LEVEL: 'silent', ...env }));
    expect(product.environment.firstSync).toBe('when-never-synced');
    expect(product.environment.report()).toEqual([]);
  });
});
