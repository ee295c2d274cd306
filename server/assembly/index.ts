/**
 * Where the product is assembled (the composition root). In order: the configuration, the
 * environment (server/assembly/environment.ts: the configured Jira and Teams webhook, or
 * demo mode's stand-ins), the store, and every service once (server/assembly/services.ts).
 * `npm start` (server/main.ts) and the CLIs (jobs/) begin here; tests build the same
 * services with createServices.
 */
import { loadConfig, redactConfig, type Config } from '../config/config.js';
import { createLogger, type Logger } from '../logging.js';
import { createStore } from '../store/createStore.js';
import type { Store } from '../store/Store.js';
import { openEnvironment, type Environment, type EnvironmentNeeds } from './environment.js';
import { createServices, type Services } from './services.js';

export { createServices, createDigestService, type ServiceBase, type Services } from './services.js';
export type { Environment, EnvironmentNeeds, FirstSync } from './environment.js';

export interface AssembleOptions {
  /** Where the configuration is read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A configuration the caller already loaded (and checked) from its environment. */
  config?: Config;
  /** Which outside systems to start in demo mode; default all (the server). */
  needs?: EnvironmentNeeds;
  /** The logger for this configuration; default LOG_LEVEL on stdout. */
  logger?: (config: Config) => Logger;
  /** Passes the store's warnings (e.g. an index it could not build) to the logger; default true. */
  storeWarnings?: boolean;
  now?: () => Date;
}

export interface Product {
  /** The environment's configuration (in demo mode it points at the stand-ins). */
  config: Config;
  logger: Logger;
  store: Store;
  now: () => Date;
  environment: Environment;
  services: Services;
  /** Stops the post-mortem reader's worker, closes the store, then stops the environment. */
  close(): Promise<void>;
}

export async function assemble(options: AssembleOptions = {}): Promise<Product> {
  const loaded = options.config ?? loadConfig(options.env ?? process.env);
  const logger = options.logger?.(loaded) ?? createLogger(loaded.logLevel);
  logger.debug({ config: redactConfig(loaded) }, 'configuration');
  const environment = await openEnvironment(loaded, logger, options.needs ?? { jira: true, digestWebhook: true });
  const { config } = environment;
  let store: Store;
  try {
    store = await createStore(config, options.storeWarnings === false ? undefined : (message) => logger.warn(message));
  } catch (err) {
    await environment.close();
    throw err;
  }
  const now = options.now ?? ((): Date => new Date());
  const services = createServices({ config, store, logger, now });
  return {
    config,
    logger,
    store,
    now,
    environment,
    services,
    async close() {
      await services.postmortems.close();
      await store.close();
      await environment.close();
    },
  };
}
