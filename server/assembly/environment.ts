/**
 * The environment the product runs in: the outside systems it talks to, as an ordinary
 * Config. With JIRA_BASE_URL set they are the real ones and the configuration is used as
 * loaded; without it (demo mode) the demo plug-in (server/demo/) starts stand-ins for them
 * and returns a configuration that points at those. Nothing after this point asks which.
 */
import type { Config } from '../config/config.js';
import { startDemoEnvironment } from '../demo/environment.js';
import type { Logger } from '../logging.js';

/**
 * The first sync at start-up. `full-before-ready`: read the whole Jira and wait for it
 * before the server says it is ready (the demo's sample Jira is made afresh at each start).
 * `when-never-synced`: when the store has never synced, start one without holding up
 * start-up; otherwise wait for SYNC_CRON.
 */
export type FirstSync = 'full-before-ready' | 'when-never-synced';

export interface Environment {
  /** An ordinary configuration: its Jira, digest webhook and webhook secret are the ones to use. */
  config: Config;
  firstSync: FirstSync;
  /** Told once where the server listens (the demo's sample Jira sends its webhooks there). */
  listening(url: string): void;
  /** Lines for a CLI to print when it is done (what the demo's stand-ins received). */
  report(): string[];
  /** Stops what the environment started. */
  close(): Promise<void>;
}

/** Which outside systems a caller needs (a CLI that only posts the digest needs no Jira). */
export interface EnvironmentNeeds {
  jira: boolean;
  digestWebhook: boolean;
}

/** The configured outside systems, as loaded: nothing to start or stop. */
export function configuredEnvironment(config: Config): Environment {
  return {
    config,
    firstSync: 'when-never-synced',
    listening: () => undefined,
    report: () => [],
    close: async () => undefined,
  };
}

/** Chosen by configuration: demo mode's stand-ins, or the systems the configuration names. */
export function openEnvironment(config: Config, logger: Logger, needs: EnvironmentNeeds): Promise<Environment> {
  return config.demo ? startDemoEnvironment(config, logger, needs) : Promise.resolve(configuredEnvironment(config));
}
