/** What createApp is built from. Tests pass a real embedded store and the sample Jira. */
import type { Config, JiraMappingConfig } from '../config/config.js';
import type { DigestService } from '../digest/service.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';
import type { WebhookProcessor } from '../webhooks/processor.js';

export interface AppDeps {
  config: Config;
  store: Store;
  logger: Logger;
  /** The clock; tests pin it. */
  now: () => Date;
  /** Where the built tab lives (default build/tab). */
  tabDir?: string;
  /** Auth overrides: the JWKS URL of the Teams SSO keys (default Microsoft's, per tenant). */
  auth?: { jwksUrl?: string };
  /**
   * Demo mode: the built-in sample Jira the sync reads, and the mapping it is read with
   * (`config.jira` stays null). Routes that write to Jira (action-item tickets) use it.
   */
  demoJira?: { baseUrl: string; email: string; apiToken: string; mapping: JiraMappingConfig } | null;
  /** The weekly digest (main.ts passes the one its schedule posts with); built from config when absent. */
  digest?: DigestService;
  /** The Jira webhook worker (main.ts passes the one it stops); built on first delivery when absent. */
  webhooks?: WebhookProcessor | null;
}
