/**
 * One pino logger for the process. Secrets never reach it: request headers that carry
 * credentials are redacted by path, and config is only logged through redactConfig.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'apiToken',
  '*.apiToken',
  'webhookUrl',
  '*.webhookUrl',
  'token',
  '*.token',
];

export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'postmortem-insights' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
