/**
 * What createApp is built from: the product's configuration, store, logger and clock, and
 * the services its routes serve (built once, by server/assembly/services.ts). Each router
 * is handed the part it uses.
 */
import type { Services } from '../assembly/services.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';

export interface AppDeps extends Pick<Services, 'metrics' | 'digest' | 'tickets' | 'webhooks' | 'dataVersions'> {
  config: Config;
  store: Store;
  logger: Logger;
  /** The clock; tests pin it. */
  now: () => Date;
  /** Where the built tab lives (default build/tab). */
  tabDir?: string;
  /** Auth overrides: the JWKS URL of the Teams SSO keys (default Microsoft's, per tenant). */
  auth?: { jwksUrl?: string };
}
