/**
 * One pino logger for the process. Secrets never reach it: request headers that carry
 * credentials are redacted by path, and config is only logged through redactConfig.
 * On a terminal the lines are human-readable (pino-pretty); anywhere else (a pipe, a file,
 * a container's log driver) they are JSON, one object a line.
 */
import { createRequire } from 'node:module';
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

type PrettyFactory = (options: Record<string, unknown>) => pino.DestinationStream;

/** pino-pretty writing synchronously to `fd`, or null when it is not installed (JSON then). */
function prettyStream(fd: 1 | 2): pino.DestinationStream | null {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
    return pretty({
      destination: fd,
      sync: true,
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
    });
  } catch {
    return null;
  }
}

/** Pretty lines when the logger writes to a terminal: stdout by default, or process.stderr when given. */
function terminalStream(destination: pino.DestinationStream | undefined): pino.DestinationStream | undefined {
  if (destination === undefined && process.stdout.isTTY) return prettyStream(1) ?? undefined;
  if (destination === process.stderr && process.stderr.isTTY) return prettyStream(2) ?? destination;
  return destination;
}

export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  destination = terminalStream(destination);
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
