/**
 * The auth middleware on its own, with a locally generated key set whose JWKS is served
 * on loopback (the Microsoft default URL is never contacted).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import request from 'supertest';
import {
  acceptedAudiences,
  apiKeyMatches,
  createAuthMiddleware as authMiddleware,
  microsoftJwksUrl,
} from '../../server/http/auth.js';
import type { AuthOptions } from '../../server/http/auth.js';
import { loadConfig } from '../../server/config/config.js';
import { errorHandler } from '../../server/http/errorHandler.js';
import { createLogger } from '../../server/logging.js';
import { testApp } from '../support/app.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const PUBLIC_URL = 'https://Insights.Example.test';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let signing: KeyPair;
let stranger: KeyPair;
let jwksServer: Server;
let jwksUrl: string;
let jwksRequests = 0;

beforeAll(async () => {
  signing = await generateKeyPair('RS256');
  stranger = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(signing.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_req, res) => {
    jwksRequests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/discovery/v2.0/keys`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
});

function appWith(options: AuthOptions) {
  const app = express();
  app.use(authMiddleware(options));
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/api/metrics', (_req, res) => {
    res.json({ caller: res.locals.caller });
  });
  app.get('/tab', (_req, res) => {
    res.send('tab');
  });
  app.use(errorHandler(createLogger('silent')));
  return app;
}

async function token(
  claims: JWTPayload,
  options: { key?: KeyPair; expiresIn?: string | null; alg?: string; kid?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({ tid: TENANT, scp: 'access_as_user', oid: 'user-1', name: 'Ada Lovelace', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'test-key' })
    .setIssuedAt();
  // null: a token without an `exp` claim at all.
  if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '10m');
  return jwt.sign((options.key ?? signing).privateKey);
}

const V2_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;

describe('AUTH_MODE=teams-sso', () => {
  const options = (): AuthOptions => ({
    mode: 'teams-sso',
    apiKeys: [],
    teams: { clientId: CLIENT_ID, tenantId: TENANT },
    publicUrl: PUBLIC_URL,
    jwksUrl,
  });

  it('accepts a v2 token with the client id as audience', async () => {
    const res = await request(appWith(options()))
      .get('/api/metrics')
      .set('Authorization', `Bearer ${await token({ iss: V2_ISSUER, aud: CLIENT_ID })}`);
    expect(res.status).toBe(200);
    expect(res.body.caller).toEqual({
      mode: 'teams-sso',
      subject: 'user-1',
      name: 'Ada Lovelace',
      authenticated: true,
    });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('accepts a v1 token with api://<host>/<client id> as audience', async () => {
    const res = await request(appWith(options()))
      .get('/api/metrics')
      .set(
        'Authorization',
        `Bearer ${await token({ iss: V1_ISSUER, aud: `api://insights.example.test/${CLIENT_ID}` })}`,
      );
    expect(res.status).toBe(200);
  });

  const cases: Array<[string, (() => Promise<string>) | null, 401 | 403, RegExp]> = [
    ['no token', null, 401, /Authorization: Bearer/],
    [
      'a token signed by another key',
      async () => token({ iss: V2_ISSUER, aud: CLIENT_ID }, { key: stranger }),
      401,
      /signature/,
    ],
    ['an expired token', async () => token({ iss: V2_ISSUER, aud: CLIENT_ID }, { expiresIn: '-5m' }), 401, /expired/],
    [
      'a token without exp',
      async () => token({ iss: V2_ISSUER, aud: CLIENT_ID }, { expiresIn: null }),
      401,
      /"exp" claim/,
    ],
    ['another audience', async () => token({ iss: V2_ISSUER, aud: 'someone-else' }), 401, /"aud"/],
    ['an unknown key id', async () => token({ iss: V2_ISSUER, aud: CLIENT_ID }, { kid: 'other' }), 401, /signing key/],
    ['garbage', async () => 'not.a.jwt', 401, /well-formed|could not be verified/],
    [
      'another tenant',
      async () =>
        token({
          iss: 'https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0',
          aud: CLIENT_ID,
          tid: '99999999-0000-0000-0000-000000000000',
        }),
      403,
      /another tenant/,
    ],
    [
      'a foreign issuer for our tenant',
      async () => token({ iss: 'https://evil.example.test/', aud: CLIENT_ID }),
      403,
      /another tenant/,
    ],
    [
      'no access_as_user scope',
      async () => token({ iss: V2_ISSUER, aud: CLIENT_ID, scp: 'User.Read' }),
      403,
      /access_as_user/,
    ],
  ];
  it.each(cases)('refuses %s', async (_name, make, status, message) => {
    const req = request(appWith(options())).get('/api/metrics');
    if (make) req.set('Authorization', `Bearer ${await make()}`);
    const res = await req;
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.message).toContain('AUTH_MODE=teams-sso');
  });

  it('answers 503 when the tenant keys cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/keys`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const res = await request(appWith({ ...options(), jwksUrl: deadUrl }))
      .get('/api/metrics')
      .set('Authorization', `Bearer ${await token({ iss: V2_ISSUER, aud: CLIENT_ID })}`);
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({
      code: 'auth_unavailable',
      message: expect.stringContaining('AUTH_MODE=teams-sso'),
    });
  });

  it('keeps /api/health and the tab open', async () => {
    const app = appWith(options());
    expect((await request(app).get('/api/health')).status).toBe(200);
    expect((await request(app).get('/tab')).status).toBe(200);
  });

  it("defaults to Microsoft's keys of the tenant and the documented audiences", () => {
    expect(microsoftJwksUrl(TENANT)).toBe(`https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`);
    expect(acceptedAudiences(CLIENT_ID, PUBLIC_URL)).toEqual([CLIENT_ID, `api://insights.example.test/${CLIENT_ID}`]);
    expect(acceptedAudiences(CLIENT_ID, null)).toEqual([CLIENT_ID]);
  });

  it('refuses to start without client id and tenant', () => {
    expect(() => authMiddleware({ ...options(), teams: { clientId: null, tenantId: TENANT } })).toThrow(
      /TEAMS_APP_CLIENT_ID/,
    );
  });
});

describe('AUTH_MODE=api-key', () => {
  const app = appWith({
    mode: 'api-key',
    apiKeys: ['key-one', 'key-two'],
    teams: { clientId: null, tenantId: null },
    publicUrl: null,
  });

  it('accepts each configured key', async () => {
    for (const key of ['key-one', 'key-two']) {
      const res = await request(app).get('/api/metrics').set('Authorization', `Bearer ${key}`);
      expect(res.status).toBe(200);
      expect(res.body.caller.mode).toBe('api-key');
    }
  });

  it.each([
    ['no header', undefined],
    ['a wrong key', 'Bearer key-three'],
    ['a prefix of a key', 'Bearer key-on'],
    ['another scheme', 'Basic a2V5LW9uZQ=='],
  ])('refuses %s with a JSON 401 naming the mode', async (_name, header) => {
    const req = request(app).get('/api/metrics');
    if (header) req.set('Authorization', header);
    const res = await req;
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.error.message).toContain('AUTH_MODE=api-key');
    expect(JSON.stringify(res.body)).not.toContain('key-one');
  });

  it('keeps /api/health open', async () => {
    expect((await request(app).get('/api/health')).status).toBe(200);
  });

  it('compares over digests so any length is safe, and needs a key', () => {
    expect(apiKeyMatches('key-one', ['key-one'])).toBe(true);
    expect(apiKeyMatches('', [''])).toBe(false);
    expect(apiKeyMatches('x'.repeat(1000), ['key-one'])).toBe(false);
    expect(() =>
      authMiddleware({ mode: 'api-key', apiKeys: [], teams: { clientId: null, tenantId: null }, publicUrl: null }),
    ).toThrow(/API_KEYS/);
  });
});

describe('AUTH_MODE=none', () => {
  it('lets every request through', async () => {
    const app = appWith({ mode: 'none', apiKeys: [], teams: { clientId: null, tenantId: null }, publicUrl: null });
    const res = await request(app).get('/api/metrics');
    expect(res.status).toBe(200);
    expect(res.body.caller.mode).toBe('none');
  });
});

describe('createApp enforces AUTH_MODE on the metrics routes', () => {
  const KEY = 'k'.repeat(8) + '-0123456789abcdef';

  it('api-key: /api/metrics, /api/incidents and /api/action-items need a key, /api/health does not', async () => {
    const t = await testApp({ AUTH_MODE: 'api-key', API_KEYS: `${KEY},another-key-0123456789` });
    try {
      for (const path of [
        '/api/metrics',
        '/api/incidents',
        '/api/incidents/OPS-1',
        '/api/incidents/OPS-1/postmortem.md',
        '/api/action-items',
      ]) {
        const refused = await request(t.app).get(path).expect(401);
        expect(refused.body.error.message).toContain('AUTH_MODE=api-key');
      }
      await request(t.app).get('/api/metrics').set('Authorization', 'Bearer wrong-key-0123456789').expect(401);
      await request(t.app).get('/api/metrics').set('Authorization', `Bearer ${KEY}`).expect(200);
      await request(t.app).get('/api/action-items').set('Authorization', 'Bearer another-key-0123456789').expect(200);
      await request(t.app).get('/api/health').expect(200);
    } finally {
      await t.close();
    }
  });

  it('teams-sso: a token from the tenant passes, another tenant is forbidden', async () => {
    const t = await testApp(
      { AUTH_MODE: 'teams-sso', TEAMS_APP_CLIENT_ID: CLIENT_ID, TEAMS_TENANT_ID: TENANT, PUBLIC_URL: PUBLIC_URL },
      { auth: { jwksUrl } },
    );
    try {
      await request(t.app).get('/api/metrics').expect(401);
      const ok = await request(t.app)
        .get('/api/metrics')
        .set('Authorization', `Bearer ${await token({ iss: V2_ISSUER, aud: CLIENT_ID })}`);
      expect(ok.status).toBe(200);
      const v1 = await request(t.app)
        .get('/api/incidents')
        .set(
          'Authorization',
          `Bearer ${await token({ iss: V1_ISSUER, aud: `api://insights.example.test/${CLIENT_ID}` })}`,
        );
      expect(v1.status).toBe(200);
      const other = '99999999-0000-0000-0000-000000000000';
      const forbidden = await request(t.app)
        .get('/api/action-items')
        .set(
          'Authorization',
          `Bearer ${await token({ iss: `https://login.microsoftonline.com/${other}/v2.0`, aud: CLIENT_ID, tid: other })}`,
        )
        .expect(403);
      expect(forbidden.body.error).toEqual({
        code: 'forbidden',
        message: expect.stringContaining('AUTH_MODE=teams-sso'),
      });
      await request(t.app).get('/api/health').expect(200);
    } finally {
      await t.close();
    }
  });

  it('none: open on loopback; the configuration refuses it elsewhere', async () => {
    const t = await testApp({ AUTH_MODE: 'none' });
    try {
      await request(t.app).get('/api/metrics').expect(200);
    } finally {
      await t.close();
    }
    expect(() => loadConfig({ AUTH_MODE: 'none', HOST: '0.0.0.0' })).toThrow(/AUTH_MODE/);
  });
});
