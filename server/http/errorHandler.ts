/**
 * The one place that turns errors into HTTP answers: `{ error: { code, message } }`,
 * a status from the error's class, and never a stack trace. Unexpected errors are logged
 * in full on the server and answered with a generic 500.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  AuthenticationError,
  AuthUnavailableError,
  ConflictError,
  DomainError,
  ForbiddenError,
  InputError,
  JiraError,
  LimitExceededError,
  MisdirectedRequestError,
  NotFoundError,
  PartialJiraFailureError,
  RateLimitedError,
  StoreUnavailableError,
  UnsupportedMediaTypeError,
} from '../errors.js';
import type { Logger } from '../logging.js';

/** Seconds a client should wait after a 503 for a store outage (a MongoDB election takes about 10 s). */
const STORE_RETRY_AFTER_SECONDS = 10;

function statusOf(err: DomainError): number {
  if (err instanceof InputError) return 400;
  if (err instanceof AuthenticationError) return 401;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof LimitExceededError) return err.tooLarge ? 413 : 422;
  if (err instanceof UnsupportedMediaTypeError) return 415;
  if (err instanceof MisdirectedRequestError) return 421;
  if (err instanceof RateLimitedError) return 429;
  if (err instanceof JiraError) return 502;
  if (err instanceof StoreUnavailableError || err instanceof AuthUnavailableError) return 503;
  return 500;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}; see the README's HTTP API section for the routes.`));
};

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return 'size';
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof DomainError) {
      const status = statusOf(err);
      if (status >= 500)
        logger.warn({ err: { name: err.name, message: err.message }, path: req.path }, 'request failed');
      // A store outage (no primary for a few seconds, a restart) usually passes: say when to try again.
      if (err instanceof StoreUnavailableError) res.set('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
      if (err instanceof RateLimitedError) res.set('Retry-After', err.retryAfterSeconds);
      if (err instanceof AuthenticationError && err.challenge) res.set('WWW-Authenticate', err.challenge);
      const done = err instanceof PartialJiraFailureError ? err.result : {};
      res.status(status).json({ ...done, error: { code: err.code, message: err.message } });
      return;
    }
    // Body parser errors carry a status and a type; they are the caller's fault.
    const bodyError = err as { status?: number; type?: string; message?: string };
    if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500 && bodyError.type) {
      const message =
        bodyError.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON; send a JSON object with Content-Type: application/json.'
          : bodyError.type === 'entity.too.large'
            ? `The request body is larger than the ${formatBytes((err as { limit?: number }).limit)} limit of this route; send a smaller body (docs: SECURITY.md lists the limits).`
            : `The request body could not be read (${bodyError.type}).`;
      res.status(bodyError.status).json({ error: { code: 'invalid_body', message } });
      return;
    }
    logger.error({ err, path: req.path, method: req.method }, 'unexpected error');
    res.status(500).json({ error: { code: 'internal', message: 'Internal error; the server log has the details.' } });
  };
}
