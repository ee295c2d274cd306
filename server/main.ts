/**
 * `npm start`: the assembled product (server/assembly/), its schedules, the API and tab on
 * a port, graceful shutdown. A configuration or store problem stops the process with one
 * line saying what to fix.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assemble, type Product } from './assembly/index.js';
import { ConfigError, type Config } from './config/config.js';
import { startDigest } from './digest/startDigest.js';
import { StoreUnavailableError } from './errors.js';
import { createApp } from './http/app.js';
import { boundHeapGrowth } from './heap.js';
import { isEntryPoint } from './cli/commandLine.js';
import type { Logger } from './logging.js';
import type { Store } from './store/Store.js';
import { startJiraSync } from './sync/startSync.js';

export interface Running {
  /** The environment's configuration (in demo mode its Jira is the sample Jira tickets go to). */
  config: Config;
  store: Store;
  server: Server;
  url: string;
  logger: Logger;
  services: Product['services'];
  /** Stops schedules, finishes in-flight requests, closes the store and the environment. */
  shutdown(reason: string): Promise<void>;
}

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<Running> {
  const product = await assemble({ env });
  const { config, store, logger, now, environment, services } = product;
  const stoppables: Stoppable[] = [];
  // SYNC_CRON schedule, and the first sync as the environment asks (demo: whole, before "ready").
  if (services.sync !== null) {
    const sync = await startJiraSync({
      config,
      store,
      logger,
      now,
      sync: services.sync,
      firstSync: environment.firstSync,
    });
    stoppables.push({ name: 'jira sync', stop: () => sync.stop() });
  }

  // Weekly digest: DIGEST_CRON schedule plus a catch-up run now.
  const digest = await startDigest({ config, store, logger, now, service: services.digest });
  stoppables.push({ name: 'weekly digest', stop: () => digest.stop() });

  // Jira webhooks (JIRA_WEBHOOK_SECRET): the worker also watches the queue other replicas share.
  const { webhooks } = services;
  if (webhooks !== null) {
    webhooks.start();
    stoppables.push({ name: 'jira webhooks', stop: () => webhooks.stop() });
  }

  // The metrics state (every record, each incident's derived facts, the late-fix index) is
  // built before the server listens, so the first question after a start is answered from it.
  // From here on the heap grows by a fifth between full collections (server/heap.ts).
  boundHeapGrowth();
  const warmStarted = performance.now();
  try {
    const { incidents, actionItems } = await services.metrics.warmUp();
    logger.info(
      `Metrics ready: ${incidents} incidents, ${actionItems} action items in ${Math.round(performance.now() - warmStarted)} ms`,
    );
  } catch (err) {
    logger.warn({ err }, 'Metrics could not be prepared ahead; the first request will load them');
  }

  const app = createApp({ config, store, logger, now, ...services });
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
  environment.listening(url);
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
      await product.close();
      logger.info('Stopped');
    })();
    return stopping;
  };

  return { config, store, server, url, logger, services, shutdown };
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

if (isEntryPoint(import.meta.url)) void main();
