/**
 * Who may call the API, per AUTH_MODE:
 * - `teams-sso`: the Teams SSO token (an Entra ID JWT) as `Authorization: Bearer <token>`,
 *   verified with jose against the tenant's JWKS: RS256 signature, issuer in its v1 or v2
 *   form for TEAMS_TENANT_ID, audience the app's client id or `api://<host>/<client id>`,
 *   expiry, `tid` = TEAMS_TENANT_ID and the `access_as_user` scope.
 * - `api-key`: `Authorization: Bearer <key>` with a key from API_KEYS, compared in
 *   constant time.
 * - `none`: everyone (the configuration only allows it on a loopback HOST, and
 *   requestGuards.ts serves only loopback Host names then).
 * Everything outside `/api/` (the tab's files) and the routes in OPEN_API_ROUTES stay open;
 * the decision is taken on the canonical path (requestGuards.ts), so `/API/metrics`,
 * `//api/metrics` or `/%61pi/metrics` need credentials exactly like `/api/metrics`.
 * Credentials sent to an open route are still checked (a wrong key is a 401 there too):
 * `/api/health` answers its details only to an authenticated caller.
 * Refusals are typed errors the error handler answers (`{ error: { code, message } }`,
 * naming the mode that is on; a 401 with `WWW-Authenticate: Bearer`); when the tenant's
 * keys cannot be fetched the answer is 503 (`auth_unavailable`), not a 401.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AuthenticationError, AuthUnavailableError, type DomainError, ForbiddenError } from '../errors.js';
import type { AppDeps } from './deps.js';
import { canonicalPathOf, isApiPath } from './requestGuards.js';

export type AuthMode = 'teams-sso' | 'api-key' | 'none';

export interface AuthOptions {
  mode: AuthMode;
  apiKeys: string[];
  teams: { clientId: string | null; tenantId: string | null };
  /** The app's public address; its host forms the `api://<host>/<client id>` audience. */
  publicUrl: string | null;
  /** Where the tenant's signing keys are; default Microsoft's v2 keys of the tenant. */
  jwksUrl?: string;
  /** A key resolver instead of jwksUrl (tests). */
  keys?: JWTVerifyGetKey;
  /** The clock for expiry checks, seconds since the epoch are derived from it. */
  now?: () => Date;
}

const REQUIRED_SCOPE = 'access_as_user';

/** Identity of the caller, left on `res.locals.caller`. */
export interface Caller {
  mode: AuthMode;
  subject: string | null;
  name: string | null;
  /** True when credentials were verified, or AUTH_MODE=none (everyone is trusted). */
  authenticated: boolean;
}

class Refusal extends Error {
  constructor(
    readonly status: 401 | 403 | 503,
    message: string,
  ) {
    super(message);
  }
}

export function microsoftJwksUrl(tenantId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/discovery/v2.0/keys`;
}

/** The audiences a Teams SSO token for this app may carry. */
export function acceptedAudiences(clientId: string, publicUrl: string | null): string[] {
  const audiences = [clientId];
  if (publicUrl) {
    try {
      audiences.push(`api://${new URL(publicUrl).host.toLowerCase()}/${clientId}`);
    } catch {
      // an unparseable PUBLIC_URL is refused by the configuration; only the client id then
    }
  }
  return audiences;
}

type TeamsTokenVerifier = (token: string) => Promise<JWTPayload>;

function teamsTokenVerifier(options: AuthOptions): TeamsTokenVerifier {
  const { clientId, tenantId } = options.teams;
  if (!clientId || !tenantId) {
    throw new Error('AUTH_MODE=teams-sso needs TEAMS_APP_CLIENT_ID and TEAMS_TENANT_ID.');
  }
  const keys = options.keys ?? createRemoteJWKSet(new URL(options.jwksUrl ?? microsoftJwksUrl(tenantId)));
  const issuers = [`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`];
  const audiences = acceptedAudiences(clientId, options.publicUrl);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        audience: audiences,
        // A token without an expiry would be valid forever once leaked.
        requiredClaims: ['exp'],
        ...(options.now ? { currentDate: options.now() } : {}),
        clockTolerance: 60,
      }));
    } catch (error) {
      // The keys could not be fetched: not the caller's fault, and worth retrying.
      if (error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError)) {
        throw new Refusal(
          503,
          "The tenant's signing keys could not be fetched to verify the Teams SSO token; try again shortly.",
        );
      }
      throw new Refusal(401, `The Teams SSO token was not accepted: ${describeJoseError(error)}.`);
    }
    // Issuer and tenant are checked after the signature so that a token from another
    // tenant is told apart (403) from a token that is not valid at all (401).
    if (payload.tid !== tenantId || typeof payload.iss !== 'string' || !issuers.includes(payload.iss)) {
      throw new Refusal(403, 'The Teams SSO token was issued for another tenant than TEAMS_TENANT_ID.');
    }
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(REQUIRED_SCOPE)) {
      throw new Refusal(403, `The Teams SSO token lacks the "${REQUIRED_SCOPE}" scope.`);
    }
    return payload;
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'it has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `its "${error.claim}" claim is not accepted`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no signing key of the tenant matches it';
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid)
    return 'it is not a well-formed JWT';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'its signing algorithm is not RS256';
  return 'it could not be verified';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time membership: every key is compared, over fixed-length digests. */
export function apiKeyMatches(presented: string, apiKeys: string[]): boolean {
  const presentedDigest = digest(presented);
  let match = false;
  for (const key of apiKeys) {
    if (timingSafeEqual(presentedDigest, digest(key)) && key.length > 0) match = true;
  }
  return match;
}

function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? (match[1] as string) : null;
}

/**
 * API routes that need no AUTH_MODE credentials, as canonical paths (lower case, no
 * trailing slash; see canonicalPath). A route authenticated otherwise (by a signature)
 * is added here and is matched with the same normalisation as every other path.
 */
export const OPEN_API_ROUTES: readonly RegExp[] = [
  /^\/api\/health$/,
  // The digest card's chart: Teams fetches a card's images without the user's credentials.
  /^\/api\/digest\/chart\/[^/]+\.png$/,
  // Jira's webhook deliveries: authenticated by their HMAC signature (routes/jiraWebhook.ts).
  /^\/api\/jira\/webhook$/,
];

/** Does this canonical path need no credentials? */
export function isOpenPath(canonical: string): boolean {
  return !isApiPath(canonical) || OPEN_API_ROUTES.some((route) => route.test(canonical));
}

/** A refusal as the error handler answers it, naming the mode that is on. */
function refused(mode: AuthMode, refusal: Refusal): DomainError {
  const message = `${refusal.message} (AUTH_MODE=${mode})`;
  if (refusal.status === 401) return new AuthenticationError(message, 'Bearer');
  if (refusal.status === 403) return new ForbiddenError(message);
  return new AuthUnavailableError(message);
}

/** The middleware createApp mounts, from the configuration (and an injected JWKS URL in tests). */
export function authMiddleware(deps: AppDeps): RequestHandler {
  const { config } = deps;
  return createAuthMiddleware({
    mode: config.authMode,
    apiKeys: config.apiKeys,
    teams: { clientId: config.teams.clientId, tenantId: config.teams.tenantId },
    publicUrl: config.publicUrl,
    ...(deps.auth?.jwksUrl ? { jwksUrl: deps.auth.jwksUrl } : {}),
  });
}

export function createAuthMiddleware(options: AuthOptions): RequestHandler {
  const mode = options.mode;
  const verifyTeamsToken = mode === 'teams-sso' ? teamsTokenVerifier(options) : null;
  if (mode === 'api-key' && options.apiKeys.filter((key) => key.length > 0).length === 0) {
    throw new Error('AUTH_MODE=api-key needs at least one key in API_KEYS.');
  }
  return (req: Request, res: Response, next: NextFunction) => {
    if (mode === 'none') {
      res.locals.caller = { mode, subject: null, name: null, authenticated: true } satisfies Caller;
      next();
      return;
    }
    const canonical = canonicalPathOf(req);
    const token = bearerToken(req);
    if (!isApiPath(canonical) || (token === null && req.headers.authorization === undefined && isOpenPath(canonical))) {
      res.locals.caller = { mode, subject: null, name: null, authenticated: false } satisfies Caller;
      next();
      return;
    }
    if (token === null) {
      const what = mode === 'api-key' ? 'an API key' : 'the Teams SSO token';
      next(
        refused(
          mode,
          new Refusal(401, `Send ${what} as "Authorization: Bearer <${mode === 'api-key' ? 'key' : 'token'}>".`),
        ),
      );
      return;
    }
    if (mode === 'api-key') {
      if (!apiKeyMatches(token, options.apiKeys)) {
        next(refused(mode, new Refusal(401, 'The API key is not one of API_KEYS.')));
        return;
      }
      res.locals.caller = { mode, subject: null, name: null, authenticated: true } satisfies Caller;
      next();
      return;
    }
    (verifyTeamsToken as TeamsTokenVerifier)(token).then(
      (payload) => {
        res.locals.caller = {
          mode,
          subject: typeof payload.oid === 'string' ? payload.oid : (payload.sub ?? null),
          name: typeof payload.name === 'string' ? payload.name : null,
          authenticated: true,
        } satisfies Caller;
        next();
      },
      (error: unknown) => {
        next(error instanceof Refusal ? refused(mode, error) : error);
      },
    );
  };
}
