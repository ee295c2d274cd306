/**
 * `npm start`: configuration, store, API + tab, schedules, graceful shutdown.
 * A configuration or store problem stops the process with one line saying what to fix.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, parseConfigFileObject, redactConfig, type Config } from './config/config.js';
import { startDigest } from './digest/startDigest.js';
import { StoreUnavailableError } from './errors.js';
import { createApp, type AppDeps } from './http/app.js';
import { demoConfig } from './jira-sample/demoConfig.js';
import { createLogger, type Logger } from './logging.js';
import { createStore } from './store/createStore.js';
import type { Store } from './store/Store.js';
import { startJiraSync } from './sync/startSync.js';
import { buildWebhookProcessor } from './webhooks/build.js';

/** Demo mode: where `npm run demo:change` finds the running sample Jira (inside DATA_DIR). */
export const DEMO_JIRA_FILE = 'sample-jira.json';

export interface Running {
  config: Config;
  store: Store;
  server: Server;
  url: string;
  logger: Logger;
  /** Demo mode: the sample Jira that action-item tickets go to (tests look into it); else null. */
  demoJira: AppDeps['demoJira'];
  /** Stops schedules, finishes in-flight requests, closes the store. */
  shutdown(reason: string): Promise<void>;
}

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<Running> {
  let config = loadConfig(env);
  // Demo mode: the sample Jira signs its webhook deliveries with a secret made for this run.
  if (config.demo && config.jiraWebhookSecret === null)
    config = { ...config, jiraWebhookSecret: randomBytes(32).toString('hex') };
  const logger = createLogger(config.logLevel);
  logger.debug({ config: redactConfig(config) }, 'configuration');
  const store = await createStore(config, (message) => logger.warn(message));
  const stoppables: Stoppable[] = [];
  // SYNC_CRON schedule; in demo mode also the sample Jira and a first sync before "ready".
  const sync = await startJiraSync({ config, store, logger });
  stoppables.push({ name: 'jira sync', stop: () => sync.stop() });

  // Demo mode: action-item tickets go to the sample Jira the sync reads, mapped the same way.
  const demoJira = sync.demoJira
    ? {
        baseUrl: sync.demoJira.url,
        email: sync.demoJira.email,
        apiToken: sync.demoJira.apiToken,
        mapping: parseConfigFileObject(demoConfig, 'demo config').mapping,
      }
    : null;

  const now = (): Date => new Date();
  // Weekly digest: DIGEST_CRON schedule plus a catch-up run now (after the first sync, in
  // demo mode); demo mode posts to a loopback webhook sink that logs each card.
  const digest = await startDigest({ config, store, logger, now });
  stoppables.push({ name: 'weekly digest', stop: () => digest.stop() });

  // Jira webhooks (JIRA_WEBHOOK_SECRET): the worker also watches the queue other replicas share.
  const webhooks =
    config.jiraWebhookSecret === null ? null : buildWebhookProcessor({ config, store, logger, demoJira });
  if (webhooks !== null) {
    webhooks.start();
    stoppables.push({ name: 'jira webhooks', stop: () => webhooks.stop() });
  }

  const app = createApp({ config, store, logger, now, demoJira, digest: digest.service, webhooks });
  // A request (headers and body) must arrive within REQUEST_TIMEOUT_SECONDS, its headers
  // within 20 s of that: a slow sender cannot hold a connection for Node's default 300 s.
  const requestTimeout = config.requestTimeoutSeconds * 1000;
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 20_000),
      connectionsCheckingInterval: Math.min(requestTimeout / 2, 30_000),
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (sync.demoJira !== null && config.jiraWebhookSecret !== null) {
    sync.demoJira.setWebhook({ url: `${url}/api/jira/webhook`, secret: config.jiraWebhookSecret });
    const { url: jiraUrl, email, apiToken } = sync.demoJira;
    writeFileSync(
      join(config.dataDir, DEMO_JIRA_FILE),
      `${JSON.stringify({ url: jiraUrl, email, apiToken }, null, 2)}\n`,
    );
  }
  logger.info(`Postmortem Insights is ready: ${url}/tab (store: ${store.kind}${config.demo ? ', demo mode' : ''})`);

  let stopping: Promise<void> | null = null;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info(`Shutting down (${reason}): finishing requests and jobs`);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const s of stoppables.reverse())
        await s.stop().catch((err: unknown) => logger.warn({ err }, `stopping ${s.name} failed`));
      await closed;
      await store.close();
      logger.info('Stopped');
    })();
    return stopping;
  };

  return { config, store, server, url, logger, demoJira, shutdown };
}

function oneLine(err: unknown): string | null {
  if (err instanceof ConfigError) return `Configuration error: ${err.message}`;
  if (err instanceof StoreUnavailableError) return `Store unavailable: ${err.message}`;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE')
    return 'Cannot listen: the port is already in use; stop the other process or set PORT to a free port.';
  if (code === 'EACCES')
    return 'Cannot listen: permission denied for that port; use a PORT above 1023 or run with the needed rights.';
  return null;
}

async function main(): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (err) {
    const line = oneLine(err);
    process.stderr.write(`${line ?? `Start-up failed: ${(err as Error).message}`}\n`);
    process.exit(1);
  }
  const onSignal = (signal: NodeJS.Signals) => {
    const force = setTimeout(() => {
      process.stderr.write('Shutdown took longer than 15 s; exiting now.\n');
      process.exit(1);
    }, 15_000);
    force.unref();
    void running.shutdown(signal).then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void main();
}
