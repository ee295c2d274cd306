/**
 * Rate limits per client address (express-rate-limit, memory store: one process; each
 * replica counts its own). Both refuse with a RateLimitedError: 429 with `Retry-After`.
 * - Failed authentication: RATE_LIMIT_AUTH_FAILURES 401s to requests that sent a
 *   credential, per window; then every API request from that address that sends one is
 *   refused until the window ends (guessing keys or tokens stops paying off). Successful
 *   requests, and requests without credentials, do not count.
 * - Writes (POST, PUT, PATCH, DELETE on the API): RATE_LIMIT_WRITES per window; each may
 *   create Jira tickets.
 * A limit of 0 turns that limiter off. The window is RATE_LIMIT_WINDOW_SECONDS.
 */
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config/config.js';
import { RateLimitedError } from '../errors.js';
import { isOpenPath } from './auth.js';
import { canonicalPathOf, isApiPath, isWrite } from './requestGuards.js';

const pass: RequestHandler = (_req, _res, next) => next();

function limiter(
  limit: number,
  windowSeconds: number,
  what: string,
  options: { skip: (req: Request) => boolean; failuresOnly: boolean },
): RequestHandler {
  if (limit <= 0) return pass;
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: options.skip,
    ...(options.failuresOnly
      ? { skipSuccessfulRequests: true, requestWasSuccessful: (_req: Request, res: Response) => res.statusCode !== 401 }
      : {}),
    handler: (_req, res, next) => {
      const retryAfter = String(res.getHeader('Retry-After') ?? windowSeconds);
      next(
        new RateLimitedError(
          retryAfter,
          `Too many ${what} from this address (limit ${limit} per ${windowSeconds} s); try again in ${retryAfter} s.`,
        ),
      );
    },
  });
}

export function failedAuthLimiter(config: Config): RequestHandler {
  const { authFailures, windowSeconds } = config.rateLimits;
  return limiter(authFailures, windowSeconds, 'failed authentications', {
    // Only a credential that was sent and refused is a guess. A request without one guesses
    // nothing: the Teams tab's first call of every load goes without a token by design (its
    // 401 asks the tab for the SSO token), and a health probe sends none. Nothing to guess
    // with AUTH_MODE=none, nor on the tab's files.
    skip: (req) =>
      config.authMode === 'none' || !isApiPath(canonicalPathOf(req)) || req.headers.authorization === undefined,
    failuresOnly: true,
  });
}

export function writeLimiter(config: Config): RequestHandler {
  const { writes, windowSeconds } = config.rateLimits;
  return limiter(writes, windowSeconds, 'writes', {
    // Open routes (OPEN_API_ROUTES) authenticate themselves, e.g. by a signature, and
    // their senders (Jira's webhooks) may come in bursts from one address.
    skip: (req) => {
      const path = canonicalPathOf(req);
      return !isWrite(req.method) || !isApiPath(path) || isOpenPath(path);
    },
    failuresOnly: false,
  });
}
