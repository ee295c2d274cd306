/**
 * Issue 11's side doors, tried through createApp as an attacker would: case and encoding
 * variants of every API route (enumerated from the app's own router, so a new route is
 * covered without editing this file), foreign Host names with AUTH_MODE=none, cross-site
 * writes, the post-mortem content type, rate limits, /api/health's details and malformed
 * paths.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { OPEN_API_ROUTES } from '../../server/http/auth.js';
import { canonicalPath } from '../../server/http/requestGuards.js';
import { capturingLogger } from '../digest/logging.js';
import { testApp, type TestApp } from '../support/app.js';

const KEY = 'test-key-0123456789abcdef';
const TEAMS = {
  TEAMS_APP_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  TEAMS_TENANT_ID: '11111111-2222-3333-4444-555555555555',
};

let apps: TestApp[] = [];
async function open(env: Record<string, string> = {}, overrides: Parameters<typeof testApp>[1] = {}): Promise<TestApp> {
  const t = await testApp(env, overrides);
  apps.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(apps.map((t) => t.close()));
  apps = [];
});

interface RouteLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: RouteLayer[] };
}

/** Every (method, path) the app routes, read from its router, with sample parameters filled in. */
function routesOf(app: Express): Array<{ method: string; path: string }> {
  const found: Array<{ method: string; path: string }> = [];
  const walk = (stack: RouteLayer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          for (const method of Object.keys(layer.route.methods)) {
            found.push({ method, path: path.replace(':key', 'OPS-162').replace(':week', '2026-W47') });
          }
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: RouteLayer[] } }).router.stack);
  return found;
}

function protectedRoutes(app: Express) {
  return routesOf(app).filter(
    ({ path }) => path.startsWith('/api/') && !OPEN_API_ROUTES.some((route) => route.test(path)),
  );
}

/** Ways to write the same path that a router or a proxy may read as that path. */
function variants(path: string): Array<{ name: string; path: string; routed: boolean }> {
  const rest = path.slice('/api'.length);
  const last = path.lastIndexOf('/');
  return [
    { name: 'upper case', path: path.toUpperCase(), routed: true },
    { name: 'mixed case', path: `/Api${rest}`, routed: true },
    { name: 'one letter', path: `/aPi${rest}`, routed: true },
    { name: 'trailing slash', path: `${path}/`, routed: true },
    { name: 'upper case, trailing slash', path: `${path.toUpperCase()}/`, routed: true },
    { name: 'double leading slash', path: `//api${rest}`, routed: false },
    { name: 'dot segment', path: `/./api${rest}`, routed: false },
    { name: 'dot-dot segment', path: `/tab/../api${rest}`, routed: false },
    { name: 'double inner slash', path: `/api/${rest}`, routed: false },
    { name: 'encoded letter', path: `/%61pi${rest}`, routed: false },
    { name: 'encoded upper letter', path: `/%41PI${rest}`, routed: false },
    { name: 'encoded slash', path: `${path.slice(0, last)}%2F${path.slice(last + 1)}`, routed: false },
    { name: 'double-encoded letter', path: `/%2561pi${rest}`, routed: false },
  ];
}

function send(app: Express, method: string, path: string) {
  const req =
    method === 'post' ? request(app).post(path).send({ summary: 'Rotate the on-call pager' }) : request(app).get(path);
  return req;
}

describe.each([
  ['api-key', { AUTH_MODE: 'api-key', API_KEYS: KEY }],
  ['teams-sso', { AUTH_MODE: 'teams-sso', ...TEAMS }],
])('AUTH_MODE=%s: every route needs credentials whatever the case or encoding of its path', (mode, env) => {
  it('refuses each variant of each protected route without credentials', async () => {
    // Hundreds of unauthenticated requests: the failed-authentication limit is tested below.
    const t = await open({ ...env, RATE_LIMIT_AUTH_FAILURES: '0' });
    const routes = protectedRoutes(t.app);
    // The router is really read: the routes of today are all there.
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'get /api/metrics',
        'get /api/incidents',
        'get /api/action-items',
        'post /api/incidents/OPS-162/action-items',
      ]),
    );
    const served: string[] = [];
    for (const { method, path } of routes) {
      const canonical = await send(t.app, method, path);
      expect([method, path, canonical.status]).toEqual([method, path, 401]);
      for (const variant of variants(path)) {
        const res = await send(t.app, method, variant.path);
        const ok = variant.routed ? res.status === 401 : [400, 401, 404].includes(res.status);
        if (!ok) served.push(`${method.toUpperCase()} ${variant.path} (${variant.name}) -> ${res.status}`);
      }
    }
    expect(served).toEqual([]);
    expect((await t.store.counts()).actionItems).toBe(0);
  });

  if (mode === 'api-key') {
    it('authenticates a case variant exactly like the canonical path', async () => {
      const t = await open(env);
      const canonical = await request(t.app).get('/api/metrics').set('Authorization', `Bearer ${KEY}`);
      const variant = await request(t.app).get('/API/Metrics/').set('Authorization', `Bearer ${KEY}`);
      expect(canonical.status).toBe(200);
      expect(variant.status).toBe(200);
      expect(variant.body).toEqual(canonical.body);
    });
  }
});

describe('the canonical path', () => {
  it('decodes, collapses, resolves dot segments and lower-cases', () => {
    expect(canonicalPath('//API/./x/../Metrics/?a=1')).toBe('/api/metrics');
    expect(canonicalPath('/%61pi%2Fmetrics')).toBe('/api/metrics');
    expect(canonicalPath('/%2561pi/metrics')).toBe('/api/metrics');
    expect(canonicalPath('/api\\metrics')).toBe('/api/metrics');
    expect(() => canonicalPath('/api/incidents/%E0%A4%A')).toThrow(/malformed percent-encoding/);
  });
});

describe('AUTH_MODE=none serves loopback Host names only', () => {
  it.each(['localhost', 'localhost:3000', '127.0.0.1:8080', '127.0.0.2', '[::1]', '[::1]:3000', 'LOCALHOST:1'])(
    'serves Host %s',
    async (host) => {
      const t = await open();
      expect((await request(t.app).get('/api/metrics').set('Host', host)).status).toBe(200);
    },
  );

  it.each([
    'attacker.example',
    'attacker.example:3000',
    'localhost.attacker.example',
    '127.0.0.1.nip.io',
    '10.0.0.5',
    '[::2]',
    '',
  ])('answers 421 to Host "%s"', async (host) => {
    const t = await open();
    for (const path of ['/api/metrics', '/api/health', '/tab']) {
      const res = await request(t.app).get(path).set('Host', host);
      expect(res.status).toBe(421);
      expect(res.body.error.code).toBe('misdirected_request');
    }
  });

  it('leaves Host alone with credentials-based modes (a proxy names the public host)', async () => {
    const t = await open({ AUTH_MODE: 'api-key', API_KEYS: KEY });
    const res = await request(t.app)
      .get('/api/metrics')
      .set('Host', 'insights.example.com')
      .set('Authorization', `Bearer ${KEY}`);
    expect(res.status).toBe(200);
  });
});

const MARKDOWN = '# Post-mortem: OPS-162\n\n- **Incident ID:** OPS-162\n- **Severity:** P1\n';

describe('cross-site writes are refused in every mode', () => {
  it.each([
    ['none', {}],
    ['api-key', { AUTH_MODE: 'api-key', API_KEYS: KEY }],
  ])('AUTH_MODE=%s: a foreign Origin or Sec-Fetch-Site: cross-site gets 403', async (_mode, env) => {
    const t = await open(env);
    const post = (path: string) => request(t.app).post(path).set('Authorization', `Bearer ${KEY}`);
    const attempts = [
      post('/api/postmortems').set('Origin', 'http://attacker.example').type('text/markdown').send(MARKDOWN),
      post('/api/postmortems').set('Origin', 'null').type('text/markdown').send(MARKDOWN),
      post('/api/postmortems').set('Sec-Fetch-Site', 'cross-site').type('text/markdown').send(MARKDOWN),
      post('/api/incidents/OPS-162/action-items').set('Origin', 'http://127.0.0.1:1').send({ summary: 'x' }),
      post('/API/incidents/OPS-162/action-items').set('Sec-Fetch-Site', 'cross-site').send({ summary: 'x' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect(await t.store.counts()).toMatchObject({ incidents: 0, actionItems: 0 });
  });

  it("lets the server's own pages write, and anyone read", async () => {
    const t = await open();
    const own = await request(t.app)
      .post('/api/postmortems?dryRun=true')
      .set('Host', 'localhost:4000')
      .set('Origin', 'http://localhost:4000')
      .set('Sec-Fetch-Site', 'same-origin')
      .type('text/markdown')
      .send(MARKDOWN);
    expect(own.status).not.toBe(403);
    const read = await request(t.app)
      .get('/api/metrics')
      .set('Origin', 'http://attacker.example')
      .set('Sec-Fetch-Site', 'cross-site');
    expect(read.status).toBe(200);
  });
});

describe('POST /api/postmortems takes text/markdown only', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/x-markdown'])(
    'answers 415 naming text/markdown to %s',
    async (type) => {
      const t = await open();
      const res = await request(t.app).post('/api/postmortems?dryRun=true').set('Content-Type', type).send(MARKDOWN);
      expect(res.status).toBe(415);
      expect(res.body.error).toEqual({
        code: 'unsupported_media_type',
        message: expect.stringContaining('text/markdown'),
      });
    },
  );
});

describe('GET /api/health', () => {
  it.each([
    ['api-key', { AUTH_MODE: 'api-key', API_KEYS: KEY }],
    ['teams-sso', { AUTH_MODE: 'teams-sso', ...TEAMS }],
  ])('AUTH_MODE=%s without credentials: only { status }', async (_mode, env) => {
    const t = await open(env);
    for (const path of ['/api/health', '/API/Health/']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    }
  });

  it('api-key with the key, and AUTH_MODE=none: the whole object; a wrong key: 401', async () => {
    const keyed = await open({ AUTH_MODE: 'api-key', API_KEYS: KEY });
    const full = await request(keyed.app).get('/api/health').set('Authorization', `Bearer ${KEY}`);
    expect(full.body).toMatchObject({ status: 'ok', store: 'embedded', counts: expect.any(Object) });
    expect(
      (await request(keyed.app).get('/api/health').set('Authorization', 'Bearer wrong-key-0123456789')).status,
    ).toBe(401);
    const none = await open();
    expect((await request(none.app).get('/api/health')).body).toMatchObject({
      status: 'ok',
      store: 'embedded',
      sync: null,
    });
  });
});

describe('a malformed percent-encoding in a path', () => {
  it.each(['/api/incidents/%E0%A4%A', '/api/incidents/%zz', '/tab/%E0', '/%'])(
    '%s is a 400 with no stack in the log',
    async (path) => {
      const { logger, lines } = capturingLogger();
      const t = await open({ AUTH_MODE: 'api-key', API_KEYS: KEY }, { logger });
      const res = await request(t.app).get(path).set('Authorization', `Bearer ${KEY}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.message).toMatch(/percent-encoding/);
      expect(lines()).not.toMatch(/"stack"|URIError|unexpected error/);
    },
  );
});

describe('rate limits', () => {
  it('429 with Retry-After after RATE_LIMIT_AUTH_FAILURES failed authentications', async () => {
    const t = await open({
      AUTH_MODE: 'api-key',
      API_KEYS: KEY,
      RATE_LIMIT_AUTH_FAILURES: '5',
      RATE_LIMIT_WINDOW_SECONDS: '120',
    });
    // Successful requests do not count.
    for (let i = 0; i < 8; i += 1)
      await request(t.app).get('/api/metrics').set('Authorization', `Bearer ${KEY}`).expect(200);
    for (let i = 0; i < 5; i += 1)
      await request(t.app).get('/API/metrics').set('Authorization', `Bearer wrong-key-${i}-0123456789`).expect(401);
    const limited = await request(t.app).get('/api/metrics').set('Authorization', 'Bearer wrong-key-x-0123456789');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(120);
    expect(limited.body.error).toEqual({
      code: 'rate_limited',
      message: expect.stringContaining('failed authentications'),
    });
    // Until the window ends the address is refused even with a right key; a health probe still passes.
    expect((await request(t.app).get('/api/metrics').set('Authorization', `Bearer ${KEY}`)).status).toBe(429);
    expect((await request(t.app).get('/api/health')).body).toEqual({ status: 'ok' });
  });

  it('does not count requests without credentials: the Teams tab asks for its SSO token after a 401 on every load', async () => {
    const t = await open({ AUTH_MODE: 'api-key', API_KEYS: KEY, RATE_LIMIT_AUTH_FAILURES: '3' });
    for (let i = 0; i < 10; i += 1) {
      await request(t.app).get('/api/metrics').expect(401);
      await request(t.app).get('/api/metrics').set('Authorization', `Bearer ${KEY}`).expect(200);
    }
  });

  it('429 with Retry-After after RATE_LIMIT_WRITES writes', async () => {
    const t = await open({ RATE_LIMIT_WRITES: '3' });
    for (let i = 0; i < 3; i += 1) {
      const res = await request(t.app).post('/api/postmortems?dryRun=true').type('text/markdown').send(MARKDOWN);
      expect(res.status).not.toBe(429);
    }
    const limited = await request(t.app).post('/api/incidents/OPS-162/action-items').send({ summary: 'x' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.error.code).toBe('rate_limited');
    // Reads are not writes.
    expect((await request(t.app).get('/api/metrics')).status).toBe(200);
  });

  it('are configured from the environment, 0 turning one off', async () => {
    const t = await open({ RATE_LIMIT_WRITES: '0' });
    expect(t.config.rateLimits).toEqual({ authFailures: 20, writes: 0, windowSeconds: 60 });
    await expect(open({ RATE_LIMIT_WRITES: 'many' })).rejects.toThrow(/RATE_LIMIT_WRITES "many" is not a whole number/);
  });
});
