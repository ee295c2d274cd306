/**
 * Guards every request passes before any route (docs: SECURITY.md):
 * - One reading of the path. Express matches routes case-insensitively and forgives a
 *   trailing slash, so a decision about a path (is it open, is it the API) must be taken
 *   on a form at least as loose: `canonicalPath` decodes percent-escapes, turns `\` into
 *   `/`, collapses `//`, resolves `.` and `..`, lower-cases and drops the trailing slash.
 *   A path whose percent-encoding is malformed is a 400 here, before any router sees it.
 * - With AUTH_MODE=none only a loopback `Host` is served (421 otherwise): a DNS-rebinding
 *   page reaches 127.0.0.1 under its own host name, and is refused by that name.
 * - A write (POST, PUT, PATCH, DELETE) from another site is refused (403) in every mode:
 *   an `Origin` other than the server's own (or PUBLIC_URL's), or `Sec-Fetch-Site:
 *   cross-site`. Browsers send these on cross-origin writes, `no-cors` ones included.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isLoopbackHost } from '../config/config.js';
import { ForbiddenError, InputError, MisdirectedRequestError } from '../errors.js';
import type { AuthMode } from './auth.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isWrite(method: string): boolean {
  return WRITE_METHODS.has(method.toUpperCase());
}

function decodeFully(path: string): string {
  // Decoded until stable (at most a few rounds), so `%2561pi` is read as `api` too.
  // Only the first round can be malformed: what it yields is a valid path already.
  let current = decodeURIComponent(path);
  for (let round = 0; round < 3 && current.includes('%'); round += 1) {
    try {
      current = decodeURIComponent(current);
    } catch {
      break;
    }
  }
  return current;
}

/**
 * The path as the guards compare it; throws an InputError (400) when the percent-encoding
 * is malformed. `url` is the request target (`/api/x?y=1`).
 */
export function canonicalPath(url: string): string {
  const raw = url.split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeFully(raw);
  } catch {
    throw new InputError(
      'The request path has a malformed percent-encoding (a "%" not followed by two hex digits of UTF-8); encode "%" as %25.',
      'path',
    );
  }
  const segments: string[] = [];
  for (const segment of decoded.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment.toLowerCase());
  }
  return `/${segments.join('/')}`;
}

/** Is this canonical path the API (as opposed to the tab's pages and files)? */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** The canonical path, computed once per request by `pathGuard`. */
export function canonicalPathOf(req: Request): string {
  const res = req.res as Response | undefined;
  const known = res?.locals.canonicalPath as string | undefined;
  return known ?? canonicalPath(req.originalUrl);
}

/** First middleware: a malformed path is a 400; the canonical path is kept for the others. */
export function pathGuard(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.canonicalPath = canonicalPath(req.originalUrl);
    } catch (error) {
      next(error);
      return;
    }
    next();
  };
}

/** The host name of a `Host` header value: `[::1]:3000` -> `[::1]`, `localhost:80` -> `localhost`. */
function hostNameOf(host: string): string {
  const bracketed = /^(\[[^\]]*\])(?::\d*)?$/.exec(host);
  if (bracketed) return bracketed[1] as string;
  return host.replace(/:\d*$/, '');
}

/** AUTH_MODE=none: a non-loopback Host (DNS rebinding, a LAN name) gets 421. */
export function loopbackHostGuard(mode: AuthMode): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (mode !== 'none') {
      next();
      return;
    }
    const host = req.headers.host ?? '';
    if (isLoopbackHost(hostNameOf(host))) {
      next();
      return;
    }
    next(
      new MisdirectedRequestError(
        `This server (AUTH_MODE=none) only answers requests addressed to localhost, 127.0.0.1 or [::1], not to Host "${host.slice(0, 100)}"; open it as http://localhost:<port>, or set AUTH_MODE=api-key or teams-sso to serve other names.`,
      ),
    );
  };
}

function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return null;
  }
}

/** Every mode: a cross-site write gets 403 before any route reads its body. */
export function crossSiteWriteGuard(publicUrl: string | null): RequestHandler {
  const publicOrigin = originOf(publicUrl);
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!isWrite(req.method)) {
      next();
      return;
    }
    if (String(req.headers['sec-fetch-site'] ?? '').toLowerCase() === 'cross-site') {
      next(
        new ForbiddenError(
          'A write from another site (Sec-Fetch-Site: cross-site) is refused; call the API from the tab or from a script without a browser.',
        ),
      );
      return;
    }
    const origin = req.headers.origin;
    if (origin === undefined) {
      next();
      return;
    }
    const own = originOf(`${req.protocol}://${req.headers.host ?? ''}`);
    const presented = origin.toLowerCase();
    if (presented !== own && presented !== publicOrigin) {
      next(
        new ForbiddenError(
          `A write from another origin (Origin: ${origin.slice(0, 100)}) is refused; only pages of this server${publicOrigin ? ` (${publicOrigin})` : ''} may write.`,
        ),
      );
      return;
    }
    next();
  };
}
