/** The shape of the configuration every module receives, and the one error a wrong value raises. */
import type { Severity } from '../domain/types.js';
import type { JiraMappingConfig } from './file.js';

/** A wrong value: its message is one line naming the key, what is wrong with the value, and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const AUTH_MODES = ['teams-sso', 'api-key', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Config {
  port: number;
  host: string;
  mongodbUri: string | null;
  dataDir: string;
  /** Null when no Jira is configured: demo mode. */
  jira: { baseUrl: string; email: string; apiToken: string } | null;
  demo: boolean;
  syncCron: string;
  digestCron: string;
  timezone: string;
  teamsWebhookUrl: string | null;
  /** JIRA_WEBHOOK_SECRET: signs Jira's webhook deliveries; null turns `POST /api/jira/webhook` off (404). */
  jiraWebhookSecret: string | null;
  publicUrl: string | null;
  authMode: AuthMode;
  teams: { appId: string | null; clientId: string | null; tenantId: string | null };
  apiKeys: string[];
  logLevel: (typeof LOG_LEVELS)[number];
  configFile: string | null;
  mapping: JiraMappingConfig;
  actionItemSlaDays: Record<Severity, number>;
  /** Per client address and window; 0 turns a limiter off (docs: SECURITY.md). */
  rateLimits: { authFailures: number; writes: number; windowSeconds: number };
  /** How long a request (headers and body) may take to arrive before the server answers 408. */
  requestTimeoutSeconds: number;
}
